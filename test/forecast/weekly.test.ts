/**
 * Weekly forecasts: the 7-day buckets (ending on the last day of history, censored days scaled
 * out, too-censored weeks censored), and the weekly fit by the same methods on the buckets —
 * checked against the recursions by hand (FPP3 §8.1 SES; Croston 1972 / Syntetos–Boylan 2005).
 */
import { describe, expect, it } from 'vitest';
import { forecastSeries } from '../../src/forecast/forecast.js';
import { croston, ses } from '../../src/forecast/methods.js';
import { WEEKLY_PERIOD, WEEKLY_WARM_UP } from '../../src/forecast/run.js';
import { weeklySeries, weeksAhead } from '../../src/forecast/weekly.js';

const week = (...days: (number | null)[]): (number | null)[] => days;

describe('weekly buckets', () => {
  it('end on the last day; the partial first week is dropped', () => {
    const daily = [9, 9, ...week(1, 1, 1, 1, 1, 1, 1), ...week(2, 0, 2, 0, 2, 0, 2)];
    const w = weeklySeries(daily);
    expect(w).toEqual({ offset: 2, series: [7, 8], censoredWeeks: 0 });
    expect(weeklySeries([1, 2, 3]).series).toEqual([]);
    expect(weeksAhead(28)).toBe(4);
    expect(weeksAhead(30)).toBe(5);
  });

  it('scale a week with censored days to 7 days; fewer than 4 observed days censor the week', () => {
    const daily = [
      ...week(3, 3, null, 3, null, 3, 2), // 5 observed: 14 · 7 / 5
      ...week(null, null, null, null, 5, 5, 5), // 3 observed: censored, not 15
      ...week(null, null, null, 0, 0, 0, 0), // 4 observed, no sale: 0
    ];
    const w = weeklySeries(daily);
    expect(w.series[0]).toBeCloseTo((14 * 7) / 5, 12);
    expect(w.series.slice(1)).toEqual([null, 0]);
    expect(w.censoredWeeks).toBe(1);
    expect(weeklySeries(daily, 3).series[1]).toBe(35);
  });
});

describe('weekly fit on the buckets', () => {
  it('a smooth weekly series is fitted by SES (no yearly season below two years), as by hand', () => {
    // 12 weeks around 50
    const weeks = [48, 52, 50, 49, 53, 51, 47, 50, 52, 49, 51, 50];
    const f = forecastSeries(weeks, { horizon: 4, period: WEEKLY_PERIOD, warmUp: WEEKLY_WARM_UP });
    expect(f.classification.class).toBe('smooth');
    expect(f.method).toBe('ses');
    const alpha = f.params['alpha']!;
    // the recursion by hand: l_1 = y_1, l_t = α y_t + (1 − α) l_{t−1}; flat forecast l_T
    let l = weeks[0]!;
    for (const y of weeks.slice(1)) l = alpha * y + (1 - alpha) * l;
    expect(f.mean).toEqual([l, l, l, l].map((v) => expect.closeTo(v, 10)));
    expect(ses(weeks, alpha).forecast(4)[0]).toBeCloseTo(l, 12);
    // the interval widens as ETS(A,N,N)'s variance: half-width_h = half-width_1 · √(1 + (h−1)α²)
    const hw = (h: number): number => f.upper[h - 1]! - f.mean[h - 1]!;
    expect(hw(4) / hw(1)).toBeCloseTo(Math.sqrt(1 + 3 * alpha * alpha), 10);
    // residuals after the 4-week warm-up: the interval of a ±3 series is a few units wide
    expect(hw(1)).toBeGreaterThan(0);
    expect(hw(1)).toBeLessThan(6);
  });

  it('an intermittent weekly series gets Croston-SBA: (1 − α/2) z / p by hand', () => {
    const weeks = [0, 4, 0, 0, 4, 0, 4, 0, 0, 0, 4, 0, 4, 0, 0, 4];
    const f = forecastSeries(weeks, { horizon: 4, period: WEEKLY_PERIOD, warmUp: WEEKLY_WARM_UP });
    expect(f.classification.class).toBe('intermittent');
    expect(f.method).toBe('croston-sba');
    const alpha = f.params['alpha']!;
    // sizes are all 4, so z = 4 whatever α; intervals 2, 3, 2, 4, 2, 3 (first interval: 2)
    const intervals = [2, 3, 2, 4, 2, 3];
    let p = intervals[0]!;
    for (const q of intervals.slice(1)) p = alpha * q + (1 - alpha) * p;
    expect(f.mean[0]).toBeCloseTo(((1 - alpha / 2) * 4) / p, 10);
    expect(croston(weeks, alpha, 'sba').forecast(1)[0]).toBeCloseTo(f.mean[0]!, 12);
  });

  it('with two years of weeks a yearly season is fitted (Holt-Winters, m = 52)', () => {
    const season = Array.from({ length: 52 }, (_, k) => Math.round(20 * Math.sin((2 * Math.PI * k) / 52)));
    const weeks = Array.from({ length: 156 }, (_, t) => 100 + season[t % 52]!);
    const f = forecastSeries(weeks, { horizon: 4, period: WEEKLY_PERIOD, warmUp: WEEKLY_WARM_UP });
    expect(f.method).toBe('holt-winters');
    for (let h = 0; h < 4; h++) expect(f.mean[h]).toBeCloseTo(100 + season[(156 + h) % 52]!, 6);
  });
});
