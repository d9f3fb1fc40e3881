/**
 * Normal-traffic generator for the serial ledger: a DC receives serialized stock from vendors,
 * SAP announces DC -> store deliveries (DELVRY07 WHSORD), the WMS confirms shipment, stores scan
 * the receipt a day later, sell (MBGMCR03 601), take customer returns, send units to vendor
 * repair and get them back (541/542 within 5-20 days), transfer between stores (301) and scrap.
 * Every message is something a correct supply chain produces, in time order: the deterministic
 * anomaly rules must stay silent on it. Seeded, so a run is reproducible.
 */
export interface TrafficMessage {
  readonly at: Date;
  readonly idocType?: string;
  readonly messageType: string;
  readonly payload: unknown;
}

export const TRAFFIC_SITES = {
  DC01: { plant: '1000', customer: '0000900001' },
  S0123: { plant: '0123', customer: '0000900123' },
  S0124: { plant: '0124', customer: '0000900124' },
  S0200: { plant: '0200', customer: '0000900200' },
} as const;
type Site = keyof typeof TRAFFIC_SITES;
const STORES: Site[] = ['S0123', 'S0124', 'S0200'];

/** The ledger config that goes with the generated traffic (sites, transit times). */
export const TRAFFIC_LEDGER_CONFIG = {
  sites: Object.fromEntries(
    Object.entries(TRAFFIC_SITES).map(([site, s]) => [site, { plants: [s.plant], customers: [s.customer] }]),
  ),
  transit: STORES.map((s) => ({ from: 'DC01', to: s, minHours: 4 })),
};

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
function sapDate(d: Date): [string, string] {
  const iso = d.toISOString();
  return [iso.slice(0, 10).replaceAll('-', ''), iso.slice(11, 19).replaceAll(':', '')];
}

export function whsord(
  delivery: string,
  from: Site,
  to: Site,
  items: { material: string; serials: string[] }[],
  at: Date,
): unknown {
  const [date, time] = sapDate(at);
  return {
    control: {
      TABNAM: 'EDI_DC40',
      DOCNUM: delivery,
      DIRECT: '1',
      IDOCTYP: 'DELVRY07',
      MESTYP: 'WHSORD',
      CREDAT: date,
      CRETIM: time,
    },
    segments: [
      {
        type: 'E1EDL20',
        fields: { VBELN: delivery, VSTEL: TRAFFIC_SITES[from].plant },
        children: [
          {
            type: 'E1ADRM1',
            fields: { PARTNER_Q: 'WE', PARTNER_ID: TRAFFIC_SITES[to].customer },
            children: [],
          },
          ...items.map((it, i) => ({
            type: 'E1EDL24',
            fields: {
              POSNR: pad((i + 1) * 10, 6),
              MATNR: it.material.padStart(18, '0'),
              WERKS: TRAFFIC_SITES[from].plant,
              LGORT: '0001',
            },
            children: it.serials.map((s) => ({ type: 'E1EDL11', fields: { SERNR: s }, children: [] })),
          })),
        ],
      },
    ],
  };
}

export function goodsMovement(
  ref: string,
  site: Site,
  moveType: string,
  items: { material: string; serials: string[] }[],
  at: Date,
  extra: Record<string, string> = {},
): unknown {
  const [date, time] = sapDate(at);
  return {
    control: {
      TABNAM: 'EDI_DC40',
      DIRECT: '2',
      IDOCTYP: 'MBGMCR03',
      MESTYP: 'MBGMCR',
      CREDAT: date,
      CRETIM: time,
    },
    segments: [
      {
        type: 'E1MBGMCR',
        fields: {},
        children: [
          { type: 'E1BP2017_GM_HEAD_01', fields: { PSTNG_DATE: date, REF_DOC_NO_LONG: ref }, children: [] },
          ...items.map((it) => ({
            type: 'E1BP2017_GM_ITEM_CREATE',
            fields: {
              MATERIAL: it.material.padStart(18, '0'),
              PLANT: TRAFFIC_SITES[site].plant,
              STGE_LOC: '0001',
              MOVE_TYPE: moveType,
              ENTRY_QNT: `${it.serials.length}.000`,
              ...extra,
            },
            children: [],
          })),
          ...items.flatMap((it, i) =>
            it.serials.map((s) => ({
              type: 'E1BP2017_GM_SERIALNUMBER',
              fields: { MATDOC_ITM: pad(i + 1, 4), SERIALNO: s },
              children: [],
            })),
          ),
        ],
      },
    ],
  };
}

