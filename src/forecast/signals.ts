/**
 * Stock signals per article × site from a forecast and the stock the ledger sees. Pure.
 *
 * - Lead time: goods issue at the origin → first receipt at the destination, per lane
 *   (origin → destination site), from the delivery ledger; p50, p90 and max in days.
 * - Order-up-to level S for a review period R and the lane's p90 lead time L: the 95 % quantile of
 *   demand over the L + R days ahead — Σ mean + √Σ(upper − mean)², the daily upper bounds of the
 *   forecast's 90 % interval being its 95 % quantiles, days taken as independent.
 * - Projected stock: on hand + in transit to the site − cumulative forecast mean; the stock-out
 *   day is the first day it falls below zero (null: not within the horizon).
 * - Overstock: on hand + in transit above the 95 % quantile of the whole horizon's demand.
 */
import { quantile } from './series.js';

export interface LeadTimeSample {
  /** The delivery measured (for the distribution's CSV); absent in hand-made samples. */
  readonly delivery?: string;
  readonly originSite: string;
  readonly destSite: string;
  readonly goodsIssueAt: Date;
  readonly firstReceiptAt: Date;
}

export interface LeadTime {
  readonly originSite: string;
  readonly destSite: string;
  readonly deliveries: number;
  readonly p50Days: number;
  readonly p90Days: number;
  readonly maxDays: number;
}

const DAY_MS = 86_400_000;

export function leadTimes(samples: readonly LeadTimeSample[]): LeadTime[] {
  const lanes = new Map<string, { o: string; d: string; days: number[] }>();
  for (const s of samples) {
    const days = (s.firstReceiptAt.getTime() - s.goodsIssueAt.getTime()) / DAY_MS;
    if (!(days >= 0)) continue; // a receipt before the goods issue is a data problem, not a lead time
    const k = `${s.originSite}\u0000${s.destSite}`;
    const l = lanes.get(k) ?? { o: s.originSite, d: s.destSite, days: [] };
    l.days.push(days);
    lanes.set(k, l);
  }
  return [...lanes.values()]
    .sort((a, b) => a.o.localeCompare(b.o) || a.d.localeCompare(b.d))
    .map((l) => ({
      originSite: l.o,
      destSite: l.d,
      deliveries: l.days.length,
      p50Days: quantile(l.days, 0.5),
      p90Days: quantile(l.days, 0.9),
      maxDays: Math.max(...l.days),
    }));
}

export interface SignalInput {
  readonly material: string;
  readonly site: string;
  /** First forecast day (YYYY-MM-DD). */
  readonly asOf: string;
  readonly mean: readonly number[];
  readonly upper: readonly number[];
  readonly onHand: number;
  readonly inTransit: number;
  /** Lead time into the site in days (p90 of its lane); null when never measured. */
  readonly leadTimeDays: number | null;
}

export interface StockSignal {
  readonly material: string;
  readonly site: string;
  readonly onHand: number;
  readonly inTransit: number;
  readonly leadTimeDays: number | null;
  /** Days covered by S (lead time + review period, at most the horizon). */
  readonly coverDays: number;
  readonly orderUpTo: number;
  /** S − (on hand + in transit), when positive: what to order now. */
  readonly suggestedOrder: number;
  /** First day the projected stock falls below zero, null if not within the horizon. */
  readonly stockOutDay: string | null;
  readonly overstock: boolean;
  /** Position above the horizon's 95 % demand quantile (0 when not overstocked). */
  readonly excess: number;
}

export interface SignalOptions {
  /** Days between orders (default 7). */
  readonly reviewDays?: number;
  /** Lead time to assume where a lane was never measured (default 2 days). */
  readonly defaultLeadTimeDays?: number;
}

function q95(mean: readonly number[], upper: readonly number[], days: number): number {
  let m = 0;
  let v = 0;
  for (let i = 0; i < Math.min(days, mean.length); i++) {
    const mi = mean[i] ?? 0;
    m += mi;
    v += ((upper[i] ?? mi) - mi) ** 2;
  }
  return m + Math.sqrt(v);
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function stockSignal(input: SignalInput, options: SignalOptions = {}): StockSignal {
  const lead = input.leadTimeDays ?? options.defaultLeadTimeDays ?? 2;
  const coverDays = Math.min(input.mean.length, Math.ceil(lead) + (options.reviewDays ?? 7));
  const orderUpTo = Math.ceil(q95(input.mean, input.upper, coverDays));
  const position = input.onHand + input.inTransit;
  let stock = position;
  let stockOutDay: string | null = null;
  for (let i = 0; i < input.mean.length; i++) {
    stock -= input.mean[i] ?? 0;
    if (stock < 0) {
      stockOutDay = addDays(input.asOf, i);
      break;
    }
  }
  const horizonQ = q95(input.mean, input.upper, input.mean.length);
  return {
    material: input.material,
    site: input.site,
    onHand: input.onHand,
    inTransit: input.inTransit,
    leadTimeDays: input.leadTimeDays,
    coverDays,
    orderUpTo,
    suggestedOrder: Math.max(0, orderUpTo - position),
    stockOutDay,
    overstock: position > horizonQ,
    excess: Math.max(0, position - Math.ceil(horizonQ)),
  };
}

/** One day of the projected stock of an article at a site. */
export interface ProjectionDay {
  readonly day: string;
  /** Forecast mean and the 95 % quantile (upper bound of the 90 % interval) of that day. */
  readonly mean: number;
  readonly upper: number;
  /** On hand + in transit − cumulative forecast mean up to and including the day. */
  readonly projected: number;
  /**
   * On hand + in transit − the 95 % quantile of the cumulative demand (Σ mean + √Σ(upper − mean)²):
   * the stock in a bad week, 1 time in 20 lower than this.
   */
  readonly projectedLow: number;
}

/** The day-by-day stock projection behind stockSignal's stock-out day (same rule, same inputs). */
export function stockProjection(input: SignalInput): ProjectionDay[] {
  const position = input.onHand + input.inTransit;
  const out: ProjectionDay[] = [];
  let m = 0;
  let v = 0;
  for (let i = 0; i < input.mean.length; i++) {
    const mi = input.mean[i] ?? 0;
    const ui = input.upper[i] ?? mi;
    m += mi;
    v += (ui - mi) ** 2;
    out.push({
      day: addDays(input.asOf, i),
      mean: mi,
      upper: ui,
      projected: position - m,
      projectedLow: position - (m + Math.sqrt(v)),
    });
  }
  return out;
}
