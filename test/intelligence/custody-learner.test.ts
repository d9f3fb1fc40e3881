/**
 * The custody-path learner, bounded in memory: fed serial by serial (one array, shuffled, the
 * ledger's keyset pages of any size on PGlite and PostgreSQL) it learns the same model, to the
 * bit (stock time is summed exactly in milliseconds), and on a history small enough to count by
 * hand it learns what the definitions in src/intelligence/integrity/custody.ts say. (When it
 * replaced the learner that held every event in memory, it was checked against that one on these
 * random histories: identical but for the last bits of the moves-per-day rate.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { custodyLearner, learnCustody, type CustodyEvent } from '../../src/intelligence/integrity/custody.js';
import { learnCustodyFromLedger } from '../../src/ledger/serials/rules/custody-path.js';
import { createRng } from '../../src/intelligence/simulator/rng.js';
import { MOVEMENTS, type Movement } from '../../src/ledger/serials/types.js';
import { loadCustodyEvents } from '../../src/store/analytics/intelligence-repo.js';
import { custodyPathPort } from '../../src/store/serials/custody-models.js';
import { backends } from '../store/backends.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';

const DAY = 86_400_000;
const START = Date.parse('2025-01-06T00:00:00Z');

/** The simulator's seeded generator (mulberry32), as a bare function. */
function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.next();
}

/**
 * Random serial histories: every movement kind, sites missing now and then, deliveries shared
 * between serials (announced on one, received by others), equal times, ids not in time order,
 * events after `until`.
 */
