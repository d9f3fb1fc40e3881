/**
 * Forecast accuracy: scaled errors (Hyndman & Koehler 2006 MASE; RMSSE as in the M5 competition)
 * and interval coverage. The scale is the in-sample error of the seasonal naive forecast over
 * the training days (observed pairs only), so a method and the baseline are measured with the
 * same yardstick. Pure.
 */
import type { DailySeries } from './series.js';

export interface Scale {
  readonly mae: number;
  readonly mse: number;
}

/** In-sample seasonal-naive errors of the training series (pairs t, t-m both observed). */
export function naiveScale(train: DailySeries, period = 7): Scale {
  let a = 0;
  let s = 0;
  let n = 0;
  for (let t = period; t < train.length; t++) {
    const y = train[t];
    const y0 = train[t - period];
    if (y === null || y === undefined || y0 === null || y0 === undefined) continue;
    a += Math.abs(y - y0);
    s += (y - y0) ** 2;
    n++;
  }
  return n === 0 ? { mae: Number.NaN, mse: Number.NaN } : { mae: a / n, mse: s / n };
}

export interface Errors {
  readonly mase: number;
  readonly rmsse: number;
  /** Days counted (actual observed). */
  readonly n: number;
}

/** Scaled errors of `forecast` against `actual` (null actuals are skipped). */
export function scaledErrors(actual: DailySeries, forecast: readonly number[], scale: Scale): Errors {
  let a = 0;
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i];
    const f = forecast[i];
    if (y === null || y === undefined || f === undefined) continue;
    a += Math.abs(y - f);
    s += (y - f) ** 2;
    n++;
  }
  if (n === 0) return { mase: Number.NaN, rmsse: Number.NaN, n };
  return { mase: a / n / scale.mae, rmsse: Math.sqrt(s / n / scale.mse), n };
}

/** Share of observed actuals inside [lower, upper] (both ends included). */
export function coverage(
  actual: DailySeries,
  lower: readonly number[],
  upper: readonly number[],
): { inside: number; n: number } {
  let inside = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i];
    const lo = lower[i];
    const hi = upper[i];
    if (y === null || y === undefined || lo === undefined || hi === undefined) continue;
    if (y >= lo && y <= hi) inside++;
    n++;
  }
  return { inside, n };
}
