/**
 * Test helpers for the delivery ledger and the sweeper: DELVRY07 / MBGMCR03 / handheld builders,
 * the site directory of mappings/tables/sites.yaml plus a ship-to map, a hand-moved clock and a
 * poster that stores postings through the real Store (idempotency keys) and records the order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultSweeperConfig,
  type SweeperConfig,
  type SweeperConfigInput,
} from '../../src/config/sweeper.js';
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { buildDeliverySites, siteRowsOf, type DeliverySites } from '../../src/ledger/deliveries/sites.js';
import { parseTable } from '../../src/mapping/tables.js';
import { MAPPINGS_DIR } from '../../src/paths.js';
import type { Store } from '../../src/pipeline/store-port.js';
import type { OutboundPoster, PostingRequest } from '../../src/sweeper/poster.js';

export const SITES_TABLE = parseTable(
  readFileSync(join(MAPPINGS_DIR, 'tables', 'sites.yaml'), 'utf8'),
  'sites.yaml',
);

/** Ship-to 100201 is store S0124, 100123 is store S0123 (the rest of sites.yaml as is). */
export const SHIP_TO = { '100201': 'S0124', '100123': 'S0123' } as const;

export function testSweeperConfig(input: SweeperConfigInput = {}): SweeperConfig {
  return defaultSweeperConfig({
    enabled: true,
    port: 'SAP',
    gracePeriod: '48h',
    holdStorageLocation: 'HOLD',
    shipTo: { ...SHIP_TO },
    ...input,
  });
}

export function testSites(config: SweeperConfig = testSweeperConfig()): DeliverySites {
  return buildDeliverySites(siteRowsOf(SITES_TABLE), {
    shipTo: config.shipTo,
    shippingPoints: config.shippingPoints,
    ...(config.stores !== undefined ? { stores: config.stores } : {}),
  });
}

export const HOUR = 3_600_000;

/** A clock the test moves by hand (epoch ms). */
export class TestClock {
  #now: number;
  constructor(iso = '2024-03-04T14:00:00Z') {
    this.#now = Date.parse(iso);
  }
  readonly now = (): number => this.#now;
  readonly date = (): Date => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface ItemSpec {
  readonly posnr: string;
  readonly matnr: string;
  readonly qty: string;
  readonly unit?: string;
  readonly serials?: readonly string[];
  readonly plant?: string;
}

const seg = (type: string, fields: Record<string, string>, children: Segment[] = []): Segment => ({
  type,
  fields,
  children,
});

/**
 * A DELVRY07 from SAP (default SHPORD from DC01 / plant 1000 to store S0124 for stock transport
 * order 4500000123, items = STO items, goods issue 2024-03-04 14:00 UTC). `goodsIssued: false`
 * leaves the actual goods-issue date blank (ISDD 00000000, as SAP sends it before the goods
 * issue): the planned date is `gi` then.
 */
export function delvry07(
  vbeln: string,
  items: readonly ItemSpec[],
  options: {
    mestyp?: string;
    shipTo?: string;
    gi?: string;
    docnum?: string;
    qualf18?: readonly string[];
    goodsIssued?: boolean;
    sto?: string | null;
    credat?: string;
    /** The forwarding agent's vendor number (E1ADRM1 PARTNER_Q SP); absent: no carrier named. */
    carrier?: string;
  } = {},
): Idoc {
  const gi = options.gi ?? '20240304140000';
  const issued = options.goodsIssued ?? true;
  const sto = options.sto === undefined ? '4500000123' : options.sto;
  return {
    control: {
      TABNAM: 'EDI_DC40',
      MANDT: '100',
      DOCNUM: (options.docnum ?? vbeln).padStart(16, '0'),
      DIRECT: '1',
      IDOCTYP: 'DELVRY07',
      MESTYP: options.mestyp ?? 'SHPORD',
      SNDPOR: 'SAPPRD',
      SNDPRT: 'LS',
      SNDPRN: 'PRDCLNT100',
      CREDAT: (options.credat ?? '20240302071502').slice(0, 8),
      CRETIM: (options.credat ?? '20240302071502').slice(8),
    },
    segments: [
      seg('E1EDL20', { VBELN: vbeln.padStart(10, '0'), VSTEL: '1000' }, [
        ...(options.qualf18 ?? ['ORI']).map((q) => seg('E1EDL18', { QUALF: q })),
        seg('E1ADRM1', { PARTNER_Q: 'WE', PARTNER_ID: (options.shipTo ?? '100201').padStart(10, '0') }),
        ...(options.carrier === undefined
          ? []
          : [seg('E1ADRM1', { PARTNER_Q: 'SP', PARTNER_ID: options.carrier.padStart(10, '0') })]),
        seg('E1EDT13', {
          QUALF: '006',
          NTANF: gi.slice(0, 8),
          NTANZ: gi.slice(8),
          ISDD: issued ? gi.slice(0, 8) : '00000000',
          ISDZ: issued ? gi.slice(8) : '000000',
        }),
        ...items.map((i) =>
          seg(
            'E1EDL24',
            {
              POSNR: i.posnr.padStart(6, '0'),
              MATNR: i.matnr.padStart(18, '0'),
              WERKS: i.plant ?? '1000',
              LGORT: '0001',
              LFIMG: i.qty,
              VRKME: i.unit ?? 'PCE',
              ...(sto !== null ? { VGBEL: sto, VGPOS: i.posnr.padStart(6, '0') } : {}),
            },
            (i.serials ?? []).map((s) => seg('E1EDL11', { SERNR: s })),
          ),
        ),
      ]),
    ],
  };
}

/** A handheld goods-receipt scan against a delivery at a site. */
export function handheldReceipt(
  scanId: string,
  delivery: string,
  items: readonly { article: string; quantity: number; deliveryItem?: string; serialNumbers?: string[] }[],
  site = 'S0124',
): Record<string, unknown> {
  return {
    scanId,
    site,
    movement: { kind: 'receipt-delivery', delivery },
    items: items.map((i) => ({ unit: 'PCE', ...i })),
    device: 'TC52-0042',
    user: 'jdoe',
    scannedAt: '2024-03-05T09:00:00Z',
  };
}

/** Stores postings through the real Store by idempotency key, like the pipeline's outbound path. */
export class StorePoster implements OutboundPoster {
  readonly posted: { request: PostingRequest; messageId: string; duplicate: boolean }[] = [];
  constructor(private readonly store: Store) {}

  async post(request: PostingRequest): Promise<{ messageId: string; duplicate: boolean }> {
    const json = JSON.stringify(request.step.idoc);
    const r = await this.store.receive({
      direction: 'out',
      channel: `gateway:${request.port}`,
      idocType: 'MBGMCR03',
      messageType: 'MBGMCR',
      orderingKey: request.step.orderingKey,
      idempotencyKey: request.step.idempotencyKey,
      raw: { format: 'json', content: json },
      parsed: { format: 'json', content: json },
      searchKeys: request.searchKeys,
      by: 'test:sweeper',
    });
    this.posted.push({ request, messageId: r.message.id, duplicate: r.duplicate });
    return { messageId: r.message.id, duplicate: r.duplicate };
  }
}
