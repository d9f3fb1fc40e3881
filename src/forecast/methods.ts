/**
 * The forecast methods, each small and pure: simple exponential smoothing, additive Holt-Winters
 * (optionally damped trend, weekly season), Croston (classic and SBA), TSB and seasonal naive.
 *
 * Every fit returns the one-step-ahead in-sample forecasts (for residuals and model choice), the
 * point forecasts for h days after the last day, and a horizon factor for the interval width.
 * Censored days (null) do not update any state: the model carries its forecast over them.
 */
import { mean, observed, type DailySeries } from './series.js';

export const METHODS = [
  'ses',
  'holt-winters',
  'croston',
  'croston-sba',
  'tsb',
  'seasonal-naive',
  'zero',
] as const;
export type MethodName = (typeof METHODS)[number];

export interface Fit {
  readonly method: MethodName;
  /** Smoothing parameters used (alpha, beta, gamma, phi, ...). */
  readonly params: Readonly<Record<string, number>>;
  /** One-step-ahead forecast made before each day (null before the model has started). */
  readonly fitted: readonly (number | null)[];
  /** Point forecasts for days 1..h after the last day. */
  forecast(h: number): number[];
  /** Interval width multiplier at horizon h (1 at h = 1). */
  horizonFactor(h: number): number;
  /** Number of estimated parameters and initial states (for AIC). */
  readonly k: number;
}

/** Sum of squared one-step errors over observed days where the model had a forecast. */
export function sse(series: DailySeries, fitted: readonly (number | null)[]): { sse: number; n: number } {
  let s = 0;
  let n = 0;
  for (let t = 0; t < series.length; t++) {
    const y = series[t];
    const f = fitted[t];
    if (y === null || y === undefined || f === null || f === undefined) continue;
    s += (y - f) ** 2;
    n++;
  }
  return { sse: s, n };
}

/**
 * Simple exponential smoothing, ETS(A,N,N): l_t = α y_t + (1-α) l_{t-1}, forecast l_T.
 * The level starts at the first observed value (Hyndman & Athanasopoulos, FPP3 §8.1).
 */
export function ses(series: DailySeries, alpha: number): Fit {
  const fitted: (number | null)[] = [];
  let level: number | null = null;
  for (const y of series) {
    fitted.push(level);
    if (y === null) continue;
    level = level === null ? y : alpha * y + (1 - alpha) * level;
  }
  const l = level ?? 0;
  return {
    method: 'ses',
    params: { alpha },
    fitted,
    forecast: (h) => Array.from({ length: h }, () => l),
    horizonFactor: (h) => Math.sqrt(1 + (h - 1) * alpha * alpha),
    k: 2,
  };
}

export interface HoltWintersParams {
  readonly alpha: number;
  /** 0 = no trend. */
  readonly beta: number;
  readonly gamma: number;
  /** Damping of the trend (1 = undamped). */
  readonly phi: number;
  readonly period: number;
}

/**
 * Additive Holt-Winters, ETS(A,Ad,A) (FPP3 §8.3):
 *   l_t = α (y_t - s_{t-m}) + (1-α)(l_{t-1} + φ b_{t-1})
 *   b_t = β (l_t - l_{t-1}) + (1-β) φ b_{t-1}
 *   s_t = γ (y_t - l_{t-1} - φ b_{t-1}) + (1-γ) s_{t-m}
 *   ŷ_{T+h} = l_T + (φ + … + φ^h) b_T + s_{T+h-m(k+1)}
 * Initial states from the first two seasons of observed days: the level is the mean of the
 * first season, the trend the difference of the two seasons' means over m, the season indices
 * the first season's deviations from its mean. Needs 2m observed days.
 */
