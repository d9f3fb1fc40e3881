/**
 * Forecast accuracy on the seeded simulator (src/forecast/simulate.ts), rolling origin: for each
 * series, origins at the last 4 × 28 days, each trains on everything before the origin and
 * forecasts 28 days. Per series class (Syntetos–Boylan, of the training data): MASE and RMSSE
 * of the chosen method and of seasonal naive (same scale), their ratio against the targets, and
 * the 90 % interval coverage. Censoring: on series with injected stock-outs, the error against
 * the true demand with stock-out days censored vs taken as zero sales. Weekly: at the same
 * origins, the 4 weeks ahead fitted on weekly buckets (as `forecast run` stores them) against
 * naive (last week), and against the daily forecast summed into weeks.
 */
import { forecastSeries, weekly } from '../src/forecast/forecast.js';
import { WEEKLY_PERIOD, WEEKLY_WARM_UP } from '../src/forecast/run.js';
import { weeklySeries } from '../src/forecast/weekly.js';
import { coverage, naiveScale, scaledErrors } from '../src/forecast/metrics.js';
import type { DailySeries, SeriesClass } from '../src/forecast/series.js';
import { simulate, type SimulatedSeries } from '../src/forecast/simulate.js';

const HORIZON = 28;
const ORIGINS = 4;

interface Acc {
  mase: number[];
  rmsse: number[];
  naiveMase: number[];
  naiveRmsse: number[];
  inside: number;
  n: number;
}

const newAcc = (): Acc => ({ mase: [], rmsse: [], naiveMase: [], naiveRmsse: [], inside: 0, n: 0 });
const avg = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export interface AccuracyReport {
  readonly lines: string[];
  readonly verdicts: { name: string; ok: boolean }[];
}

function censored(s: SimulatedSeries, withCensoring: boolean): DailySeries {
  return s.sales.map((v, t) => (withCensoring && !s.inStock[t] ? null : v));
}

