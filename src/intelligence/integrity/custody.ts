/**
 * Custody-path likelihood: how probable is a serial's observed path if it is ONE unit whose
 * scans are sometimes missed? Learned from the serial ledger's history (no labels):
 *
 *   miss        the scan miss rate: the share of the serials announced on deliveries the store
 *               scanned (at least in part) that no receipt of that delivery names
 *   lambda      moves per unit and day in stock (transfers and repairs departing a site)
 *   P(X | Y)    where a unit that leaves site Y goes (shipments, transfers), Dirichlet-smoothed
 *               (alpha spread evenly over the known sites)
 *
 * Replaying a serial's events, an event at the site where the unit is (or is headed) costs
 * nothing; an event elsewhere is a *jump*: a single unit explains it only by a move whose scan
 * was missed, with probability miss x (1 - e^(-lambda dt)) x P(X | Y) (dt: time since the unit
 * was last seen; a receipt against a delivery at a store other than the delivery's destination
 * needs the receipt at the destination missed as well: one more factor miss). The serial is
 * flagged once the product of its jumps' probabilities falls below `threshold`: then two units
 * (a clone) or a diversion explain the path better than missed scans. A missed receipt followed
 * by activity at the destination costs only `miss` and is what missed reads normally look like;
 * a jump along a route stock often takes, after a long time in one place, is cheap too — which is
 * why this does not flag missed reads as the two-places rule does.
 */
import type { Movement } from '../../ledger/serials/types.js';

export interface CustodyEvent {
  readonly id: number;
  readonly material: string;
  readonly serial: string;
  readonly movement: Movement;
  readonly fromSite: string | null;
  readonly toSite: string | null;
  readonly delivery: string | null;
  readonly eventTime: Date;
  /** The message the event came from (the live rule's evidence). */
  readonly messageId?: string | null;
}

export interface CustodyModel {
  readonly version: 1;
  readonly trainedUntil: string;
  readonly sites: readonly string[];
  /** Observed moves: from -> to -> count. */
  readonly moves: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly miss: number;
  /** Moves per unit and day in stock. */
  readonly lambdaPerDay: number;
  readonly alpha: number;
  readonly threshold: number;
}

export interface CustodyJump {
  readonly eventId: number;
  readonly messageId?: string | null;
  readonly at: string;
  readonly from: string | null;
  readonly to: string;
  readonly kind: 'missed-receipt' | 'relocation' | 'wrong-destination';
  readonly probability: number;
}

export interface CustodyAlert {
  readonly material: string;
  readonly serial: string;
  readonly at: Date;
  readonly eventId: number;
  /** Probability of the path as one unit with missed scans (below the threshold). */
  readonly probability: number;
  readonly jumps: readonly CustodyJump[];
  readonly summary: string;
}

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

/** Learns the model incrementally: what `learnCustody` and the ledger's paged read feed. */
export interface CustodyLearner {
  /**
   * One serial event. The events of a serial come together (no other serial's event between
   * them) and in time order (event time, then id); events after `until` are skipped.
   */
  add(e: CustodyEvent): void;
  /** Events learned from so far (dated up to `until`). */
  readonly events: number;
  /** Largest id among them (0: none). */
  readonly lastEventId: number;
  /** The model from every event added (then the learner takes no more events). */
  model(): CustodyModel;
}

/**
 * The one implementation of the learning maths, serial by serial. What it holds besides the
 * model (sites, site x site move counts) does not grow with the serials: the serial being read
 * (its position and the deliveries it was announced on and received against), and per delivery
 * the number of serials announced on it and whether anything was received against it (the miss
 * rate's denominator). Stock time is summed exactly in whole milliseconds (days + remainder),
 * so the model is the same whatever the order the serials come in (pages, cursors, one array).
 */
