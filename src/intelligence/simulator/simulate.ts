/**
 * A seeded store network and its stock transport deliveries DC -> store, with known causes of
 * partial receipt and known noise. Pure: it returns domain events in time order (rendered into
 * gateway messages by ./payloads.ts) and, separately, the ground truth of every delivery. The
 * truth never goes into a message.
 *
 * Process per delivery (docs/intelligence.md "Simulator"):
 *   SAP announces (DELVRY07 WHSORD, planned goods issue) -> the DC packs into handling units
 *   (WMS `packed`, with serials when the DC's scanners capture them) -> goods issue (WMS
 *   `shipped`) after a pick-to-issue gap -> transit on the lane -> the store scans what arrived
 *   (handheld `receipt-delivery`), part of it possibly late.
 * Causes of a partial receipt: short pick at the DC (more likely when the pick-to-issue gap is
 * short and the delivery has many lines, i.e. in promotion weeks), loss of a handling unit (or a
 * loose unit) on the lane (its carrier's rate times a lane factor), store mis-scan
 * (store-specific rates). Noise: missed reads (any serial, any store) and late scans (part of
 * the receipt after the grace period).
 */
import {
  DEFAULT_INTEGRITY_KNOBS,
  simulateIntegrity,
  type IntegrityKnobs,
  type IntegrityTruth,
} from './integrity.js';
import { createRng, shuffle, type Rng } from './rng.js';
import type {
  DeliveryTruth,
  LossCause,
  LossLocation,
  SimCarrier,
  SimEvent,
  SimItem,
  SimNetwork,
  SimSite,
} from './events.js';

export type {
  PartialCause,
  DeliveryTruth,
  LossCause,
  LossLocation,
  SimEvent,
  SimCarrier,
  SimHandlingUnit,
  SimItem,
  SimLane,
  SimNetwork,
  SimSite,
} from './events.js';

export interface SimulationKnobs {
  /** Deliveries per DC per (average) day; weekly seasonality and promotion weeks scale it. */
  readonly deliveriesPerDcPerDay: number;
  /** Share of weeks that are promotion weeks (more lines per delivery, rushed picking). */
  readonly promotionWeekShare: number;
  /** Short-pick probability multiplier when the pick-to-issue gap is under 2 hours. */
  readonly rushMultiplier: number;
  /** Extra short-pick probability factor per delivery line beyond the first. */
  readonly perLineFactor: number;
  /** Carriers (forwarding agents) in the network; each DC's lanes are served by one or two of them. */
  readonly carriers: number;
  /**
   * Carrier HU-loss rates: most carriers `typical`, a share `badShare` of them (at least one)
   * `bad`. A lane's rate is its carrier's times the lane's factor (`laneLossFactor`).
   */
  readonly carrierLoss: { readonly typical: number; readonly bad: number; readonly badShare: number };
  /** The lane's own factor on its carrier's rate: most lanes ≈ `typical`, a share `badShare` ≈ `bad`. */
  readonly laneLossFactor: { readonly typical: number; readonly bad: number; readonly badShare: number };
  /** Store mis-scan rates per delivery (one or two serials not scanned). */
  readonly storeMisscan: { readonly typical: number; readonly bad: number; readonly badShare: number };
  /** DC short-pick base rates per delivery. */
  readonly shortPick: { readonly typical: number; readonly bad: number; readonly badShare: number };
  /**
   * Per-DC rates of deliveries whose IDoc states one unit more on an item than serials are
   * assigned to it (E1EDL24 LFIMG n + 1 with n serials): the unit does not exist to be picked.
   */
  readonly quantityMismatch: { readonly typical: number; readonly bad: number; readonly badShare: number };
  /** Per-serial probability that a read is missed at the store (noise: no rule explains it). */
  readonly missedRead: number;
  /** Per-delivery probability that part of the receipt is scanned after the grace period. */
  readonly lateScan: number;
  /** The grace period the late scans overrun (hours after goods issue). */
  readonly gracePeriodHours: number;
  /** Share of a delivery's items shipped loose (not packed in a handling unit). */
  readonly looseShare: number;
  /** Per-DC probability that its packing / goods-issue confirmations carry serials: [lo, hi]. */
  readonly serialCapture: readonly [number, number];
  /**
   * Drift: from this day on, a new carrier (a partner number not seen before) takes over the
   * lanes of the first store, with HU-loss rate `driftLossRate` (default 0.2).
   */
  readonly driftFromDay?: number;
  readonly driftLossRate?: number;
}