export function holtWinters(series: DailySeries, p: HoltWintersParams): Fit | null {
  const m = p.period;
  // first 2m days with observations (by calendar position, so the weekday stays right)
  const idx: number[] = [];
  for (let t = 0; t < series.length && idx.length < 2 * m; t++) if (series[t] !== null) idx.push(t);
  if (idx.length < 2 * m) return null;
  const season = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  const first = idx.slice(0, m).map((t) => series[t] as number);
  const second = idx.slice(m).map((t) => series[t] as number);
  let level = mean(first);
  let trend = p.beta > 0 ? (mean(second) - mean(first)) / m : 0;
  for (const t of idx.slice(0, m)) {
    const pos = t % m;
    season[pos] = (season[pos] ?? 0) + ((series[t] as number) - level);
    counts[pos] = (counts[pos] ?? 0) + 1;
  }
  for (let i = 0; i < m; i++) season[i] = (counts[i] ?? 0) > 0 ? (season[i] ?? 0) / (counts[i] ?? 1) : 0;
  // the level estimated from the first season sits at its middle: start the recursion at day 0
  // with level moved back by half a season of trend
  level -= trend * ((m - 1) / 2);
  const fitted: (number | null)[] = [];
  for (let t = 0; t < series.length; t++) {
    const pos = t % m;
    const s = season[pos] ?? 0;
    const f = level + p.phi * trend + s;
    fitted.push(t < m ? null : f);
    const y = series[t];
    const prevLevel = level;
    const prevTrend = trend;
    if (y === null || y === undefined) {
      level = level + p.phi * trend;
      trend = p.phi * trend;
      continue;
    }
    level = p.alpha * (y - s) + (1 - p.alpha) * (prevLevel + p.phi * prevTrend);
    trend = p.beta > 0 ? p.beta * (level - prevLevel) + (1 - p.beta) * p.phi * prevTrend : 0;
    season[pos] = p.gamma * (y - prevLevel - p.phi * prevTrend) + (1 - p.gamma) * s;
  }
  const n = series.length;
  const L = level;
  const B = trend;
  const S = [...season];
  return {
    method: 'holt-winters',
    params: { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi, period: m },
    fitted,
    forecast: (h) => {
      const out: number[] = [];
      let damp = 0;
      let ph = 1;
      for (let i = 1; i <= h; i++) {
        ph *= p.phi;
        damp += ph;
        out.push(L + damp * B + (S[(n + i - 1) % m] ?? 0));
      }
      return out;
    },
    // ETS(A,N,A) variance factor for h ≤ m: 1 + (h-1) α² (trend and season terms are small here)
    horizonFactor: (h) => Math.sqrt(1 + (h - 1) * p.alpha * p.alpha),
    k: 2 + (p.beta > 0 ? 3 : 0) + 1 + m,
  };
}

/**
 * Croston (1972): smooth the non-zero demand sizes z and the intervals q between them
 * separately, updating only in periods with demand; forecast z / p. SBA (Syntetos & Boylan
 * 2005) multiplies by (1 - α/2) to remove Croston's bias. Starts with the first demand: z₀ = its
 * size, p₀ = its position (1-based, in observed days). Censored days are not counted in the
 * intervals (the site could not sell).
 */
export function croston(series: DailySeries, alpha: number, variant: 'classic' | 'sba'): Fit {
  const fitted: (number | null)[] = [];
  let z: number | null = null;
  let p = 0;
  let q = 0; // observed days since the last demand
  const factor = variant === 'sba' ? 1 - alpha / 2 : 1;
  for (const y of series) {
    fitted.push(z === null ? null : (factor * z) / p);
    if (y === null) continue;
    q++;
    if (y > 0) {
      if (z === null) {
        z = y;
        p = q;
      } else {
        z = z + alpha * (y - z);
        p = p + alpha * (q - p);
      }
      q = 0;
    }
  }
  const f = z === null ? 0 : (factor * z) / p;
  return {
    method: variant === 'sba' ? 'croston-sba' : 'croston',
    params: { alpha },
    fitted,
    forecast: (h) => Array.from({ length: h }, () => f),
    horizonFactor: () => 1,
    k: 3,
  };
}

/**
 * TSB (Teunter, Syntetos & Babai 2011): smooth the demand probability p every period
 * (p ← p + β(1[y>0] - p)) and the size z in periods with demand (z ← z + α(y - z)); forecast p·z.
 * Unlike Croston the forecast decays when demand stops (obsolescence). Initial p = share of
 * observed days with demand, z = mean non-zero size.
 */
export function tsb(series: DailySeries, alpha: number, beta: number): Fit {
  const obs = observed(series);
  const sizes = obs.filter((v) => v > 0);
  let p = obs.length === 0 ? 0 : sizes.length / obs.length;
  let z = mean(sizes);
  const fitted: (number | null)[] = [];
  for (const y of series) {
    fitted.push(p * z);
    if (y === null) continue;
    if (y > 0) {
      p = p + beta * (1 - p);
      z = z + alpha * (y - z);
    } else {
      p = p - beta * p;
    }
  }
  const f = p * z;
  return {
    method: 'tsb',
    params: { alpha, beta },
    fitted,
    forecast: (h) => Array.from({ length: h }, () => f),
    horizonFactor: () => 1,
    k: 4,
  };
}

/**
 * Seasonal naive: the value of the same weekday one season earlier, ŷ_{T+h} = y_{T+h-m(k+1)}.
 * Censored days take the last observed value of the same position in the season.
 */
export function seasonalNaive(series: DailySeries, period = 7): Fit {
  const last = new Array<number | null>(period).fill(null);
  const fitted: (number | null)[] = [];
  for (let t = 0; t < series.length; t++) {
    fitted.push(last[t % period] ?? null);
    const y = series[t];
    if (y !== null && y !== undefined) last[t % period] = y;
  }
  const n = series.length;
  return {
    method: 'seasonal-naive',
    params: { period },
    fitted,
    forecast: (h) => Array.from({ length: h }, (_, i) => last[(n + i) % period] ?? 0),
    horizonFactor: (h) => Math.sqrt(Math.floor((h - 1) / period) + 1),
    k: 0,
  };
}

export function zeroFit(series: DailySeries): Fit {
  return {
    method: 'zero',
    params: {},
    fitted: series.map(() => 0),
    forecast: (h) => new Array<number>(h).fill(0),
    horizonFactor: () => 1,
    k: 0,
  };
}
