/**
 * The forecast methods against values computed by hand on small series (the recursions as
 * written in Hyndman & Athanasopoulos FPP3 §8, Croston 1972, Syntetos & Boylan 2005 and
 * Teunter, Syntetos & Babai 2011), including how censored days (null) are skipped.
 */
import { describe, expect, it } from 'vitest';
import { forecastSeries, weekly } from '../../src/forecast/forecast.js';
import { croston, holtWinters, seasonalNaive, ses, tsb } from '../../src/forecast/methods.js';
import { coverage, naiveScale, scaledErrors } from '../../src/forecast/metrics.js';
import { classify, quantile } from '../../src/forecast/series.js';
import { simulate } from '../../src/forecast/simulate.js';

describe('Syntetos-Boylan classification (ADI 1.32, CV² 0.49)', () => {
  it('puts the four textbook shapes in their quadrants', () => {
    // ADI = observed days / demand days; CV² = population variance / mean² of the sizes
    expect(classify([5, 6, 5, 6])).toMatchObject({ class: 'smooth', adi: 1 });
    expect(classify([5, 6, 5, 6]).cv2).toBeCloseTo(0.25 / 30.25, 10);
    expect(classify([1, 9, 1, 9])).toMatchObject({ class: 'erratic', adi: 1, cv2: 0.64 });
    expect(classify([0, 3, 0, 0, 3, 0])).toMatchObject({ class: 'intermittent', adi: 3, cv2: 0 });
    expect(classify([0, 1, 0, 0, 9, 0])).toMatchObject({ class: 'lumpy', adi: 3, cv2: 0.64 });
    expect(classify([0, 0, 0]).class).toBe('zero');
  });

  it('does not count censored days as days without demand', () => {
    const withZeros = classify([0, 0, 0, 3, 0, 3]);
    const censored = classify([0, null, null, 3, 0, 3]);
    expect(withZeros.adi).toBe(3);
    expect(censored.adi).toBe(2);
    expect(censored.observedDays).toBe(4);
  });
});

describe('simple exponential smoothing', () => {
  it('l_t = α y_t + (1-α) l_{t-1} from the first value', () => {
    const f = ses([3, 5, 4], 0.5);
    expect(f.fitted).toEqual([null, 3, 4]);
    expect(f.forecast(2)).toEqual([4, 4]);
    // variance factor of ETS(A,N,N): 1 + (h-1) α²
    expect(f.horizonFactor(3)).toBeCloseTo(Math.sqrt(1.5), 12);
  });

  it('carries the level over a censored day', () => {
    const f = ses([3, null, 5], 0.5);
    expect(f.fitted).toEqual([null, 3, 3]);
    expect(f.forecast(1)).toEqual([4]);
  });
});

describe('additive Holt-Winters', () => {
  it('follows the recursion by hand (m = 2, α = γ = 0.5, no trend)', () => {
    // init: level = mean(1, 3) = 2, season = [-1, 1]; the first four days fit exactly, then
    // y = 2 at position 0: l = .5(2+1) + .5·2 = 2.5, s0 = .5(2-2) + .5(-1) = -0.5
    const f = holtWinters([1, 3, 1, 3, 2], { alpha: 0.5, beta: 0, gamma: 0.5, phi: 1, period: 2 });
    expect(f).not.toBeNull();
    expect(f?.fitted).toEqual([null, null, 1, 3, 1]);
    expect(f?.forecast(3)).toEqual([3.5, 2, 3.5]);
  });

  it('reproduces a noise-free weekly pattern exactly', () => {
    const season = [-2, -1, 0, 0, 1, 4, -2];
    const y = Array.from({ length: 70 }, (_, t) => 10 + (season[t % 7] ?? 0));
    const f = holtWinters(y, { alpha: 0.3, beta: 0, gamma: 0.2, phi: 1, period: 7 });
    const expected = Array.from({ length: 14 }, (_, i) => 10 + (season[(70 + i) % 7] ?? 0));
    f?.forecast(14).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 9));
  });

  it('needs two seasons of observed days', () => {
    expect(
      holtWinters([1, 2, 3, null, 5, 6, 7, 8], { alpha: 0.5, beta: 0, gamma: 0.5, phi: 1, period: 4 }),
    ).toBeNull();
  });
});