export const DEFAULT_KNOBS: SimulationKnobs = {
  deliveriesPerDcPerDay: 4,
  promotionWeekShare: 0.2,
  rushMultiplier: 3,
  perLineFactor: 0.35,
  carriers: 3,
  carrierLoss: { typical: 0.004, bad: 0.06, badShare: 0.25 },
  laneLossFactor: { typical: 1, bad: 2.5, badShare: 0.1 },
  storeMisscan: { typical: 0.01, bad: 0.15, badShare: 0.2 },
  shortPick: { typical: 0.01, bad: 0.04, badShare: 0.5 },
  quantityMismatch: { typical: 0.005, bad: 0.03, badShare: 0.25 },
  missedRead: 0.002,
  lateScan: 0.02,
  gracePeriodHours: 48,
  looseShare: 0.2,
  serialCapture: [0.4, 0.95],
};

export interface SimulationOptions {
  readonly seed: number;
  readonly days: number;
  readonly start?: Date;
  /** `sites-yaml`: the example sites of mappings/tables/sites.yaml (2 DCs, 3 stores); else generated. */
  readonly network?: 'sites-yaml' | { readonly dcs: number; readonly stores: number };
  readonly knobs?: Partial<SimulationKnobs>;
  /**
   * Store traffic after the receipts (initial loads, transfers, repairs) and injected integrity
   * anomalies (clones, diversions, velocity bursts): ./integrity.ts. Off unless given.
   */
  readonly integrity?: Partial<IntegrityKnobs>;
}

export interface Simulation {
  readonly network: SimNetwork;
  readonly knobs: SimulationKnobs;
  readonly events: readonly SimEvent[];
  readonly truth: readonly DeliveryTruth[];
  readonly serialMovements: number;
  /** The injected integrity anomalies, when `integrity` was given. */
  readonly integrity?: IntegrityTruth;
}

const HOUR = 3_600_000;
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function rate(rng: Rng, r: { typical: number; bad: number; badShare: number }): number {
  return rng.chance(r.badShare) ? r.bad * rng.uniform(0.8, 1.2) : r.typical * rng.uniform(0.5, 1.5);
}

export function buildNetwork(
  rng: Rng,
  shape: SimulationOptions['network'],
  knobs: SimulationKnobs,
  carrierRng: Rng,
): SimNetwork {
  const dcSites: SimSite[] =
    shape === undefined || shape === 'sites-yaml'
      ? [
          { site: 'DC01', plant: '1000', customer: '0000900001' },
          { site: 'DC02', plant: '2000', customer: '0000900002' },
        ]
      : Array.from({ length: shape.dcs }, (_, i) => ({
          site: `DC${pad(i + 1, 2)}`,
          plant: pad(1000 * (i + 1), 4),
          customer: `00009${pad(i + 1, 5)}`,
        }));
  const storeSites: SimSite[] =
    shape === undefined || shape === 'sites-yaml'
      ? [
          { site: 'S0123', plant: '0123', customer: '0000900123' },
          { site: 'S0124', plant: '0124', customer: '0000900124' },
          { site: 'S0200', plant: '0200', customer: '0000900200' },
        ]
      : Array.from({ length: shape.stores }, (_, i) => ({
          site: `S${pad(i + 300, 4)}`,
          plant: pad(i + 300, 4),
          customer: `00009${pad(i + 300, 5)}`,
        }));
  const [capLo, capHi] = knobs.serialCapture;
  const dcs = dcSites.map((s) => ({
    ...s,
    shortPickRate: rate(rng, knobs.shortPick),
    serialCapture: rng.uniform(capLo, capHi),
    quantityMismatchRate: 0,
  }));
  const stores = storeSites.map((s) => ({ ...s, misscanRate: rate(rng, knobs.storeMisscan) }));
  // the lane factor takes the two draws the lane's own rate took before carriers were simulated
  const lanes = dcs.flatMap((d) =>
    stores.map((s) => ({
      from: d.site,
      to: s.site,
      factor: rate(rng, knobs.laneLossFactor),
      medianTransitHours: rng.uniform(6, 30),
    })),
  );
  const materials = ['4711', '4712', '4713', '4714', '4715', '4716'];
  const { carriers, carrierOfLane } = buildCarriers(carrierRng, dcs, lanes, knobs);
  return {
    dcs,
    stores,
    carriers,
    lanes: lanes.map(({ factor, ...l }) => {
      const carrier = carrierOfLane.get(`${l.from}>${l.to}`)!;
      return { ...l, carrier: carrier.partner, lossRate: Math.min(0.9, carrier.lossRate * factor) };
    }),
    materials,
  };
}