export function accuracy(seed: number, scale = 1): AccuracyReport {
  const series = simulate({
    seed,
    smooth: 40 * scale,
    intermittent: 40 * scale,
    lumpy: 20 * scale,
    stockOutShare: 0,
  });
  const byClass = new Map<SeriesClass, Acc>();
  const weeklyByClass = new Map<SeriesClass, Acc & { summed: number[] }>();
  let fits = 0;
  const t0 = performance.now();
  for (const s of series) {
    for (let o = ORIGINS; o >= 1; o--) {
      const origin = s.sales.length - o * HORIZON;
      const train: DailySeries = s.sales.slice(0, origin);
      const test: DailySeries = s.sales.slice(origin, origin + HORIZON);
      const f = forecastSeries(train, { horizon: HORIZON });
      const sn = forecastSeries(train, { horizon: HORIZON, method: 'seasonal-naive' });
      fits++;
      const scale = naiveScale(train);
      if (!(scale.mae > 0)) continue;
      const e = scaledErrors(test, f.mean, scale);
      const b = scaledErrors(test, sn.mean, scale);
      const c = coverage(test, f.lower, f.upper);
      const cls = f.classification.class;
      const acc = byClass.get(cls) ?? newAcc();
      byClass.set(cls, acc);
      acc.mase.push(e.mase);
      acc.rmsse.push(e.rmsse);
      acc.naiveMase.push(b.mase);
      acc.naiveRmsse.push(b.rmsse);
      acc.inside += c.inside;
      acc.n += c.n;
      // weekly: buckets of the training days ending at the origin
      const wTrain = weeklySeries(train).series;
      const wTest: number[] = [];
      for (let w = 0; w < HORIZON / 7; w++)
        wTest.push(test.slice(w * 7, w * 7 + 7).reduce<number>((a, v) => a + (v ?? 0), 0));
      const wScale = naiveScale(wTrain, 1);
      if (!(wScale.mae > 0)) continue;
      const wf = forecastSeries(wTrain, {
        horizon: HORIZON / 7,
        period: WEEKLY_PERIOD,
        warmUp: WEEKLY_WARM_UP,
      });
      const last = wTrain[wTrain.length - 1] ?? 0;
      const wNaive = wTest.map(() => last);
      const wa = weeklyByClass.get(cls) ?? { ...newAcc(), summed: [] };
      weeklyByClass.set(cls, wa);
      const we = scaledErrors(wTest, wf.mean, wScale);
      const wb = scaledErrors(wTest, wNaive, wScale);
      const wc = coverage(wTest, wf.lower, wf.upper);
      wa.mase.push(we.mase);
      wa.rmsse.push(we.rmsse);
      wa.naiveMase.push(wb.mase);
      wa.naiveRmsse.push(wb.rmsse);
      wa.summed.push(scaledErrors(wTest, weekly(f).mean, wScale).mase);
      wa.inside += wc.inside;
      wa.n += wc.n;
    }
  }
  const ms = performance.now() - t0;
  const lines: string[] = [];
  const verdicts: { name: string; ok: boolean }[] = [];
  lines.push(
    `accuracy: ${series.length} series x ${ORIGINS} origins, horizon ${HORIZON} d, seed ${seed} (${fits} fits in ${(ms / 1000).toFixed(1)} s)`,
  );
  lines.push(
    '  class         series  MASE   naive  ratio  RMSSE  naive  ratio  target    90% cover  verdict',
  );
  let inside = 0;
  let n = 0;
  for (const cls of ['smooth', 'erratic', 'intermittent', 'lumpy'] as const) {
    const a = byClass.get(cls);
    if (a === undefined) continue;
    const target = cls === 'smooth' || cls === 'erratic' ? 0.85 : 0.95;
    const rMase = avg(a.mase) / avg(a.naiveMase);
    const rRmsse = avg(a.rmsse) / avg(a.naiveRmsse);
    const cover = a.inside / a.n;
    inside += a.inside;
    n += a.n;
    const ok = rMase <= target && rRmsse <= target;
    verdicts.push({ name: `${cls} scaled error <= ${target}x seasonal naive`, ok });
    lines.push(
      `  ${cls.padEnd(12)}  ${String(a.mase.length).padStart(6)}  ${avg(a.mase).toFixed(3)}  ${avg(a.naiveMase).toFixed(3)}  ${rMase.toFixed(3)}  ` +
        `${avg(a.rmsse).toFixed(3)}  ${avg(a.naiveRmsse).toFixed(3)}  ${rRmsse.toFixed(3)}  <= ${target.toFixed(2)}   ${cover.toFixed(3)}      ${ok ? 'PASS' : 'FAIL'}`,
    );
  }
  const cover = inside / n;
  const coverOk = cover >= 0.87 && cover <= 0.93;
  verdicts.push({ name: '90% interval coverage in 0.87-0.93', ok: coverOk });
  lines.push(
    `  90% interval coverage, all classes: ${cover.toFixed(3)} (target 0.87-0.93) ${coverOk ? 'PASS' : 'FAIL'}`,
  );

  // weekly forecasts (the targets applied per week; the baseline is naive, last week)
  lines.push(
    `weekly: ${HORIZON / 7} weeks ahead fitted on weekly buckets, vs naive (last week) and vs the daily forecast summed into weeks`,
  );
  lines.push(
    '  class         cases   MASE   naive  ratio  RMSSE  naive  ratio  target    90% cover  summed-daily MASE  verdict',
  );
  let wInside = 0;
  let wN = 0;
  for (const cls of ['smooth', 'erratic', 'intermittent', 'lumpy'] as const) {
    const a = weeklyByClass.get(cls);
    if (a === undefined) continue;
    const target = cls === 'smooth' || cls === 'erratic' ? 0.85 : 0.95;
    const rMase = avg(a.mase) / avg(a.naiveMase);
    const rRmsse = avg(a.rmsse) / avg(a.naiveRmsse);
    wInside += a.inside;
    wN += a.n;
    const ok = rMase <= target && rRmsse <= target;
    verdicts.push({ name: `weekly ${cls} scaled error <= ${target}x naive`, ok });
    lines.push(
      `  ${cls.padEnd(12)}  ${String(a.mase.length).padStart(6)}  ${avg(a.mase).toFixed(3)}  ${avg(a.naiveMase).toFixed(3)}  ${rMase.toFixed(3)}  ` +
        `${avg(a.rmsse).toFixed(3)}  ${avg(a.naiveRmsse).toFixed(3)}  ${rRmsse.toFixed(3)}  <= ${target.toFixed(2)}   ${(a.inside / a.n).toFixed(3)}      ${avg(a.summed).toFixed(3)}              ${ok ? 'PASS' : 'FAIL'}`,
    );
  }
  const wCover = wInside / wN;
  const wCoverOk = wCover >= 0.87 && wCover <= 0.93;
  verdicts.push({ name: 'weekly 90% interval coverage in 0.87-0.93', ok: wCoverOk });
  lines.push(
    `  weekly 90% interval coverage, all classes: ${wCover.toFixed(3)} (target 0.87-0.93) ${wCoverOk ? 'PASS' : 'FAIL'}`,
  );

  // censoring effect
  const outs = simulate({
    seed: seed + 1,
    smooth: 30 * scale,
    intermittent: 30 * scale,
    lumpy: 0,
    stockOutShare: 1,
  });
  const cens = { with: [] as number[], without: [] as number[], biasWith: 0, biasWithout: 0, truth: 0 };
  for (const s of outs) {
    for (let o = ORIGINS; o >= 1; o--) {
      const origin = s.sales.length - o * HORIZON;
      const truth: DailySeries = s.demand.slice(origin, origin + HORIZON);
      const scale = naiveScale(censored(s, true).slice(0, origin));
      if (!(scale.mae > 0)) continue;
      const fw = forecastSeries(censored(s, true).slice(0, origin), { horizon: HORIZON });
      const fo = forecastSeries(censored(s, false).slice(0, origin), { horizon: HORIZON });
      cens.with.push(scaledErrors(truth, fw.mean, scale).mase);
      cens.without.push(scaledErrors(truth, fo.mean, scale).mase);
      for (let i = 0; i < HORIZON; i++) {
        const y = truth[i] ?? 0;
        cens.truth += y;
        cens.biasWith += (fw.mean[i] ?? 0) - y;
        cens.biasWithout += (fo.mean[i] ?? 0) - y;
      }
    }
  }
  const cw = avg(cens.with);
  const co = avg(cens.without);
  const censOk = cw < co;
  verdicts.push({ name: 'censoring lowers the error on series with stock-outs', ok: censOk });
  lines.push(
    `censoring: ${outs.length} series with injected stock-outs, error vs true demand over the horizon`,
  );
  lines.push(
    `  MASE censored ${cw.toFixed(3)}  zeros-as-demand ${co.toFixed(3)}  ratio ${(cw / co).toFixed(3)}  ` +
      `bias censored ${((100 * cens.biasWith) / cens.truth).toFixed(1)} %  zeros ${((100 * cens.biasWithout) / cens.truth).toFixed(1)} %  ${censOk ? 'PASS' : 'FAIL'}`,
  );
  return { lines, verdicts };
}
