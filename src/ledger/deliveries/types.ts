/**
 * The delivery ledger's vocabulary: what a store expects from an outbound delivery (items,
 * quantities, handling units, serial numbers), what arrived (receipt lines), and the states a
 * delivery goes through. Pure types and small helpers; no I/O.
 */

/**
 * Stored states, in the order a delivery goes through them (docs/sweeper.md "Delivery
 * lifecycle", with the SAP source of each transition). `overdue` is not stored: it is an open or
 * partially received delivery whose grace period (counted from the ACTUAL goods issue) has
 * passed (`dueAt <= now`), see viewStateOf.
 *
 * - `announced`     SAP created the outbound delivery (SHPORD / WHSORD / DESADV) and no goods
 *                   issue is known yet: never due, never pushed back
 * - `picked`        the DC confirmed picking (WHSCON/SHPCON E1EDL18 PIC); still not goods-issued
 * - `open`          goods issued at the DC (WHSCON/SHPCON PGI, or an announcement carrying the
 *                   actual goods-issue date): in transit to the store, nothing received yet
 * - `partial`       something received at the store, something still outstanding
 * - `pushing-back`  the sweeper decided to push back and fixed the postings; they are being created
 * - `pushed-back`   the pushback postings exist (queued to SAP); a discrepancy is recorded
 * - `closed`        everything expected was received
 */
export const STORED_STATES = [
  'announced',
  'picked',
  'open',
  'partial',
  'pushing-back',
  'pushed-back',
  'closed',
] as const;
export type StoredState = (typeof STORED_STATES)[number];

/**
 * States as support sees them (the API's `state` filter). `open` is the in-transit state (goods
 * issued, nothing received): the name stays `open` so that existing API clients and the console
 * keep working.
 */
export const VIEW_STATES = [
  'announced',
  'picked',
  'open',
  'partially-received',
  'overdue',
  'pushed-back',
  'closed',
] as const;
export type ViewState = (typeof VIEW_STATES)[number];

/** The due time of deliveries the sweeper never pushes back (sweeper off, or no goods issue yet). */
export const NEVER_DUE = new Date('9999-12-31T00:00:00Z');

/** Stored states that still wait for goods (the sweeper's candidates once due). */
export const WAITING_STATES: readonly StoredState[] = ['open', 'partial'];

/** Stored states before and during the transit: the receipts are still to come or coming. */
export const BEFORE_RECEIPT_STATES: readonly StoredState[] = ['announced', 'picked', 'open'];

/**
 * The stored state a delivery's receipts and confirmations lead to (the ledger keeps
 * pushing-back / pushed-back whatever comes later). Receipts decide once there are any (a store
 * can only receive what was issued); before that, the goods issue, then the picking confirmation.
 */
export function lifecycleStateOf(
  receiptState: 'open' | 'partial' | 'closed',
  facts: { readonly goodsIssued: boolean; readonly picked: boolean },
): Exclude<StoredState, 'pushing-back' | 'pushed-back'> {
  if (receiptState !== 'open') return receiptState;
  if (facts.goodsIssued) return 'open';
  return facts.picked ? 'picked' : 'announced';
}

export function viewStateOf(state: StoredState, dueAt: Date, now: Date): ViewState {
  switch (state) {
    case 'announced':
    case 'picked':
      return state;
    case 'open':
    case 'partial':
      if (dueAt.getTime() <= now.getTime()) return 'overdue';
      return state === 'open' ? 'open' : 'partially-received';
    case 'pushing-back':
    case 'pushed-back':
      return 'pushed-back';
    case 'closed':
      return 'closed';
  }
}

/** Stored states behind a view state (plus whether the due time must be past or future). */
export function storedStatesOf(view: ViewState): { states: StoredState[]; due?: 'past' | 'future' } {
  switch (view) {
    case 'announced':
      return { states: ['announced'] };
    case 'picked':
      return { states: ['picked'] };
    case 'open':
      return { states: ['open'], due: 'future' };
    case 'partially-received':
      return { states: ['partial'], due: 'future' };
    case 'overdue':
      return { states: ['open', 'partial'], due: 'past' };
    case 'pushed-back':
      return { states: ['pushing-back', 'pushed-back'] };
    case 'closed':
      return { states: ['closed'] };
  }
}