function randomEvents(seed: number, serials: number): CustodyEvent[] {
  const random = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const sites = ['DC01', 'DC02', 'S0123', 'S0124', 'S0200', 'S0201'];
  const site = (): string | null => (random() < 0.08 ? null : pick(sites));
  const out: CustodyEvent[] = [];
  const ids = new Set<number>();
  for (let s = 0; s < serials; s++) {
    const material = pick(['4711', '4712', '4713']);
    let t = START + Math.floor(random() * 20 * DAY);
    const n = 1 + Math.floor(random() * 12);
    // the delivery the serial is announced on and mostly received against
    const home = `8000${Math.floor(random() * 40)}`;
    for (let i = 0; i < n; i++) {
      // hours, sometimes the same time as the event before
      t += random() < 0.15 ? 0 : Math.floor(random() * 6 * DAY);
      let id: number;
      do id = 1 + Math.floor(random() * 10 * serials * 12);
      while (ids.has(id));
      ids.add(id);
      // most serials start announced, shipped, received (on `home`), then anything
      const start: readonly Movement[] = ['announced', 'shipped', random() < 0.8 ? 'received' : 'other'];
      const movement: Movement =
        i < start.length && random() < 0.9
          ? start[i]!
          : random() < 0.5
            ? pick(['announced', 'shipped', 'received', 'transferred'])
            : pick(MOVEMENTS);
      out.push({
        id,
        material,
        serial: `SN${String(s).padStart(6, '0')}`,
        movement,
        fromSite: site(),
        toSite: site(),
        delivery: random() < 0.1 ? null : i < 3 || random() < 0.5 ? home : `8000${Math.floor(random() * 40)}`,
        eventTime: new Date(t + Math.floor(random() * 1000)),
        messageId: null,
      });
    }
  }
  return out;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const ev = (
  id: number,
  serial: string,
  movement: Movement,
  from: string | null,
  to: string | null,
  days: number,
): CustodyEvent => ({
  id,
  material: '4711',
  serial,
  movement,
  fromSite: from,
  toSite: to,
  delivery: movement === 'transferred' ? null : '80000001',
  eventTime: new Date(START + days * DAY),
  messageId: null,
});

describe('custody-path learner fed serial by serial', () => {
  const until = new Date(START + 40 * DAY);

  it('learns what its definitions say on a history counted by hand', () => {
    // delivery 80000001, DC01 -> S0123, announces A, B and C; the store scans A and C on day 1
    // (B's read is missed); A is transferred to S0124 on day 5; C stays; learned at day 10
    const events = ['A', 'B', 'C'].flatMap((s, k) => [
      ev(10 * k + 1, s, 'announced', 'DC01', 'S0123', 0),
      ev(10 * k + 2, s, 'shipped', 'DC01', 'S0123', 0.25),
      ...(s === 'B' ? [] : [ev(10 * k + 3, s, 'received', 'DC01', 'S0123', 1)]),
    ]);
    events.push(ev(4, 'A', 'transferred', 'S0123', 'S0124', 5));
    events.push(ev(40, 'C', 'transferred', 'S0123', 'S0124', 12)); // after `until`: not learned
    const model = learnCustody(events, { until: new Date(START + 10 * DAY) });
    expect(model.sites).toEqual(['DC01', 'S0123', 'S0124']);
    // shipments and transfers from -> to
    expect(model.moves).toEqual({ DC01: { S0123: 3 }, S0123: { S0124: 1 } });
    // miss: of the 3 serials announced on a delivery the store scanned, 1 not named by a receipt
    expect(model.miss).toBeCloseTo(1 / 3, 12);
    // lambda: (departures + 1) / (days in stock + 1): A 4 days at S0123 + 5 at S0124, C 9 days
    expect(model.lambdaPerDay).toBeCloseTo((1 + 1) / (18 + 1), 12);
    // the same through the learner fed by hand, B's events last
    const learner = custodyLearner({ until: new Date(START + 10 * DAY) });
    for (const s of ['A', 'C', 'B'])
      for (const e of events
        .filter((x) => x.serial === s)
        .sort((x, y) => x.eventTime.getTime() - y.eventTime.getTime()))
        learner.add(e);
    expect(learner.model()).toStrictEqual(model);
    expect(learner.events).toBe(events.length - 1);
  });

  it.each([1, 2, 3])('learns the same model whatever the order the serials come in (seed %i)', (seed) => {
    const events = randomEvents(seed, 800);
    const model = learnCustody(events, { until });
    // not a degenerate model: a learned miss rate, moves, a learned rate of moves
    expect(model.miss).toBeGreaterThan(0.001);
    expect(model.miss).toBeLessThan(0.5);
    expect(model.sites).toHaveLength(6);
    expect(Object.keys(model.moves)).toHaveLength(6);
    expect(model.lambdaPerDay).not.toBe(0.01);
    // whatever the order the serials come in: the same model to the bit
    expect(learnCustody(shuffled(events, seed), { until })).toStrictEqual(model);
    expect(learnCustody([...events].reverse(), { until })).toStrictEqual(model);
  });

  it('counts the events it learned from and the last id; events after `until` are left out', () => {
    const events = randomEvents(4, 300);
    const learner = custodyLearner({ until });
    const bySerial = [...events].sort((a, b) =>
      a.material + a.serial < b.material + b.serial
        ? -1
        : a.material + a.serial > b.material + b.serial
          ? 1
          : a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id,
    );
    for (const e of bySerial) learner.add(e);
    const inside = events.filter((e) => e.eventTime <= until);
    expect(inside.length).toBeLessThan(events.length);
    expect(learner.events).toBe(inside.length);
    expect(learner.lastEventId).toBe(Math.max(...inside.map((e) => e.id)));
    expect(learner.model()).toStrictEqual(learnCustody(events, { until }));
    expect(() => learner.add(inside[0]!)).toThrow(/model is learned/);
  });

  it("refuses a serial's events out of time order", () => {
    const [a, b] = [...randomEvents(5, 1), ...randomEvents(5, 1)].slice(0, 2);
    const e1: CustodyEvent = { ...a!, id: 1, eventTime: new Date(START + DAY) };
    const e2: CustodyEvent = {
      ...(b ?? a)!,
      material: e1.material,
      serial: e1.serial,
      id: 2,
      eventTime: new Date(START),
    };
    const learner = custodyLearner({ until });
    learner.add(e1);
    expect(() => learner.add(e2)).toThrow(/out of time order/);
  });
});

describe.each(backends('custody_learner'))('custody-path learner on the ledger ($name)', (backend) => {
  let h: LedgerHarness | undefined;
  afterAll(async () => {
    await h?.store.close();
    await backend.cleanup();
  });

  it.skipIf(!backend.available)(
    'keyset pages of any size learn the model of the whole history in one array',
    async () => {
      h = await openLedger(backend, TRAFFIC_LEDGER_CONFIG);
      const traffic = generateTraffic({ serials: 120, days: 40, seed: 9 });
      for (const m of traffic) await h.deliver(m);
      expect((await h.catchUp()).failed).toBe(0);
      const events = await loadCustodyEvents(h.store.db);
      expect(events.length).toBeGreaterThan(500);
      const until = traffic[Math.floor(traffic.length * 0.6)]!.at;
      const inside = events.filter((e) => e.eventTime <= until);
      const port = custodyPathPort(h.store.db, () => until);
      const inMemory = learnCustody(events, { until, threshold: 0.003 });
      for (const pageSize of [3, 7, 250, 100_000]) {
        const r = await learnCustodyFromLedger(port, until, { threshold: 0.003, pageSize });
        expect(r.model, `page size ${pageSize}`).toStrictEqual(inMemory);
        expect(r.events).toBe(inside.length);
        expect(r.lastEventId).toBe(Math.max(...inside.map((e) => e.id)));
      }
    },
    120_000,
  );
});
