/**
 * The pushback plan of one overdue delivery: the MBGMCR03 postings of the site's pushback process
 * (src/config/sweeper.ts; docs/sweeper.md "Pushback variants"), each with a deterministic
 * idempotency key and ONE ordering key for all of them (the pipeline delivers them in order, so
 * a transfer or write-off reaches SAP only after the receipt), and the discrepancy for freight
 * claims. Pure: the same delivery, status and settings give the same plan.
 *
 * The receipt is a goods receipt for the stock transport order with its outbound delivery
 * (BAPI_GOODSMVT_CREATE GM_CODE 01, 101, MVT_IND B, PO_NUMBER / PO_ITEM = the STO item the
 * delivery item was created from, DELIV_NUMB / DELIV_ITEM in E1BP2017_GM_ITEM_CREATE1), in the
 * store plant into the hold storage location. Every other posting names the STO and delivery in
 * ITEM_TEXT and the delivery in the header (REF_DOC_NO), with the plant(s) of its movement.
 *
 * Serial numbers: an item with outstanding units is posted with up to that many of its missing
 * serials (E1BP2017_GM_SERIALNUMBER, linked by MATDOC_ITM = item number 0001, 0002, ...); the
 * discrepancy lists every missing serial, also when quantities add up but serials do not.
 */
import type { PushbackPosting, SiteSweepSettings } from '../config/sweeper.js';
import type { Issue } from '../errors.js';
import type { CanonicalIdoc, CanonicalSegment } from '../idoc/codec-json.js';
import type { Discrepancy, PushbackStep } from '../ledger/deliveries/port.js';
import type { DeliveryStatus, ItemStatus } from '../ledger/deliveries/status.js';
import {
  formatQuantity,
  normalizeKey,
  type ExpectedDelivery,
  type ExpectedItem,
} from '../ledger/deliveries/types.js';

export const POSTING_IDOC_TYPE = 'MBGMCR03';
export const POSTING_MESSAGE_TYPE = 'MBGMCR';

export interface PlanOptions {
  /** Posting and document date (SAP DATS, in the config's time zone). */
  readonly postingDate: string;
  /** SAP unit for a delivery unit, when they differ (ISO code in the IDoc, SAP code in the BAPI). */
  readonly unitOf?: (unit: string) => { readonly sap: string; readonly iso: string | null };
}

export interface PushbackPlan {
  readonly steps: PushbackStep[];
  readonly discrepancy: Omit<Discrepancy, 'id' | 'createdAt'>;
}

export type PlanResult =
  { readonly ok: true; readonly plan: PushbackPlan } | { readonly ok: false; readonly issues: Issue[] };

export function orderingKeyOf(delivery: string): string {
  return `pushback:${delivery}`;
}

export function idempotencyKeyOf(delivery: string, step: string): string {
  return `pushback:${delivery}:${step}`;
}

const pad = (v: string, n: number): string => (/^\d+$/.test(v) ? v.padStart(n, '0') : v);

/** An SAP item number in another length (VGPOS NUMC 6 -> PO_ITEM NUMC 5). */
const itemNo = (v: string, n: number): string => pad(normalizeKey(v), n);

/**
 * Removal-from-storage movement types whose receiving storage location is not known yet: 303
 * (help.sap.com "Entering the Removal From Storage At the Issuing Plant": the quantity is in
 * stock in transfer at plant level, the receiving storage location is not yet known).
 */
const REMOVAL_WITHOUT_RECEIVING_SLOC: ReadonlySet<string> = new Set(['303']);

function fields(entries: readonly (readonly [string, string | null | undefined])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== null && v !== undefined && v !== '') out[k] = v;
  return out;
}

interface Line {
  readonly item: ExpectedItem;
  readonly status: ItemStatus;
  readonly serials: readonly string[];
}

