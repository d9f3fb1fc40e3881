/**
 * Daily demand per article × site from serial ledger events, and the stock on hand per day that
 * decides which days are censored. Pure: the events come in (one serial's events in time order),
 * series come out.
 *
 * - Demand of a day = units issued at the site that day (movement `issued`: sales 601, goods
 *   issues to customers, 201/261 consumption), by the event's site (from_site, else where the
 *   serial was).
 * - Stock on hand: a serial counts at a site while its state is `in-stock` there. Each event
 *   moves the serial from where it was to where its state after the event puts it (the same
 *   rules as the ledger's state machine: in-stock at to_site, else from_site, else unchanged).
 * - Censored day: no issue at the site that day AND the site had no unit of the article at any
 *   time of the day (nothing at the start of the day and nothing arrived). A day with a sale is
 *   never censored, even when the sale emptied the shelf.
 *
 * Days are UTC calendar days (YYYY-MM-DD).
 */
import type { DailySeries } from './series.js';

/** One serial event as the demand needs it. */
export interface LedgerMovement {
  readonly material: string;
  readonly serial: string;
  readonly movement: string;
  readonly fromSite: string | null;
  readonly toSite: string | null;
  readonly stateAfter: string;
  readonly eventTime: Date;
}

export interface DemandSeries {
  readonly material: string;
  readonly site: string;
  /** First day of the series (YYYY-MM-DD). */
  readonly start: string;
  /** Units issued per day. */
  readonly issues: readonly number[];
  /** Units on hand at the end of each day. */
  readonly onHand: readonly number[];
  /** True where the day is censored (no stock all day and no issue). */
  readonly censored: readonly boolean[];
}

const DAY = 86_400_000;

export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY));
}

function dayIndex(day: string, start: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY);
}

/** The series values for the forecast: issues, null on censored days. */
export function toSeries(d: DemandSeries, censor = true): DailySeries {
  return d.issues.map((v, i) => (censor && d.censored[i] ? null : v));
}

interface Acc {
  issues: Map<number, number>;
  delta: Map<number, number>;
  arrivals: Set<number>;
}

/**
 * Builds the daily series of every (material, site) with at least one issue, from `startDay`
 * to `endDay` inclusive. `movements` must be ordered by material, serial, event time (and id):
 * each serial's site is tracked through its events. Stock before `startDay` counts as the
 * opening stock of the first day.
 */
export function buildDemand(
  movements: Iterable<LedgerMovement>,
  startDay: string,
  endDay: string,
): DemandSeries[] {
  const days = dayIndex(endDay, startDay) + 1;
  if (days <= 0) return [];
  const acc = new Map<string, Acc>();
  const get = (material: string, site: string): Acc => {
    const k = `${material}\u0000${site}`;
    let a = acc.get(k);
    if (a === undefined) {
      a = { issues: new Map(), delta: new Map(), arrivals: new Set() };
      acc.set(k, a);
    }
    return a;
  };
  const hasIssues = new Set<string>();
  let serialKey = '';
  let site: string | null = null; // where the current serial is in stock (null: not in stock)
  for (const m of movements) {
    const key = `${m.material}\u0000${m.serial}`;
    if (key !== serialKey) {
      serialKey = key;
      site = null;
    }
    const raw = dayIndex(dayOf(m.eventTime), startDay);
    if (raw >= days) continue;
    const idx = Math.max(0, raw); // before the window: part of the opening stock
    const inWindow = raw >= 0;
    const after: string | null =
      m.stateAfter === 'in-stock'
        ? m.movement === 'packed' || m.movement === 'announced' || m.movement === 'other'
          ? (site ?? m.toSite ?? m.fromSite)
          : (m.toSite ?? m.fromSite ?? site)
        : null;
    if (m.movement === 'issued' && inWindow) {
      const at = m.fromSite ?? site;
      if (at !== null) {
        const a = get(m.material, at);
        a.issues.set(idx, (a.issues.get(idx) ?? 0) + 1);
        hasIssues.add(`${m.material}\u0000${at}`);
      }
    }
    if (after !== site) {
      if (site !== null) {
        const a = get(m.material, site);
        a.delta.set(idx, (a.delta.get(idx) ?? 0) - 1);
      }
      if (after !== null) {
        const a = get(m.material, after);
        a.delta.set(idx, (a.delta.get(idx) ?? 0) + 1);
        if (inWindow) a.arrivals.add(idx);
      }
      site = after;
    }
  }
  const out: DemandSeries[] = [];
  const keys = [...hasIssues].sort();
  for (const k of keys) {
    const a = acc.get(k);
    if (a === undefined) continue;
    const [material = '', siteName = ''] = k.split('\u0000');
    const issues = new Array<number>(days).fill(0);
    const onHand = new Array<number>(days).fill(0);
    const censored = new Array<boolean>(days).fill(false);
    let stock = 0;
    for (let i = 0; i < days; i++) {
      const open = stock;
      stock += a.delta.get(i) ?? 0;
      issues[i] = a.issues.get(i) ?? 0;
      onHand[i] = stock;
      censored[i] = issues[i] === 0 && open <= 0 && !a.arrivals.has(i);
    }
    out.push({ material, site: siteName, start: startDay, issues, onHand, censored });
  }
  return out;
}

/** One day of observed demand, as the console plots it next to the forecast. */
export interface ActualDay {
  readonly day: string;
  readonly issued: number;
  readonly onHand: number;
  readonly censored: boolean;
}

/**
 * The observed days of one article at one site (`*`: all its sites added up; a day of the total
 * is censored only when every site's day is) from `buildDemand`'s series of that article.
 */
export function actualDays(demand: readonly DemandSeries[], material: string, site: string): ActualDay[] {
  const parts = demand.filter((d) => d.material === material && (site === '*' || d.site === site));
  const first = parts[0];
  if (first === undefined) return [];
  return first.issues.map((_, i) => ({
    day: addDays(first.start, i),
    issued: parts.reduce((a, d) => a + (d.issues[i] ?? 0), 0),
    onHand: parts.reduce((a, d) => a + (d.onHand[i] ?? 0), 0),
    censored: parts.every((d) => d.censored[i] === true),
  }));
}