export function custodyLearner(options: {
  readonly until: Date;
  readonly threshold?: number;
  readonly alpha?: number;
}): CustodyLearner {
  const until = options.until.getTime();
  const moves: Record<string, Record<string, number>> = {};
  const sites = new Set<string>();
  /** delivery -> serials announced on it */
  const announcedOn = new Map<string, number>();
  /** deliveries something was received against */
  const receivedOn = new Set<string>();
  let got = 0;
  let stockWholeDays = 0;
  let stockRemMs = 0;
  let departures = 0;
  let events = 0;
  let lastEventId = 0;
  // the serial being read
  let current: string | undefined;
  let lastTime = Number.NEGATIVE_INFINITY;
  let lastId = Number.NEGATIVE_INFINITY;
  let pos: Position | undefined;
  let stockMs = 0;
  let announced = new Set<string>();
  let received = new Set<string>();
  let learned: CustodyModel | undefined;

  const addStockMs = (msInStock: number): void => {
    const whole = Math.floor(msInStock / DAY);
    stockWholeDays += whole;
    stockRemMs += msInStock - whole * DAY;
    if (stockRemMs >= DAY) {
      stockRemMs -= DAY;
      stockWholeDays++;
    }
  };
  const closeSerial = (): void => {
    if (current === undefined) return;
    if (pos?.via === 'stock') stockMs += Math.max(0, until - pos.since);
    addStockMs(stockMs);
    for (const d of announced) {
      announcedOn.set(d, (announcedOn.get(d) ?? 0) + 1);
      if (received.has(d)) got++;
    }
    for (const d of received) receivedOn.add(d);
    current = undefined;
    pos = undefined;
    stockMs = 0;
    announced = new Set();
    received = new Set();
  };

  return {
    add(e) {
      if (learned !== undefined) throw new Error('custody learner: the model is learned, no more events');
      const t = e.eventTime.getTime();
      if (!Number.isFinite(t)) throw new Error(`custody learner: serial event ${e.id} has no valid time`);
      if (t > until) return;
      const k = key(e);
      if (k !== current) {
        closeSerial();
        current = k;
      } else if (t < lastTime || (t === lastTime && e.id <= lastId))
        throw new Error(
          `custody learner: serial ${e.serial} (material ${e.material}): event ${e.id} (${e.eventTime.toISOString()}) comes after event ${lastId} (${new Date(lastTime).toISOString()}), out of time order`,
        );
      lastTime = t;
      lastId = e.id;
      events++;
      if (e.id > lastEventId) lastEventId = e.id;
      for (const s of [e.fromSite, e.toSite]) if (s !== null) sites.add(s);
      if (e.delivery !== null && e.movement === 'announced') announced.add(e.delivery);
      if (e.delivery !== null && e.movement === 'received') received.add(e.delivery);
      if (
        (e.movement === 'shipped' || e.movement === 'transferred') &&
        e.fromSite !== null &&
        e.toSite !== null
      ) {
        const row = (moves[e.fromSite] ??= {});
        row[e.toSite] = (row[e.toSite] ?? 0) + 1;
      }
      if (pos?.via === 'stock') {
        stockMs += t - pos.since;
        if (DEPARTS.has(e.movement)) departures++;
      }
      pos = after(pos, e, siteOf(e));
    },
    get events() {
      return events;
    },
    get lastEventId() {
      return lastEventId;
    },
    model() {
      if (learned !== undefined) return learned;
      closeSerial();
      let expected = 0;
      for (const d of receivedOn) expected += announcedOn.get(d) ?? 0;
      const miss = expected > 0 ? Math.min(0.5, Math.max(0.001, 1 - got / expected)) : 0.05;
      const stockDays = stockWholeDays + stockRemMs / DAY;
      const sortedMoves: Record<string, Record<string, number>> = {};
      for (const [from, row] of Object.entries(moves).sort(([x], [y]) => (x < y ? -1 : 1)))
        sortedMoves[from] = Object.fromEntries(Object.entries(row).sort(([x], [y]) => (x < y ? -1 : 1)));
      learned = {
        version: 1,
        trainedUntil: options.until.toISOString(),
        sites: [...sites].sort(),
        moves: sortedMoves,
        miss,
        lambdaPerDay: stockDays > 0 ? (departures + 1) / (stockDays + 1) : 0.01,
        alpha: options.alpha ?? 1,
        threshold: options.threshold ?? 3e-3,
      };
      return learned;
    },
  };
}

/**
 * Learns the model from the events up to `until` (any order: they are read serial by serial
 * through the same learner as the ledger's paged read).
 */
export function learnCustody(
  events: readonly CustodyEvent[],
  options: { readonly until: Date; readonly threshold?: number; readonly alpha?: number },
): CustodyModel {
  const learner = custodyLearner(options);
  const bySerial = [...events].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id;
  });
  for (const e of bySerial) learner.add(e);
  return learner.model();
}