/** The carrier's vendor number as SAP writes it (LIFNR, 10 digits); n counts from 1. */
export const carrierPartner = (n: number): string => `00007${pad(n, 5)}`;

/**
 * Carriers and who serves which lane, from a random stream of their own (the other draws of a
 * seed do not change with the carrier knobs): `carriers` carriers, `max(1, round(badShare × n))`
 * of them bad; each DC gets one carrier (round robin), a carrier no DC got yet as its second
 * (so every carrier serves somewhere while there are at most two per DC), else a second one with
 * probability 1/2; each lane is served by one of its DC's carriers.
 */
function buildCarriers(
  crng: Rng,
  dcs: readonly SimSite[],
  lanes: readonly { readonly from: string; readonly to: string }[],
  knobs: SimulationKnobs,
): { carriers: SimCarrier[]; carrierOfLane: Map<string, SimCarrier> } {
  const n = Math.max(1, Math.round(knobs.carriers));
  const cl = knobs.carrierLoss;
  const bad = new Set(shuffle(crng, [...Array(n).keys()]).slice(0, Math.max(1, Math.round(cl.badShare * n))));
  const carriers: SimCarrier[] = Array.from({ length: n }, (_, i) => ({
    partner: carrierPartner(i + 1),
    lossRate: bad.has(i) ? cl.bad * crng.uniform(0.8, 1.2) : cl.typical * crng.uniform(0.5, 1.5),
  }));
  const order = shuffle(crng, carriers);
  const ofDc = dcs.map((_, i) => [order[i % n]!]);
  const unused = order.slice(dcs.length);
  unused.forEach((c, k) => {
    const list = ofDc[k % Math.max(1, dcs.length)];
    if (list !== undefined && list.length < 2) list.push(c);
  });
  for (const list of ofDc)
    if (list.length < 2 && n > 1 && crng.chance(0.5))
      list.push(crng.pick(carriers.filter((c) => !list.includes(c))));
  const carrierOfLane = new Map<string, SimCarrier>();
  for (const l of lanes) {
    const list = ofDc[dcs.findIndex((d) => d.site === l.from)] ?? carriers;
    carrierOfLane.set(`${l.from}>${l.to}`, crng.pick(list));
  }
  return { carriers, carrierOfLane };
}

/** Weekly seasonality of store replenishment: more at the start of the week, little on Sunday. */
const WEEKDAY_FACTOR = [0.3, 1.4, 1.2, 1.1, 1.0, 1.2, 0.8];