export interface ExpectedItem {
  /** Delivery item number (POSNR), without leading zeros. */
  readonly position: string;
  /** Material number, normalised (see normalizeKey). */
  readonly material: string;
  /** Material number as SAP wrote it (for postings back to SAP). */
  readonly sapMaterial: string;
  /** Expected quantity in thousandths of the unit (integer; 1.5 PCE = 1500). */
  readonly quantityMilli: number;
  /** Sales unit as in the delivery (VRKME). */
  readonly unit: string;
  readonly plant: string | null;
  readonly storageLocation: string | null;
  readonly batch: string | null;
  /**
   * The stock transport order (purchase order) and item the delivery item was created from
   * (E1EDL24-VGBEL / VGPOS, as SAP wrote them); null when the delivery does not say.
   */
  readonly purchaseOrder: string | null;
  readonly purchaseOrderItem: string | null;
}

export interface ExpectedSerial {
  readonly material: string;
  readonly serial: string;
  /** The delivery item it belongs to, when known. */
  readonly position: string | null;
  readonly handlingUnit: string | null;
}

/** One outbound delivery as announced by SAP (DELVRY0x SHPORD/WHSORD/DESADV). */
export interface ExpectedDelivery {
  /** Delivery number (VBELN) without leading zeros: the ledger key. */
  readonly delivery: string;
  /** VBELN as SAP wrote it. */
  readonly sapDelivery: string;
  readonly originSite: string;
  readonly originPlant: string | null;
  readonly originStorageLocation: string | null;
  readonly shippingPoint: string | null;
  readonly destinationSite: string;
  readonly destinationPlant: string | null;
  readonly destinationStorageLocation: string | null;
  /** Ship-to partner number (E1ADRM1 PARTNER_Q WE) as in the IDoc. */
  readonly shipTo: string | null;
  /**
   * The carrier: the forwarding agent's partner number (E1ADRM1 PARTNER_Q SP, the layout's
   * `partner.carrier`), without leading zeros; null when the announcement names none (a later
   * announcement without one keeps the known carrier).
   */
  readonly carrier: string | null;
  /**
   * The ACTUAL goods issue at the DC (E1EDT13 ISDD/ISDZ of the goods-issue date, a WHSCON/SHPCON
   * PGI confirmation, a WMS `shipped` confirmation); null while none is known. The grace period
   * starts here.
   */
  readonly goodsIssueAt: Date | null;
  /** The planned goods issue (E1EDT13 NTANF/NTANZ): shown, never used for the grace period. */
  readonly plannedGoodsIssueAt: Date | null;
  /** When the DC confirmed picking (WHSCON/SHPCON E1EDL18 PIC, a WMS `picked` confirmation). */
  readonly pickedAt: Date | null;
  readonly items: readonly ExpectedItem[];
  readonly handlingUnits: readonly string[];
  readonly serials: readonly ExpectedSerial[];
}

/** A confirmation from the executing warehouse (DC) that moves a delivery before it is received. */
export type MilestoneKind = 'picked' | 'goods-issued';

export interface Milestone {
  readonly delivery: string;
  readonly kind: MilestoneKind;
  readonly at: Date;
}

export type ReceiptSource = 'handheld' | 'goods-movement' | 'wms-confirmation';

/** One receipt line: goods of one item (or one material) arriving for a delivery. */
export interface ReceiptLine {
  readonly delivery: string;
  /** Line number within its message (idempotency: message id + delivery + line). */
  readonly line: number;
  readonly source: ReceiptSource;
  readonly position: string | null;
  readonly material: string | null;
  readonly quantityMilli: number;
  readonly unit: string | null;
  readonly serials: readonly string[];
  readonly eventAt: Date;
}

/** A receipt line as stored, with where it came from and whether it arrived after a pushback. */
export interface RecordedReceipt extends ReceiptLine {
  readonly messageId: string;
  readonly recordedAt: Date;
  /** Recorded after the delivery was pushed back: flagged, not counted. */
  readonly late: boolean;
}

/** The ledgers' one leading-zero rule (ALPHA output form): ../movements/keys.ts. */
export { keyOrNull, normalizeKey } from '../movements/keys.js';

/** Parses an SAP quantity (`180.000`, ` 4.000`, `5-`) into thousandths; undefined when not a number. */
export function parseQuantityMilli(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  let t = value.trim();
  if (t === '') return undefined;
  let sign = 1;
  if (t.endsWith('-')) {
    sign = -1;
    t = t.slice(0, -1).trim();
  } else if (t.startsWith('-')) {
    sign = -1;
    t = t.slice(1);
  }
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) return undefined;
  return sign * Math.round(Number(t) * 1000);
}

/** Thousandths -> SAP quantity text with 3 decimals (`1500` -> `1.500`). */
export function formatQuantity(milli: number): string {
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  return `${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}${sign}`;
}

/** Thousandths -> a JSON number (`1500` -> 1.5). */
export function milliToNumber(milli: number): number {
  return milli / 1000;
}