export function scan(
  scanId: string,
  site: string,
  movement: Record<string, string>,
  material: string,
  serials: string[],
  at: Date,
): unknown {
  return {
    scanId,
    site,
    movement,
    items: [
      {
        article: material,
        quantity: serials.length,
        unit: 'PCE',
        // SAP needs the order item of a receipt against a purchase order (PO_ITEM)
        ...(movement['purchaseOrder'] !== undefined ? { poItem: '00010' } : {}),
        serialNumbers: serials,
      },
    ],
    device: 'TC52-0001',
    user: 'tester',
    scannedAt: at.toISOString(),
  };
}

export function wmsShipped(
  delivery: string,
  site: string,
  items: { material: string; serials: string[] }[],
  at: Date,
  event: 'shipped' | 'received' = 'shipped',
): unknown {
  return {
    messageType: event === 'received' ? 'SHPCON' : 'WHSCON',
    delivery,
    event,
    confirmedAt: at.toISOString(),
    items: items.map((it, i) => ({
      position: pad((i + 1) * 10, 6),
      article: it.material,
      site,
      quantity: it.serials.length,
      unit: 'PCE',
      serialNumbers: it.serials,
    })),
  };
}

type Where =
  | { kind: 'stock'; site: Site }
  | { kind: 'transit' }
  | { kind: 'sold'; site: Site }
  | { kind: 'vendor'; site: Site; back: number }
  | { kind: 'scrapped' };