function route(model: CustodyModel, from: string | null, to: string): number {
  const k = Math.max(model.sites.length, 1);
  const row = from === null ? undefined : model.moves[from];
  const n = row === undefined ? 0 : Object.values(row).reduce((a, b) => a + b, 0);
  return ((row?.[to] ?? 0) + model.alpha / k) / (n + model.alpha);
}

/**
 * Replays every serial's events (all of them, in time order) and returns one alert per serial
 * whose path probability falls below the threshold at an event dated `from` or later.
 * `destinations`: delivery -> destination site (the serial ledger's deliveries).
 */
export function scoreCustody(
  model: CustodyModel,
  events: readonly CustodyEvent[],
  destinations: ReadonlyMap<string, string | null>,
  options: {
    readonly from?: Date;
    /** Only alert at events with a larger id (the live rule: events since its last sweep). */
    readonly afterEventId?: number;
  } = {},
): CustodyAlert[] {
  const from = options.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const afterId = options.afterEventId ?? Number.NEGATIVE_INFINITY;
  const logThreshold = Math.log(model.threshold);
  const pos = new Map<string, Position>();
  const logp = new Map<string, number>();
  const jumps = new Map<string, CustodyJump[]>();
  const alerted = new Set<string>();
  const alerts: CustodyAlert[] = [];
  const moved = (dtMs: number): number => 1 - Math.exp((-model.lambdaPerDay * Math.max(dtMs, 0)) / DAY);
  for (const e of sortEvents(events)) {
    const k = key(e);
    const before = pos.get(k);
    const site = siteOf(e);
    const t = e.eventTime.getTime();
    let jump: CustodyJump | undefined;
    const mk = (kind: CustodyJump['kind'], fromSite: string | null, p: number): CustodyJump => ({
      eventId: e.id,
      ...(e.messageId !== undefined ? { messageId: e.messageId } : {}),
      at: e.eventTime.toISOString(),
      from: fromSite,
      to: site ?? '',
      kind,
      probability: p,
    });
    if (
      before !== undefined &&
      site !== null &&
      e.movement !== 'announced' &&
      e.movement !== 'packed' &&
      e.movement !== 'other' &&
      e.movement !== 'reversal'
    ) {
      const dt = t - before.since;
      const dest =
        e.movement === 'received' && e.delivery !== null ? destinations.get(e.delivery) : undefined;
      if (dest !== undefined && dest !== null && dest !== site) {
        jump = mk('wrong-destination', dest, model.miss * model.miss * moved(dt) * route(model, dest, site));
      } else if (before.via === 'transit' || before.via === 'announced') {
        if (site === before.dest) {
          if (!ARRIVALS.has(e.movement)) jump = mk('missed-receipt', before.dest, model.miss);
        } else if (!(before.via === 'announced' && site === before.at))
          jump = mk('relocation', before.dest, model.miss * moved(dt) * route(model, before.dest, site));
      } else if (site !== before.at) {
        jump = mk('relocation', before.at, model.miss * moved(dt) * route(model, before.at, site));
      } else if (before.via === 'vendor' && e.movement !== 'back-from-vendor') {
        jump = mk('missed-receipt', before.at, model.miss);
      }
    }
    if (jump !== undefined) {
      const lp = (logp.get(k) ?? 0) + Math.log(Math.max(jump.probability, 1e-300));
      logp.set(k, lp);
      const list = jumps.get(k) ?? [];
      list.push(jump);
      jumps.set(k, list);
      if (lp < logThreshold && t >= from && e.id > afterId && !alerted.has(k)) {
        alerted.add(k);
        const p = Math.exp(lp);
        alerts.push({
          material: e.material,
          serial: e.serial,
          at: e.eventTime,
          eventId: e.id,
          probability: p,
          jumps: list,
          summary: `Serial ${e.serial} (material ${e.material}) was seen at ${site ?? 'an unknown site'} (${e.movement}); as one unit with missed scans its path has probability ${p.toExponential(1)} (threshold ${model.threshold}): ${list.map((j) => `${j.kind} ${j.from ?? '?'} -> ${j.to}`).join(', ')}`,
        });
      }
    }
    const next = after(before, e, site);
    if (next === undefined) pos.delete(k);
    else pos.set(k, next);
  }
  return alerts;
}
