/**
 * The custody-path learner as it was before the incremental one (main at 5e42781,
 * src/intelligence/integrity/custody.ts `learnCustody`), frozen: every event in memory, in time
 * order across serials. The oracle of test/intelligence/custody-learner.test.ts — not used by
 * idocgate.
 */
import type { CustodyEvent, CustodyModel } from '../../src/intelligence/integrity/custody.js';
import type { Movement } from '../../src/ledger/serials/types.js';

const DAY = 86_400_000;
const ARRIVALS = new Set<Movement>(['received', 'returned', 'back-from-vendor', 'initial-load']);
const DEPARTS = new Set<Movement>(['shipped', 'transferred', 'out-to-vendor']);

type Via = 'stock' | 'transit' | 'announced' | 'vendor' | 'gone';
interface Position {
  readonly via: Via;
  /** Where the unit is (stock, vendor: the site it left for the vendor; announced: the DC). */
  readonly at: string | null;
  /** Where it is headed (transit, announced). */
  readonly dest: string | null;
  readonly since: number;
}

const key = (e: CustodyEvent): string => `${e.material}\u0000${e.serial}`;

/** The site an event happens at: arrivals at their receiving site, the rest where they leave from. */
function siteOf(e: CustodyEvent): string | null {
  return ARRIVALS.has(e.movement) ? (e.toSite ?? e.fromSite) : (e.fromSite ?? e.toSite);
}

function after(pos: Position | undefined, e: CustodyEvent, site: string | null): Position | undefined {
  const t = e.eventTime.getTime();
  switch (e.movement) {
    case 'announced':
      return pos ?? { via: 'announced', at: e.fromSite, dest: e.toSite, since: t };
    case 'packed':
    case 'other':
      return pos;
    case 'reversal':
      return undefined;
    case 'shipped':
      return { via: 'transit', at: e.fromSite, dest: e.toSite, since: t };
    case 'transferred':
      return { via: 'stock', at: e.toSite ?? e.fromSite, dest: null, since: t };
    case 'out-to-vendor':
      return { via: 'vendor', at: site, dest: null, since: t };
    case 'issued':
    case 'scrapped':
    case 'returned-to-vendor':
      return { via: 'gone', at: site, dest: null, since: t };
    default:
      return { via: 'stock', at: site, dest: null, since: t };
  }
}

function sortEvents(events: readonly CustodyEvent[]): CustodyEvent[] {
  return [...events].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id);
}

/** Learns the model from the events up to `until` (deliveries: delivery -> destination site). */
export function learnCustodyBefore(
  events: readonly CustodyEvent[],
  options: { readonly until: Date; readonly threshold?: number; readonly alpha?: number },
): CustodyModel {
  const until = options.until.getTime();
  const moves: Record<string, Record<string, number>> = {};
  const sites = new Set<string>();
  const announced = new Map<string, Set<string>>();
  const received = new Map<string, Set<string>>();
  const pos = new Map<string, Position>();
  let stockDays = 0;
  let departures = 0;
  for (const e of sortEvents(events)) {
    const t = e.eventTime.getTime();
    if (t > until) break;
    for (const s of [e.fromSite, e.toSite]) if (s !== null) sites.add(s);
    if (e.delivery !== null && e.movement === 'announced') {
      const set = announced.get(e.delivery) ?? new Set<string>();
      set.add(key(e));
      announced.set(e.delivery, set);
    }
    if (e.delivery !== null && e.movement === 'received') {
      const set = received.get(e.delivery) ?? new Set<string>();
      set.add(key(e));
      received.set(e.delivery, set);
    }
    if (
      (e.movement === 'shipped' || e.movement === 'transferred') &&
      e.fromSite !== null &&
      e.toSite !== null
    ) {
      const row = (moves[e.fromSite] ??= {});
      row[e.toSite] = (row[e.toSite] ?? 0) + 1;
    }
    const k = key(e);
    const before = pos.get(k);
    if (before?.via === 'stock') {
      stockDays += (t - before.since) / DAY;
      if (DEPARTS.has(e.movement)) departures++;
    }
    const next = after(before, e, siteOf(e));
    if (next === undefined) pos.delete(k);
    else pos.set(k, next);
  }
  for (const p of pos.values()) if (p.via === 'stock') stockDays += Math.max(0, until - p.since) / DAY;
  let expected = 0;
  let got = 0;
  for (const [d, set] of received) {
    const a = announced.get(d);
    if (a === undefined) continue;
    expected += a.size;
    for (const s of a) if (set.has(s)) got++;
  }
  const miss = expected > 0 ? Math.min(0.5, Math.max(0.001, 1 - got / expected)) : 0.05;
  return {
    version: 1,
    trainedUntil: options.until.toISOString(),
    sites: [...sites].sort(),
    moves,
    miss,
    lambdaPerDay: stockDays > 0 ? (departures + 1) / (stockDays + 1) : 0.01,
    alpha: options.alpha ?? 1,
    threshold: options.threshold ?? 3e-3,
  };
}