export function generateTraffic(options: {
  serials: number;
  days: number;
  seed?: number;
  start?: Date;
}): TrafficMessage[] {
  const random = rng(options.seed ?? 42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  const start = options.start ?? new Date('2025-01-06T00:00:00Z');
  const materials = ['4711', '4712', '4713'];
  const out: TrafficMessage[] = [];
  const units = new Map<string, { material: string; serial: string; where: Where }>();
  const at = (day: number, hour: number, minute = 0): Date =>
    new Date(start.getTime() + day * 86_400_000 + hour * 3_600_000 + minute * 60_000);
  let n = 0;
  const id = (p: string): string => `${p}${pad(++n, 7)}`;

  // Day 0: the DC receives all units from vendors (per material, one scan).
  for (const material of materials) {
    const serials: string[] = [];
    for (let i = 0; i < Math.ceil(options.serials / materials.length); i++) {
      const serial = `SN${material}${pad(i, 6)}`;
      serials.push(serial);
      units.set(`${material}:${serial}`, { material, serial, where: { kind: 'stock', site: 'DC01' } });
    }
    for (let i = 0; i < serials.length; i += 200)
      out.push({
        at: at(0, 6),
        messageType: 'handheld-goods-movement',
        payload: scan(
          id('GR'),
          'DC01',
          { kind: 'receipt-po', purchaseOrder: '4500000001' },
          material,
          serials.slice(i, i + 200),
          at(0, 6),
        ),
      });
  }
  const pending: { day: number; msg: TrafficMessage; apply: () => void }[] = [];
  const schedule = (day: number, msg: TrafficMessage, apply: () => void = () => undefined): void => {
    pending.push({ day, msg, apply });
  };
  for (let day = 1; day <= options.days; day++) {
    // Things scheduled for today happen first (receipts, repairs back).
    for (const p of pending
      .filter((x) => x.day === day)
      .sort((a, b) => a.msg.at.getTime() - b.msg.at.getTime())) {
      out.push(p.msg);
      p.apply();
    }
    const inStock = (site: Site): { material: string; serial: string; where: Where }[] =>
      [...units.values()].filter((u) => u.where.kind === 'stock' && u.where.site === site);
    // DC -> one store: WHSORD at 07:00, WMS shipped at 10:00, store receipt next day 09:00.
    const store = pick(STORES);
    const candidates = inStock('DC01').slice(0, 3 + Math.floor(random() * 6));
    if (candidates.length > 0) {
      const delivery = String(80000000 + day);
      const byMaterial = materials
        .map((material) => ({
          material,
          serials: candidates.filter((u) => u.material === material).map((u) => u.serial),
        }))
        .filter((x) => x.serials.length > 0);
      out.push({
        at: at(day, 7),
        idocType: 'DELVRY07',
        messageType: 'WHSORD',
        payload: whsord(delivery, 'DC01', store, byMaterial, at(day, 7)),
      });
      out.push({
        at: at(day, 10),
        messageType: 'wms-confirmation',
        payload: wmsShipped(delivery, 'DC01', byMaterial, at(day, 10)),
      });
      for (const u of candidates) u.where = { kind: 'transit' };
      for (const g of byMaterial) {
        schedule(
          day + 1,
          {
            at: at(day + 1, 9),
            messageType: 'handheld-goods-movement',
            payload: scan(
              id('RD'),
              store,
              { kind: 'receipt-delivery', delivery },
              g.material,
              g.serials,
              at(day + 1, 9),
            ),
          },
          () => {
            for (const s of g.serials)
              units.get(`${g.material}:${s}`)!.where = { kind: 'stock', site: store };
          },
        );
      }
    }
    // Store activity: a sale, maybe a return, a repair cycle, a transfer, a scrap.
    for (const s of STORES) {
      const stock = inStock(s);
      const u = stock[Math.floor(random() * stock.length)];
      if (u === undefined) continue;
      const r = random();
      if (r < 0.45) {
        out.push({
          at: at(day, 14),
          idocType: 'MBGMCR03',
          messageType: 'MBGMCR',
          payload: goodsMovement(
            id('POS'),
            s,
            '601',
            [{ material: u.material, serials: [u.serial] }],
            at(day, 14),
            { CUSTOMER: '0000100001' },
          ),
        });
        u.where = { kind: 'sold', site: s };
        if (random() < 0.3) {
          const back = day + 1 + Math.floor(random() * 5);
          schedule(
            back,
            {
              at: at(back, 12),
              messageType: 'handheld-goods-movement',
              payload: scan(id('CR'), s, { kind: 'customer-return' }, u.material, [u.serial], at(back, 12)),
            },
            () => {
              u.where = { kind: 'stock', site: s };
            },
          );
        }
      } else if (r < 0.6) {
        out.push({
          at: at(day, 15),
          messageType: 'handheld-goods-movement',
          payload: scan(
            id('VO'),
            s,
            { kind: 'vendor-repair-out', vendor: '300001' },
            u.material,
            [u.serial],
            at(day, 15),
          ),
        });
        const back = day + 5 + Math.floor(random() * 15);
        u.where = { kind: 'vendor', site: s, back };
        schedule(
          back,
          {
            at: at(back, 11),
            messageType: 'handheld-goods-movement',
            payload: scan(
              id('VR'),
              s,
              { kind: 'vendor-repair-return', vendor: '300001' },
              u.material,
              [u.serial],
              at(back, 11),
            ),
          },
          () => {
            u.where = { kind: 'stock', site: s };
          },
        );
      } else if (r < 0.75) {
        const to = pick(STORES.filter((x) => x !== s));
        out.push({
          at: at(day, 16),
          messageType: 'handheld-goods-movement',
          payload: scan(
            id('TR'),
            s,
            { kind: 'transfer-site', toSite: to },
            u.material,
            [u.serial],
            at(day, 16),
          ),
        });
        u.where = { kind: 'stock', site: to };
      } else if (r < 0.8) {
        out.push({
          at: at(day, 17),
          messageType: 'handheld-goods-movement',
          payload: scan(id('SC'), s, { kind: 'scrap' }, u.material, [u.serial], at(day, 17)),
        });
        u.where = { kind: 'scrapped' };
      }
    }
  }
  // Anything scheduled after the last day still happens (receipts of the last shipment etc.).
  for (const p of pending
    .filter((x) => x.day > options.days)
    .sort((a, b) => a.msg.at.getTime() - b.msg.at.getTime())) {
    out.push(p.msg);
    p.apply();
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}