/** `STO 4500000123/00010 DLV 0080000191/000010`: the references a posting's item names. */
function referenceText(d: ExpectedDelivery, item: ExpectedItem): string {
  const sto =
    item.purchaseOrder !== null
      ? `STO ${pad(item.purchaseOrder, 10)}/${itemNo(item.purchaseOrderItem ?? '', 5)} `
      : '';
  return `${sto}DLV ${pad(d.sapDelivery, 10)}/${itemNo(item.position, 6)}`.slice(0, 50);
}

/** Plant and storage location of the item, and of the other side of the movement. */
function placesOf(
  posting: PushbackPosting,
  d: ExpectedDelivery,
  settings: SiteSweepSettings,
): { plant: string | null; sloc: string | null; movePlant: string | null; moveSloc: string | null } {
  switch (posting.kind) {
    case 'receipt':
    case 'loss':
      return {
        plant: d.destinationPlant,
        sloc: settings.holdStorageLocation,
        movePlant: null,
        moveSloc: null,
      };
    case 'transfer':
      return {
        plant: d.destinationPlant,
        sloc: settings.holdStorageLocation,
        movePlant: d.originPlant,
        moveSloc: REMOVAL_WITHOUT_RECEIVING_SLOC.has(posting.moveType) ? null : d.originStorageLocation,
      };
    case 'transfer-in':
      // placement in storage, posted in the receiving plant (the origin); the issuing plant is the store
      return {
        plant: d.originPlant,
        sloc: d.originStorageLocation,
        movePlant: d.destinationPlant,
        moveSloc: null,
      };
  }
}

function itemSegment(
  line: Line,
  posting: PushbackPosting,
  d: ExpectedDelivery,
  settings: SiteSweepSettings,
  options: PlanOptions,
): CanonicalSegment {
  const unit = options.unitOf?.(line.item.unit) ?? { sap: line.item.unit, iso: null };
  const at = placesOf(posting, d, settings);
  const ref = posting.referenceDelivery;
  return {
    type: 'E1BP2017_GM_ITEM_CREATE',
    // fields in definition order (idoc-definitions/MBGMCR03.json)
    fields: fields([
      ['MATERIAL', line.item.sapMaterial],
      ['PLANT', at.plant],
      ['STGE_LOC', at.sloc],
      ['BATCH', line.item.batch],
      ['MOVE_TYPE', posting.moveType],
      ['ENTRY_QNT', formatQuantity(line.status.outstandingMilli)],
      ['ENTRY_UOM', unit.sap],
      ['ENTRY_UOM_ISO', unit.iso],
      ['PO_NUMBER', ref && line.item.purchaseOrder !== null ? pad(line.item.purchaseOrder, 10) : null],
      [
        'PO_ITEM',
        ref && line.item.purchaseOrderItem !== null ? itemNo(line.item.purchaseOrderItem, 5) : null,
      ],
      ['NO_MORE_GR', posting.noMoreGr ? 'X' : null],
      ['ITEM_TEXT', referenceText(d, line.item)],
      ['MOVE_PLANT', at.movePlant],
      ['MOVE_STLOC', at.moveSloc],
      ['MOVE_BATCH', at.movePlant !== null ? line.item.batch : null],
      ['MVT_IND', posting.mvtInd],
      ['MOVE_REAS', posting.moveReason],
    ]),
    children: ref
      ? [
          {
            type: 'E1BP2017_GM_ITEM_CREATE1',
            fields: { DELIV_NUMB: pad(d.sapDelivery, 10), DELIV_ITEM: itemNo(line.item.position, 6) },
            children: [],
          },
        ]
      : [],
  };
}

