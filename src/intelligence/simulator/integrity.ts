/**
 * Store traffic after the receipts and the injected integrity anomalies (docs/intelligence.md
 * "Serial integrity"). Pure and seeded (its own random stream, so the deliveries of a seed are
 * the same with or without it). Works on what physically happened in the base simulation:
 * a serial is at its store from its receipt scan (a late-scanned one from its late scan) unless it
 * was lost at the DC or on the lane (a mis-scanned or missed read unit is there from the delivery's
 * first scan, only the ledger does not know it).
 *
 * Normal traffic: initial stock loads at every store on day 0 (561); per serial in stock a chain
 * of transfers to neighbouring stores (301: each store hands stock mostly to the next store on a
 * ring, sometimes to the previous one) and vendor repairs (541 out, 542 back at the same store).
 * Anomalies (labels only in `IntegrityTruth`, never in a message):
 *   clone      a second unit with the serial of a genuine one appears at another store (returned
 *              by a "customer" (451) or sent for warranty repair (541/542)), then may be moved on
 *   diversion  part of a delivery is received (scanned against the delivery) at another store
 *   velocity   a serial is transferred back and forth 10-16 times within days
 * Missed reads (the simulation's `missedRead`, per serial and scan) apply to every handheld scan
 * here as to the receipts of the base simulation.
 */
import { createRng, shuffle } from './rng.js';
import type { DeliveryTruth, ScanMove, SimEvent, SimItem, SimNetwork, SimScan } from './events.js';

export type { ScanMove, SimScan } from './events.js';

export interface IntegrityKnobs {
  /** Serials loaded per store on day 0 (561). */
  readonly initialStockPerStore: number;
  /** Probability that a serial in stock is moved (transfer or repair) in a month; chains on. */
  readonly moveRatePerMonth: number;
  /** Share of those moves that are vendor repairs (541/542) rather than transfers (301). */
  readonly repairShare: number;
  /** Share of transfers to the next store on the ring (the rest go to the previous one). */
  readonly nextStoreShare: number;
  readonly clones: number;
  readonly diversions: number;
  readonly velocityBursts: number;
}

export const DEFAULT_INTEGRITY_KNOBS: IntegrityKnobs = {
  initialStockPerStore: 30,
  moveRatePerMonth: 0.25,
  repairShare: 0.2,
  nextStoreShare: 0.8,
  clones: 40,
  diversions: 15,
  velocityBursts: 15,
};

export type IntegrityKind = 'clone' | 'diversion' | 'velocity';

export interface IntegrityIncident {
  readonly kind: IntegrityKind;
  readonly material: string;
  readonly serial: string;
  /** Time of the first anomalous event (scanned or not). */
  readonly at: Date;
  /** Where it happened (the clone's or the wrong store, the burst's store). */
  readonly site: string;
  /** The anomalous scans that were read (0: nothing of it is observable). */
  readonly observedScans: number;
}