export function simulate(options: SimulationOptions): Simulation {
  const knobs: SimulationKnobs = { ...DEFAULT_KNOBS, ...options.knobs };
  const rng = createRng(options.seed);
  // the carriers draw from a stream of their own: the other draws of a seed stay as they were
  const crng = createRng(options.seed * 1_000_003 + 29);
  const built = buildNetwork(rng, options.network, knobs, crng);
  // the quantity-mismatch cause draws from a stream of its own: the other draws of a seed stay as they were
  const qrng = createRng(options.seed * 1_000_003 + 17);
  const network: SimNetwork = {
    ...built,
    dcs: built.dcs.map((d) => ({ ...d, quantityMismatchRate: rate(qrng, knobs.quantityMismatch) })),
  };
  const start = options.start ?? new Date('2025-01-06T00:00:00Z');
  const laneOf = new Map(network.lanes.map((l) => [`${l.from}>${l.to}`, l]));
  const promotionWeeks = new Set<number>();
  for (let w = 0; w <= Math.ceil(options.days / 7); w++)
    if (rng.chance(knobs.promotionWeekShare)) promotionWeeks.add(w);
  const events: SimEvent[] = [];
  const truth: DeliveryTruth[] = [];
  let deliverySeq = 0;
  let unitSeq = 0;
  let huSeq = 0;
  let scanSeq = 0;
  let serialMovements = 0;
  const firstStore = network.stores[0]?.site;
  // drift: a carrier not seen before takes the first store's lanes from driftFromDay
  const driftCarrier: SimCarrier | undefined =
    knobs.driftFromDay === undefined
      ? undefined
      : { partner: carrierPartner(network.carriers.length + 1), lossRate: knobs.driftLossRate ?? 0.2 };

  for (let day = 0; day < options.days; day++) {
    const dayStart = start.getTime() + day * 24 * HOUR;
    const weekday = new Date(dayStart).getUTCDay();
    const promo = promotionWeeks.has(Math.floor(day / 7));
    const mean = knobs.deliveriesPerDcPerDay * (WEEKDAY_FACTOR[weekday] ?? 1) * (promo ? 1.5 : 1);
    for (const dc of network.dcs) {
      const n = rng.poisson(mean);
      for (let k = 0; k < n; k++) {
        const store = rng.pick(network.stores);
        const lane = laneOf.get(`${dc.site}>${store.site}`);
        if (lane === undefined) continue;
        const drifted =
          driftCarrier !== undefined && day >= (knobs.driftFromDay ?? Infinity) && store.site === firstStore;
        const carrier = drifted ? driftCarrier.partner : lane.carrier;
        const delivery = String(80_000_000 + ++deliverySeq);
        const announceAt = new Date(dayStart + rng.uniform(5, 12) * HOUR);
        // lines: 1..4, more in promotion weeks
        const lines = Math.min(6, 1 + rng.poisson(promo ? 2.2 : 1.0));
        const materials = shuffle(rng, network.materials).slice(0, lines);
        const serialItems: SimItem[] = materials.map((material, i) => ({
          position: pad((i + 1) * 10, 6),
          material,
          serials: Array.from({ length: rng.int(1, promo ? 10 : 6) }, () => `SN${pad(++unitSeq, 9)}`),
        }));
        // quantity mismatch: one item of the IDoc states a unit more than serials are assigned to it
        const mismatch = qrng.chance(dc.quantityMismatchRate);
        const mismatchAt = mismatch ? qrng.int(0, serialItems.length - 1) : -1;
        const announced: SimItem[] = serialItems.map((it, i) =>
          i === mismatchAt ? { ...it, quantity: it.serials.length + 1 } : it,
        );
        const items = serialItems;
        // packing: items either loose or in HUs of up to 6 serials
        const hus: { id: string; contents: { position: string; serials: string[] }[] }[] = [];
        const looseItems = new Set<string>();
        for (const it of items) {
          if (rng.chance(knobs.looseShare)) {
            looseItems.add(it.position);
            continue;
          }
          for (let i = 0; i < it.serials.length; i += 6)
            hus.push({
              id: `1${pad(++huSeq, 9)}`,
              contents: [{ position: it.position, serials: it.serials.slice(i, i + 6) }],
            });
        }
        const pickAt = new Date(announceAt.getTime() + rng.uniform(1, 6) * HOUR);
        const gapHours = rng.chance(promo ? 0.5 : 0.2) ? rng.uniform(0.2, 2) : rng.uniform(2, 10);
        const giAt = new Date(pickAt.getTime() + gapHours * HOUR);
        const plannedGi = new Date(announceAt.getTime() + 8 * HOUR);
        events.push({
          kind: 'announce',
          at: announceAt,
          delivery,
          from: dc,
          to: store,
          carrier,
          plannedGoodsIssueAt: plannedGi,
          items: announced,
          handlingUnits: hus,
        });

        // --- causes ------------------------------------------------------------------------
        const missing: DeliveryTruth['missing'][number][] = [];
        const gone = new Set<string>();
        const lose = (material: string, serial: string, location: LossLocation, cause: LossCause): void => {
          if (gone.has(serial)) return;
          gone.add(serial);
          missing.push({ material, serial, location, cause });
        };
        const materialOf = new Map(items.flatMap((it) => it.serials.map((s) => [s, it.material] as const)));
        // short pick: one or two units never leave the DC
        const pShort = Math.min(
          0.9,
          dc.shortPickRate *
            (gapHours < 2 ? knobs.rushMultiplier : 1) *
            (1 + knobs.perLineFactor * (lines - 1)),
        );
        if (rng.chance(pShort)) {
          const all = items.flatMap((it) => it.serials);
          for (let i = 0, m = rng.int(1, 2); i < m && all.length > 1; i++) {
            const s = rng.pick(all);
            lose(materialOf.get(s) ?? '', s, 'dc-pick', 'short-pick');
          }
        }
        const picked = (s: string): boolean => !gone.has(s);
        const withSerials = rng.chance(dc.serialCapture);
        const confirmed: SimItem[] = items.map((it) => ({ ...it, serials: it.serials.filter(picked) }));
        const confirmedHus = hus
          .map((h) => ({
            id: h.id,
            contents: h.contents.map((c) => ({ ...c, serials: c.serials.filter(picked) })),
          }))
          .filter((h) => h.contents.some((c) => c.serials.length > 0));
        // A DC that scans serials at packing confirms what it packed; one that does not confirms
        // the quantities picked as planned: its picker did not notice the short pick (a noticed
        // one would be corrected before goods issue), so the confirmation cannot show it.
        const stated: SimItem[] = withSerials
          ? confirmed
          : confirmed.map((it, i) => ({ ...it, quantity: items[i]!.serials.length }));
        const statedHus = withSerials ? confirmedHus : hus;
        events.push({
          kind: 'packed',
          at: pickAt,
          delivery,
          from: dc,
          items: stated,
          handlingUnits: statedHus,
          withSerials,
        });
        events.push({
          kind: 'shipped',
          at: giAt,
          delivery,
          from: dc,
          items: stated,
          handlingUnits: statedHus,
          withSerials,
        });
        // lane loss: whole handling units, or single loose units
        const lossRate = drifted ? driftCarrier.lossRate : lane.lossRate;
        for (const h of confirmedHus)
          if (rng.chance(lossRate))
            for (const c of h.contents)
              for (const s of c.serials) lose(materialOf.get(s) ?? '', s, 'lane', 'lane-loss');
        for (const it of confirmed)
          if (looseItems.has(it.position))
            for (const s of it.serials)
              if (rng.chance(lossRate / 3)) lose(it.material, s, 'lane', 'lane-loss');
        // store mis-scan: one or two arrived units are never scanned
        const arrived = confirmed.flatMap((it) => it.serials.filter((s) => !gone.has(s)));
        if (arrived.length > 0 && rng.chance(store.misscanRate))
          for (let i = 0, m = rng.int(1, 2); i < m; i++) {
            const s = rng.pick(arrived);
            lose(materialOf.get(s) ?? '', s, 'store', 'mis-scan');
          }
        for (const s of arrived)
          if (rng.chance(knobs.missedRead)) lose(materialOf.get(s) ?? '', s, 'store', 'missed-read');

        // --- receipts -----------------------------------------------------------------------
        const arriveAt = giAt.getTime() + rng.logNormal(lane.medianTransitHours, 0.3) * HOUR;
        const scanAt = new Date(Math.min(arriveAt + rng.uniform(0.2, 3) * HOUR, giAt.getTime() + 40 * HOUR));
        const received = items
          .map((it) => ({ ...it, serials: it.serials.filter((s) => !gone.has(s)) }))
          .filter((it) => it.serials.length > 0);
        const late: string[] = [];
        let onTime = received;
        let lateItems: SimItem[] = [];
        if (received.length > 1 && rng.chance(knobs.lateScan)) {
          const cut = rng.int(1, received.length - 1);
          onTime = received.slice(0, cut);
          lateItems = received.slice(cut);
          for (const it of lateItems) late.push(...it.serials);
        }
        if (onTime.length > 0)
          events.push({
            kind: 'receipt',
            at: scanAt,
            delivery,
            scanId: `SIM-RD-${pad(++scanSeq, 8)}`,
            to: store,
            items: onTime,
          });
        if (lateItems.length > 0)
          events.push({
            kind: 'receipt',
            at: new Date(giAt.getTime() + (knobs.gracePeriodHours + rng.uniform(6, 72)) * HOUR),
            delivery,
            scanId: `SIM-RD-${pad(++scanSeq, 8)}`,
            to: store,
            items: lateItems,
          });
        const total = items.reduce((a, it) => a + it.serials.length, 0);
        const looseCount = items
          .filter((it) => looseItems.has(it.position))
          .reduce((a, it) => a + it.serials.length, 0);
        // the causes after the goods issue: lane loss, mis-scan, missed reads, a late scan
        const fineAfterGi =
          (1 - lossRate) ** hus.length *
          (1 - lossRate / 3) ** looseCount *
          (1 - store.misscanRate) *
          (1 - knobs.missedRead) ** total *
          (items.length > 1 ? 1 - knobs.lateScan : 1);
        const pShortDrawn = total > 1 ? pShort : 0;
        const fine = (1 - dc.quantityMismatchRate) * (1 - pShortDrawn) * fineAfterGi;
        // at goods issue the announcement shows a mismatch, serials on the confirmations a short pick
        const shortSeen = withSerials && missing.some((m) => m.cause === 'short-pick');
        const oracleRisk = mismatch || shortSeen ? 1 : 1 - (withSerials ? 1 : 1 - pShortDrawn) * fineAfterGi;
        // announced + packed + shipped + received, per serial
        serialMovements += total * (withSerials ? 4 : 2) - missing.length;
        truth.push({
          delivery,
          origin: dc.site,
          destination: store.site,
          carrier,
          goodsIssueAt: giAt,
          missing,
          late,
          quantityShort: mismatch ? 1 : 0,
          causes: [
            ...(mismatch ? (['quantity-mismatch'] as const) : []),
            ...new Set(missing.map((m) => m.cause)),
          ],
          promotionWeek: promo,
          trueRisk: 1 - fine,
          oracleRisk,
        });
      }
    }
  }
  if (options.integrity === undefined) {
    events.sort((a, b) => a.at.getTime() - b.at.getTime() || order(a) - order(b));
    return { network, knobs, events, truth, serialMovements };
  }
  const integrity = simulateIntegrity(
    options.seed,
    network,
    events,
    truth,
    start,
    options.days,
    { ...DEFAULT_INTEGRITY_KNOBS, ...options.integrity },
    knobs.missedRead,
  );
  const all = integrity.events;
  all.sort((a, b) => a.at.getTime() - b.at.getTime() || order(a) - order(b));
  const scanned = all
    .filter((e) => e.kind === 'scan')
    .reduce((n, e) => n + e.items.reduce((m, it) => m + it.serials.length, 0), 0);
  return {
    network,
    knobs,
    events: all,
    truth,
    serialMovements: serialMovements + scanned,
    integrity: integrity.truth,
  };
}

const order = (e: SimEvent): number =>
  e.kind === 'announce' ? 0 : e.kind === 'packed' ? 1 : e.kind === 'shipped' ? 2 : 3;