function postingIdoc(
  lines: readonly Line[],
  posting: PushbackPosting,
  d: ExpectedDelivery,
  settings: SiteSweepSettings,
  options: PlanOptions,
): CanonicalIdoc {
  const serials: CanonicalSegment[] = [];
  lines.forEach((line, i) => {
    for (const serial of line.serials) {
      serials.push({
        type: 'E1BP2017_GM_SERIALNUMBER',
        fields: { MATDOC_ITM: String(i + 1).padStart(4, '0'), SERIALNO: serial },
        children: [],
      });
    }
  });
  return {
    control: { IDOCTYP: POSTING_IDOC_TYPE, MESTYP: POSTING_MESSAGE_TYPE },
    segments: [
      {
        type: 'E1MBGMCR',
        fields: {},
        children: [
          {
            type: 'E1BP2017_GM_HEAD_01',
            fields: fields([
              ['PSTNG_DATE', options.postingDate],
              ['DOC_DATE', options.postingDate],
              ['REF_DOC_NO', d.sapDelivery],
              ['HEADER_TXT', `PUSHBACK ${d.delivery} ${posting.name}`.slice(0, 25)],
              ['REF_DOC_NO_LONG', `${d.sapDelivery} ${posting.name}`.slice(0, 35)],
            ]),
            children: [],
          },
          { type: 'E1BP2017_GM_CODE', fields: { GM_CODE: posting.gmCode }, children: [] },
          ...lines.map((l) => itemSegment(l, posting, d, settings, options)),
          ...serials,
        ],
      },
    ],
  };
}

/** The plan for a delivery with something outstanding; issues when it cannot be posted. */
export function planPushback(
  d: ExpectedDelivery,
  status: DeliveryStatus,
  settings: SiteSweepSettings,
  options: PlanOptions,
): PlanResult {
  const issues: Issue[] = [];
  const problem = (code: string, message: string): void => {
    issues.push({
      code,
      message,
      severity: 'error',
      path: `delivery/${d.delivery}`,
      details: { delivery: d.delivery },
    });
  };
  if (d.destinationPlant === null)
    problem('DESTINATION_PLANT_UNKNOWN', `site ${d.destinationSite} has no SAP plant in the sites table`);
  if (
    settings.postings.some((p) => p.kind === 'transfer' || p.kind === 'transfer-in') &&
    d.originPlant === null
  ) {
    problem('ORIGIN_PLANT_UNKNOWN', `origin site ${d.originSite} has no SAP plant`);
  }
  const lines: Line[] = [];
  for (const s of status.items) {
    if (s.outstandingMilli <= 0) continue;
    const item = d.items.find((i) => i.position === s.position);
    if (item === undefined) continue;
    const units = Math.floor(s.outstandingMilli / 1000);
    lines.push({ item, status: s, serials: s.missingSerials.slice(0, units) });
  }
  if (lines.length === 0) problem('NOTHING_OUTSTANDING', 'nothing is outstanding');
  if (settings.postings.some((p) => p.referenceDelivery)) {
    const unreferenced = lines.filter(
      (l) => l.item.purchaseOrder === null || l.item.purchaseOrderItem === null,
    );
    if (unreferenced.length > 0)
      problem(
        'PURCHASE_ORDER_UNKNOWN',
        `delivery item(s) ${unreferenced.map((l) => l.item.position).join(', ')} name no stock transport order ` +
          'item (E1EDL24-VGBEL/VGPOS): a goods receipt for the STO cannot be posted',
      );
  }
  if (issues.length > 0) return { ok: false, issues };
  const steps: PushbackStep[] = settings.postings.map((p) => ({
    name: p.name,
    kind: p.kind,
    idempotencyKey: idempotencyKeyOf(d.delivery, p.name),
    orderingKey: orderingKeyOf(d.delivery),
    idoc: postingIdoc(lines, p, d, settings, options),
    messageId: null,
  }));
  const missing = status.items.filter((i) => i.outstandingMilli > 0 || i.missingSerials.length > 0);
  return {
    ok: true,
    plan: {
      steps,
      discrepancy: {
        delivery: d.delivery,
        originSite: d.originSite,
        destinationSite: d.destinationSite,
        resolution: settings.resolution,
        missingQuantity: status.outstandingMilli / 1000,
        missingSerials: missing.reduce((n, i) => n + i.missingSerials.length, 0),
        items: missing.map((i) => ({
          position: i.position,
          material: i.material,
          unit: i.unit,
          expected: i.expectedMilli / 1000,
          received: i.receivedMilli / 1000,
          missing: i.outstandingMilli / 1000,
          missingSerials: i.missingSerials,
        })),
      },
    },
  };
}
