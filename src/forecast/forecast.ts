/**
 * One daily series in, a 28-day forecast with a prediction interval out: classify the series
 * (Syntetos–Boylan), pick the method that fits the class, choose its smoothing parameters on a
 * small grid by in-sample one-step error, and put an interval around the point forecast from the
 * quantiles of the in-sample one-step residuals (widened with the horizon as the method's error
 * variance grows). Pure.
 *
 *   smooth, erratic      -> the best of SES and additive Holt-Winters (weekly season, with or
 *                           without a damped trend) by AIC; SES when fewer than two seasons
 *   intermittent         -> Croston-SBA
 *   lumpy                -> TSB
 *   zero                 -> 0
 */
import {
  croston,
  holtWinters,
  seasonalNaive,
  ses,
  sse,
  tsb,
  zeroFit,
  type Fit,
  type MethodName,
} from './methods.js';
import { classify, quantile, type Classification, type DailySeries } from './series.js';

export interface ForecastOptions {
  /** Days ahead (default 28). */
  readonly horizon?: number;
  /** Central interval probability (default 0.9). */
  readonly level?: number;
  /** Season length in days (default 7). */
  readonly period?: number;
  /** Force a method instead of the one the class calls for. */
  readonly method?: MethodName;
  /**
   * Steps at the start left out of the interval's residuals while the states settle (default two
   * seasons; a seasonal fit always skips two seasons). Weekly series use 4 weeks.
   */
  readonly warmUp?: number;
}

export interface SeriesForecast {
  readonly classification: Classification;
  readonly method: MethodName;
  readonly params: Readonly<Record<string, number>>;
  readonly level: number;
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5];
const GAMMAS = [0.01, 0.05, 0.1, 0.2];
const BETAS = [0.01, 0.05];
const INTERMITTENT_ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.3];

function aic(series: DailySeries, fit: Fit): number {
  const { sse: s, n } = sse(series, fit.fitted);
  if (n === 0) return Number.POSITIVE_INFINITY;
  return n * Math.log(Math.max(s, 1e-9) / n) + 2 * fit.k;
}

function mse(series: DailySeries, fit: Fit): number {
  const { sse: s, n } = sse(series, fit.fitted);
  return n === 0 ? Number.POSITIVE_INFINITY : s / n;
}

function best(series: DailySeries, fits: readonly Fit[], score: (s: DailySeries, f: Fit) => number): Fit {
  let winner: Fit | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const f of fits) {
    const sc = score(series, f);
    if (winner === undefined || sc < bestScore) {
      winner = f;
      bestScore = sc;
    }
  }
  if (winner === undefined) throw new Error('no candidate fit');
  return winner;
}

export function fitSmooth(series: DailySeries, period: number): Fit {
  const fits: Fit[] = ALPHAS.map((a) => ses(series, a));
  for (const alpha of ALPHAS) {
    for (const gamma of GAMMAS) {
      const hw = holtWinters(series, { alpha, beta: 0, gamma, phi: 1, period });
      if (hw === null) continue;
      fits.push(hw);
      for (const beta of BETAS) {
        const damped = holtWinters(series, { alpha, beta, gamma, phi: 0.98, period });
        if (damped !== null) fits.push(damped);
      }
    }
  }
  return best(series, fits, aic);
}

export function fitCrostonSba(series: DailySeries): Fit {
  return best(
    series,
    INTERMITTENT_ALPHAS.map((a) => croston(series, a, 'sba')),
    mse,
  );
}

export function fitTsb(series: DailySeries): Fit {
  const fits: Fit[] = [];
  for (const a of INTERMITTENT_ALPHAS) for (const b of INTERMITTENT_ALPHAS) fits.push(tsb(series, a, b));
  return best(series, fits, mse);
}

export function fitMethod(series: DailySeries, method: MethodName, period: number): Fit {
  switch (method) {
    case 'ses':
      return best(
        series,
        ALPHAS.map((a) => ses(series, a)),
        mse,
      );
    case 'holt-winters':
      return fitSmooth(series, period);
    case 'croston':
      return best(
        series,
        INTERMITTENT_ALPHAS.map((a) => croston(series, a, 'classic')),
        mse,
      );
    case 'croston-sba':
      return fitCrostonSba(series);
    case 'tsb':
      return fitTsb(series);
    case 'seasonal-naive':
      return seasonalNaive(series, period);
    case 'zero':
      return zeroFit(series);
  }
}

export function methodForClass(c: Classification): MethodName {
  switch (c.class) {
    case 'smooth':
    case 'erratic':
      return 'holt-winters';
    case 'intermittent':
      return 'croston-sba';
    case 'lumpy':
      return 'tsb';
    case 'zero':
      return 'zero';
  }
}

/**
 * In-sample one-step residuals (observed days only, after the first two seasons so the
 * start-up of the states does not widen the interval).
 */
export function residuals(series: DailySeries, fit: Fit, warmUp: number): number[] {
  const out: number[] = [];
  for (let t = warmUp; t < series.length; t++) {
    const y = series[t];
    const f = fit.fitted[t];
    if (y === null || y === undefined || f === null || f === undefined) continue;
    out.push(y - f);
  }
  return out;
}

export function forecastSeries(series: DailySeries, options: ForecastOptions = {}): SeriesForecast {
  const horizon = options.horizon ?? 28;
  const level = options.level ?? 0.9;
  const period = options.period ?? 7;
  const classification = classify(series);
  const method = options.method ?? methodForClass(classification);
  const fit = fitMethod(series, method, period);
  const mean = fit.forecast(horizon).map((v) => Math.max(0, v));
  const warmUp = fit.method === 'holt-winters' ? 2 * period : (options.warmUp ?? 2 * period);
  const res = residuals(series, fit, Math.min(warmUp, Math.floor(series.length / 2)));
  // the interval always holds the point forecast: a residual quantile on the wrong side of 0 (a
  // short history the model over- or under-forecast throughout) counts as 0
  const qLo = Math.min(0, quantile(res, (1 - level) / 2));
  const qHi = Math.max(0, quantile(res, 1 - (1 - level) / 2));
  const lower: number[] = [];
  const upper: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    const k = fit.horizonFactor(h);
    const m = mean[h - 1] ?? 0;
    lower.push(Math.max(0, m + qLo * k));
    upper.push(Math.max(0, m + qHi * k));
  }
  return { classification, method: fit.method, params: fit.params, level, mean, lower, upper };
}

/**
 * Weekly totals of a daily forecast (7-day buckets from the first forecast day). The stored weekly
 * forecasts are fitted on weekly buckets instead (src/forecast/weekly.ts, run.ts); this sum is the
 * bench's comparison.
 */
export function weekly(f: SeriesForecast): { mean: number[]; lower: number[]; upper: number[] } {
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let w = 0; w * 7 < f.mean.length; w++) {
    let m = 0;
    let dl = 0;
    let du = 0;
    for (let d = w * 7; d < Math.min(f.mean.length, w * 7 + 7); d++) {
      const md = f.mean[d] ?? 0;
      m += md;
      dl += (md - (f.lower[d] ?? md)) ** 2;
      du += ((f.upper[d] ?? md) - md) ** 2;
    }
    // daily errors taken as independent: half-widths add in quadrature
    mean.push(m);
    lower.push(Math.max(0, m - Math.sqrt(dl)));
    upper.push(m + Math.sqrt(du));
  }
  return { mean, lower, upper };
}