describe('Croston, SBA and TSB', () => {
  it('Croston smooths sizes and intervals at demand periods only', () => {
    // first demand 4 at day 3: z = 4, p = 3; 2 after 2 days: z = 3, p = 2.5;
    // 6 after 4 days: z = 4.5, p = 3.25 -> 4.5 / 3.25
    const s = [0, 0, 4, 0, 2, 0, 0, 0, 6];
    expect(croston(s, 0.5, 'classic').forecast(1)[0]).toBeCloseTo(4.5 / 3.25, 12);
    // SBA: × (1 - α/2)
    expect(croston(s, 0.5, 'sba').forecast(1)[0]).toBeCloseTo((0.75 * 4.5) / 3.25, 12);
  });

  it('does not count censored days in the interval', () => {
    // 4 at day 3, censored day, 2 one observed day later: p = 3 + .5(1 - 3) = 2, z = 3
    expect(croston([0, 0, 4, null, 2], 0.5, 'classic').forecast(1)[0]).toBeCloseTo(1.5, 12);
    expect(croston([0, 0, 4, 0, 2], 0.5, 'classic').forecast(1)[0]).toBeCloseTo(3 / 2.5, 12);
  });

  it('TSB updates the probability every period and the size on demand', () => {
    // p0 = 2/3, z0 = 3; y=2: p = 5/6, z = 2.5; y=0: p = 5/12; y=4: p = 17/24, z = 3.25
    const f = tsb([2, 0, 4], 0.5, 0.5);
    expect(f.forecast(1)[0]).toBeCloseTo((17 / 24) * 3.25, 12);
    // demand stops: the forecast decays, Croston's does not
    const dead = [3, 0, 3, 0, 3, ...new Array<number>(30).fill(0)];
    expect(tsb(dead, 0.2, 0.2).forecast(1)[0]).toBeLessThan(0.01);
    expect(croston(dead, 0.2, 'sba').forecast(1)[0]).toBeGreaterThan(1);
  });
});

describe('seasonal naive', () => {
  it('repeats the last season, censored days from the season before', () => {
    expect(seasonalNaive([1, 2, 3, 4, 5, 6], 3).forecast(4)).toEqual([4, 5, 6, 4]);
    expect(seasonalNaive([1, 2, 3, 4, null, 6], 3).forecast(4)).toEqual([4, 2, 6, 4]);
  });
});

describe('scaled errors and coverage', () => {
  it('MASE and RMSSE by hand', () => {
    // in-sample seasonal naive (m=3) errors 0, 0, 0, 1: MAE .25, MSE .25
    const scale = naiveScale([1, 2, 3, 1, 2, 3, 2], 3);
    expect(scale).toEqual({ mae: 0.25, mse: 0.25 });
    const e = scaledErrors([2, 2, null], [1, 3, 100], scale);
    expect(e).toEqual({ mase: 4, rmsse: 2, n: 2 });
    expect(coverage([1, 5, null], [0, 0, 0], [2, 2, 2])).toEqual({ inside: 1, n: 2 });
  });

  it('quantile type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.05)).toBeCloseTo(1.15, 12);
  });
});

describe('forecastSeries', () => {
  it('chooses the method of the class and brackets the forecast', () => {
    const [smooth] = simulate({ seed: 3, smooth: 1, intermittent: 0, lumpy: 0 });
    const f = forecastSeries(smooth?.sales ?? [], { horizon: 28 });
    expect(f.classification.class).toBe('smooth');
    expect(['holt-winters', 'ses']).toContain(f.method);
    for (let h = 0; h < 28; h++) {
      expect(f.lower[h]).toBeLessThanOrEqual(f.mean[h] ?? Number.NaN);
      expect(f.upper[h]).toBeGreaterThanOrEqual(f.mean[h] ?? Number.NaN);
      expect(f.lower[h]).toBeGreaterThanOrEqual(0);
    }
    const inter = forecastSeries([0, 0, 2, 0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 2], { horizon: 7 });
    expect(inter.classification.class).toBe('intermittent');
    expect(inter.method).toBe('croston-sba');
    const lumpy = forecastSeries([0, 0, 1, 0, 0, 0, 12, 0, 0, 2, 0, 0, 0, 0, 30, 0, 0, 1], { horizon: 7 });
    expect(lumpy.method).toBe('tsb');
    expect(forecastSeries([0, 0, null, 0]).mean.every((v) => v === 0)).toBe(true);
  });

  it('weekly totals sum the days', () => {
    const f = forecastSeries([1, 2, 3, 1, 2, 3, 2, 1, 2, 3, 1, 2, 3, 2, 2], { horizon: 14 });
    const w = weekly(f);
    expect(w.mean).toHaveLength(2);
    expect(w.mean[0]).toBeCloseTo(
      f.mean.slice(0, 7).reduce((a, b) => a + b, 0),
      9,
    );
  });

  it('covers about 90 % of held-out smooth demand', () => {
    let inside = 0;
    let n = 0;
    for (const s of simulate({ seed: 11, smooth: 20, intermittent: 0, lumpy: 0 })) {
      const train = s.sales.slice(0, 500);
      const f = forecastSeries(train, { horizon: 28 });
      const c = coverage(s.sales.slice(500, 528), f.lower, f.upper);
      inside += c.inside;
      n += c.n;
    }
    expect(inside / n).toBeGreaterThan(0.82);
    expect(inside / n).toBeLessThan(0.97);
  });
});
