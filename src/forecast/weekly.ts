/**
 * Weekly demand series from the daily ones: 7-day buckets that end on the last day of history, so
 * forecast week k is days k·7 .. k·7 + 6 after the as-of day (week 1 starts on the as-of day).
 * Pure.
 *
 * Censoring carries over: a week's value is its observed days' demand scaled to 7 days
 * (Σ observed · 7 / observed days) when at least `minObserved` of its days were observed, and the
 * week is censored (null) otherwise. A partial week at the start of the history (fewer than 7
 * days) is dropped.
 */
import type { DailySeries } from './series.js';

export const WEEK = 7;

/** Observed days a week needs to count (else it is censored). */
export const MIN_OBSERVED_DAYS = 4;

export interface WeeklySeries {
  /** Days at the start of the daily series left out (the partial first week). */
  readonly offset: number;
  /** One value per week, null = censored. */
  readonly series: readonly (number | null)[];
  /** Weeks left out as censored. */
  readonly censoredWeeks: number;
}

export function weeklySeries(daily: DailySeries, minObserved = MIN_OBSERVED_DAYS): WeeklySeries {
  const weeks = Math.floor(daily.length / WEEK);
  const offset = daily.length - weeks * WEEK;
  const series: (number | null)[] = [];
  let censoredWeeks = 0;
  for (let w = 0; w < weeks; w++) {
    let sum = 0;
    let observed = 0;
    for (let d = offset + w * WEEK; d < offset + (w + 1) * WEEK; d++) {
      const v = daily[d];
      if (v === null || v === undefined) continue;
      sum += v;
      observed++;
    }
    if (observed < minObserved) {
      series.push(null);
      censoredWeeks++;
    } else series.push(observed === WEEK ? sum : (sum * WEEK) / observed);
  }
  return { offset, series, censoredWeeks };
}

/** Weeks ahead that cover a horizon of `days` days. */
export const weeksAhead = (days: number): number => Math.ceil(days / WEEK);