export interface IntegrityTruth {
  readonly knobs: IntegrityKnobs;
  readonly incidents: readonly IntegrityIncident[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const SIM_REPAIR_VENDOR = '300001';

interface Unit {
  readonly material: string;
  readonly serial: string;
  /** The store it first came to. */
  readonly home: string;
  site: string;
  since: number;
  /** Has normal traffic after `since` (not a candidate for a velocity burst). */
  moved: boolean;
}

export function simulateIntegrity(
  seed: number,
  network: SimNetwork,
  baseEvents: readonly SimEvent[],
  truth: readonly DeliveryTruth[],
  start: Date,
  days: number,
  knobs: IntegrityKnobs,
  missedRead: number,
): { events: (SimEvent | SimScan)[]; truth: IntegrityTruth } {
  const rng = createRng((seed * 2_654_435_761) ^ 0x5eed);
  const end = start.getTime() + days * DAY;
  const stores = network.stores;
  const siteOf = new Map(stores.map((s) => [s.site, s]));
  const ring = (site: string, step: number): string => {
    const i = stores.findIndex((s) => s.site === site);
    return stores[(i + step + stores.length) % stores.length]!.site;
  };
  const neighbour = (site: string): string =>
    stores.length < 2 ? site : rng.chance(knobs.nextStoreShare) ? ring(site, 1) : ring(site, -1);
  let scanSeq = 0;
  const scans: SimScan[] = [];
  const incidents: IntegrityIncident[] = [];
  /** One handheld scan; each serial is read with 1 - missedRead. Returns the serials read. */
  const scan = (
    at: number,
    site: string,
    move: ScanMove,
    units: readonly { material: string; serial: string }[],
  ): number => {
    const read = units.filter(() => !rng.chance(missedRead));
    if (read.length === 0) return 0;
    const byMaterial = new Map<string, string[]>();
    for (const u of read) byMaterial.set(u.material, [...(byMaterial.get(u.material) ?? []), u.serial]);
    scans.push({
      kind: 'scan',
      at: new Date(at),
      scanId: `SIM-SC-${String(++scanSeq).padStart(8, '0')}`,
      site: siteOf.get(site)!,
      move,
      items: [...byMaterial].map(([material, serials], i) => ({
        position: String(i + 1),
        material,
        serials,
      })),
    });
    return read.length;
  };

  // --- where each serial physically is after the deliveries -----------------------------------
  const firstScan = new Map<string, number>();
  const receiptOf = new Map<string, SimEvent & { kind: 'receipt' }>();
  for (const e of baseEvents)
    if (e.kind === 'receipt' && !firstScan.has(e.delivery)) {
      firstScan.set(e.delivery, e.at.getTime());
      receiptOf.set(e.delivery, e);
    }
  // a diverted receipt is numbered like every other receipt scan (its id must not give it away)
  let receiptSeq = baseEvents.filter((e) => e.kind === 'receipt').length;
  const announced = new Map<string, SimEvent & { kind: 'announce' }>();
  for (const e of baseEvents) if (e.kind === 'announce') announced.set(e.delivery, e);
  const units: Unit[] = [];
  let initSeq = 0;
  for (const s of stores) {
    const load = Array.from({ length: knobs.initialStockPerStore }, () => ({
      material: rng.pick(network.materials),
      serial: `SI${String(++initSeq).padStart(9, '0')}`,
    }));
    const at = start.getTime() + 6 * HOUR;
    scan(at, s.site, { kind: 'initial-stock' }, load);
    for (const u of load) units.push({ ...u, home: s.site, site: s.site, since: at, moved: false });
  }
  // a serial scanned late is in the store's stock (and can move on) only from its late scan
  const scannedAt = new Map<string, number>();
  for (const e of baseEvents)
    if (e.kind === 'receipt')
      for (const it of e.items)
        for (const sn of it.serials) if (!scannedAt.has(sn)) scannedAt.set(sn, e.at.getTime());
  for (const t of truth) {
    const a = announced.get(t.delivery);
    if (a === undefined) continue;
    const lost = new Set(t.missing.filter((m) => m.location !== 'store').map((m) => m.serial));
    const first = firstScan.get(t.delivery) ?? t.goodsIssueAt.getTime() + DAY;
    const late = new Set(t.late);
    for (const it of a.items)
      for (const serial of it.serials)
        if (!lost.has(serial))
          units.push({
            material: it.material,
            serial,
            home: t.destination,
            site: t.destination,
            since: late.has(serial) ? (scannedAt.get(serial) ?? first) : first,
            moved: false,
          });
  }

  // --- diversion: part of a delivery is scanned at another store --------------------------------
  const diverted = new Map<string, Set<string>>();
  const divertedReceipts: (SimEvent & { kind: 'receipt' })[] = [];
  const candidates = truth.filter((t) => {
    const r = receiptOf.get(t.delivery);
    return (
      r !== undefined &&
      r.items.reduce((n, it) => n + it.serials.length, 0) >= 3 &&
      r.at.getTime() < end - 2 * DAY
    );
  });
  for (let i = 0; i < knobs.diversions && candidates.length > 0 && stores.length > 1; i++) {
    const t = candidates.splice(rng.int(0, candidates.length - 1), 1)[0]!;
    const r = receiptOf.get(t.delivery)!;
    const all = r.items.flatMap((it) => it.serials.map((s) => ({ material: it.material, serial: s })));
    const group = shuffle(rng, all).slice(0, rng.int(1, Math.min(3, all.length - 1)));
    diverted.set(t.delivery, new Set(group.map((g) => g.serial)));
    const wrong = rng.pick(stores.filter((s) => s.site !== t.destination));
    const at = new Date(r.at.getTime() + rng.uniform(2, 48) * HOUR);
    const read = new Set(group.filter(() => !rng.chance(missedRead)).map((g) => g.serial));
    for (const g of group)
      incidents.push({
        kind: 'diversion',
        ...g,
        at,
        site: wrong.site,
        observedScans: read.has(g.serial) ? 1 : 0,
      });
    const items: SimItem[] = r.items
      .map((it) => ({ ...it, serials: it.serials.filter((s) => read.has(s)) }))
      .filter((it) => it.serials.length > 0);
    if (items.length > 0)
      divertedReceipts.push({
        kind: 'receipt',
        at,
        delivery: t.delivery,
        scanId: `SIM-RD-${String(++receiptSeq).padStart(8, '0')}`,
        to: wrong,
        items,
      });
  }
  const divertedSerials = new Set([...diverted.values()].flatMap((s) => [...s]));

  // --- normal traffic ---------------------------------------------------------------------------
  const rate = knobs.moveRatePerMonth / (30 * DAY);
  for (const u of units) {
    if (divertedSerials.has(u.serial)) continue;
    let t = u.since;
    for (;;) {
      t += -Math.log(1 - rng.next()) / rate;
      if (t >= end) break;
      u.moved = true;
      if (rng.chance(knobs.repairShare)) {
        scan(t, u.site, { kind: 'vendor-repair-out', vendor: SIM_REPAIR_VENDOR }, [u]);
        t += rng.uniform(3, 20) * DAY;
        if (t >= end) break;
        scan(t, u.site, { kind: 'vendor-repair-return', vendor: SIM_REPAIR_VENDOR }, [u]);
      } else {
        const to = neighbour(u.site);
        scan(t, u.site, { kind: 'transfer-site', toSite: to }, [u]);
        u.site = to;
      }
    }
  }

  // --- clones: a second unit with a genuine serial at another store ----------------------------
  const pool = units.filter((u) => !divertedSerials.has(u.serial) && u.since < end - 15 * DAY);
  const used = new Set<string>();
  for (let i = 0; i < knobs.clones && pool.length > 0 && stores.length > 2; i++) {
    const u = pool.splice(rng.int(0, pool.length - 1), 1)[0]!;
    used.add(u.serial);
    let t = rng.uniform(u.since + DAY, Math.min(end - 10 * DAY, u.since + 40 * DAY));
    // the genuine unit's site at t is not tracked per time; the clone appears away from both
    // its first store and its last one
    const away = stores.filter((s) => s.site !== u.site && s.site !== u.home);
    let site = rng.pick(away.length > 0 ? away : stores).site;
    const at0 = t;
    let observed = 0;
    if (rng.chance(0.5)) observed += scan(t, site, { kind: 'customer-return' }, [u]);
    else {
      observed += scan(t, site, { kind: 'vendor-repair-out', vendor: SIM_REPAIR_VENDOR }, [u]);
      t += rng.uniform(3, 15) * DAY;
      if (t < end)
        observed += scan(t, site, { kind: 'vendor-repair-return', vendor: SIM_REPAIR_VENDOR }, [u]);
    }
    for (let k = rng.int(0, 2); k > 0; k--) {
      t += rng.uniform(2, 15) * DAY;
      if (t >= end) break;
      const to = neighbour(site);
      observed += scan(t, site, { kind: 'transfer-site', toSite: to }, [u]);
      site = to;
    }
    incidents.push({
      kind: 'clone',
      material: u.material,
      serial: u.serial,
      at: new Date(at0),
      site: u.site,
      observedScans: observed,
    });
  }

  // --- velocity bursts: back and forth between two stores within days --------------------------
  const still = units.filter(
    (u) => !u.moved && !used.has(u.serial) && !divertedSerials.has(u.serial) && u.since < end - 10 * DAY,
  );
  for (let i = 0; i < knobs.velocityBursts && still.length > 0 && stores.length > 1; i++) {
    const u = still.splice(rng.int(0, still.length - 1), 1)[0]!;
    let t = rng.uniform(u.since + DAY, end - 6 * DAY);
    const at0 = t;
    const home = u.site;
    const other = ring(home, 1);
    let observed = 0;
    for (let k = rng.int(10, 16), here = home; k > 0; k--) {
      const to = here === home ? other : home;
      observed += scan(t, here, { kind: 'transfer-site', toSite: to }, [u]);
      here = to;
      t += rng.uniform(2, 10) * HOUR;
    }
    incidents.push({
      kind: 'velocity',
      material: u.material,
      serial: u.serial,
      at: new Date(at0),
      site: home,
      observedScans: observed,
    });
  }

  // the diverted serials leave the receipts at their own store
  const events: (SimEvent | SimScan)[] = [];
  for (const e of baseEvents) {
    const gone = e.kind === 'receipt' ? diverted.get(e.delivery) : undefined;
    if (gone === undefined || e.kind !== 'receipt') {
      events.push(e);
      continue;
    }
    const items = e.items
      .map((it) => ({ ...it, serials: it.serials.filter((s) => !gone.has(s)) }))
      .filter((it) => it.serials.length > 0);
    if (items.length > 0) events.push({ ...e, items });
  }
  events.push(...divertedReceipts, ...scans);
  return { events, truth: { knobs, incidents } };
}
