/**
 * The pushback plan of one overdue delivery: the MBGMCR03 postings the config describes (by
 * default a goods receipt of the outstanding quantity and serials into the hold storage location
 * at the store, then a transfer back to the originating plant), each with a deterministic
 * idempotency key and one ordering key for all of them, and the discrepancy for freight claims.
 * Pure: the same delivery, status and settings give the same plan.
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
import { formatQuantity, type ExpectedDelivery, type ExpectedItem } from '../ledger/deliveries/types.js';

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

function itemSegment(
  line: Line,
  posting: PushbackPosting,
  d: ExpectedDelivery,
  settings: SiteSweepSettings,
  options: PlanOptions,
): CanonicalSegment {
  const unit = options.unitOf?.(line.item.unit) ?? { sap: line.item.unit, iso: null };
  const transfer = posting.kind === 'transfer';
  return {
    type: 'E1BP2017_GM_ITEM_CREATE',
    // fields in definition order (idoc-definitions/MBGMCR03.json)
    fields: fields([
      ['MATERIAL', line.item.sapMaterial],
      ['PLANT', d.destinationPlant],
      ['STGE_LOC', settings.holdStorageLocation],
      ['BATCH', line.item.batch],
      ['MOVE_TYPE', posting.moveType],
      ['ENTRY_QNT', formatQuantity(line.status.outstandingMilli)],
      ['ENTRY_UOM', unit.sap],
      ['ENTRY_UOM_ISO', unit.iso],
      ['ITEM_TEXT', `idocgate pushback of delivery ${d.delivery}`],
      ['MOVE_PLANT', transfer ? d.originPlant : null],
      ['MOVE_STLOC', transfer ? d.originStorageLocation : null],
      ['MOVE_BATCH', transfer ? line.item.batch : null],
      ['MVT_IND', posting.mvtInd],
      ['DELIV_NUMB_TO_SEARCH', posting.referenceDelivery ? pad(d.sapDelivery, 10) : null],
      ['DELIV_ITEM_TO_SEARCH', posting.referenceDelivery ? pad(line.item.position, 6) : null],
    ]),
    children: [],
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
  if (settings.postings.some((p) => p.kind === 'transfer') && d.originPlant === null) {
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
