/**
 * Where deliveries and receipts sit in IDocs, as data. Shared code reads these tables and never
 * branches on an IDoc type name: another delivery release (DELVRY05), an extension with other
 * segment names or a customer movement type is one more entry (or one changed value) here.
 *
 * Facts behind the values: ../shared/reference/IDOC-FORMAT.md §4 (DELVRY07 tree, serial-number
 * segments E1EDL11 / E1EDL46 / E1EDL59, handling units E1EDL37 > E1EDL44, partners E1ADRM1),
 * §5 (MBGMCR03: items and serials are siblings linked by MATDOC_ITM) and §8 (movement types).
 */
import {
  DELVRY_LAYOUT,
  MBGMCR_LAYOUT,
  type DelvryLayout,
  type MbgmcrLayout,
  type QualifiedDate,
} from '../idoc-layouts.js';

/** A child segment of the delivery header whose field must (or must not) hold one of the values. */
export type { QualifiedDate, SerialPath } from '../idoc-layouts.js';

export interface HeaderCondition {
  readonly segment: string;
  readonly field: string;
  readonly values: readonly string[];
}

/**
 * What a delivery IDoc means to the ledger, by message type:
 * `expect`  an outbound delivery SAP announces (the store should receive it);
 * `receipt` a warehouse/shipping confirmation that the goods arrived at the store.
 */
export interface DeliveryRole {
  readonly messageTypes: readonly string[];
  readonly role: 'expect' | 'receipt';
  /** All of these must hold (e.g. E1EDL18 QUALF PGI). */
  readonly when?: readonly HeaderCondition[];
  /** None of these may hold (e.g. E1EDL18 QUALF PIC: a picking confirmation from the DC). */
  readonly unless?: readonly HeaderCondition[];
}

export interface DeliveryIdocLayout extends DelvryLayout {
  readonly kind: 'delivery';
  /** Goods-issue date segments, tried in order; the control record's CREDAT/CRETIM is the last resort. */
  readonly goodsIssue: readonly QualifiedDate[];
  readonly roles: readonly DeliveryRole[];
}

export interface GoodsMovementIdocLayout extends MbgmcrLayout {
  readonly kind: 'goods-movement';
  /** Movement types that are a goods receipt of the delivery at the store. */
  readonly receiptMoveTypes: readonly string[];
}

export type DeliveryLedgerLayout = DeliveryIdocLayout | GoodsMovementIdocLayout;

const PGI = { segment: 'E1EDL18', field: 'QUALF', values: ['PGI'] } as const;
const PIC = { segment: 'E1EDL18', field: 'QUALF', values: ['PIC'] } as const;

export const DELIVERY_LEDGER_LAYOUTS: readonly DeliveryLedgerLayout[] = [
  {
    kind: 'delivery',
    ...DELVRY_LAYOUT,
    // actual goods issue first, the planned one while it is not posted yet
    goodsIssue: [DELVRY_LAYOUT.goodsIssueActual, DELVRY_LAYOUT.goodsIssuePlanned],
    roles: [
      { messageTypes: ['SHPORD', 'WHSORD', 'DESADV'], role: 'expect' },
      // A store's own confirmation: goods movement posted (PGI) without a picking confirmation.
      { messageTypes: ['WHSCON', 'SHPCON'], role: 'receipt', when: [PGI], unless: [PIC] },
    ],
  },
  {
    kind: 'goods-movement',
    ...MBGMCR_LAYOUT,
    // 101: goods receipt against the (inbound/outbound) delivery; 305: placement in the receiving
    // plant of a two-step transfer (IDOC-FORMAT.md §8).
    receiptMoveTypes: ['101', '305'],
  },
];

export function deliveryLedgerLayoutFor(
  idocType: string | null | undefined,
): DeliveryLedgerLayout | undefined {
  const t = (idocType ?? '').trim().toUpperCase();
  return DELIVERY_LEDGER_LAYOUTS.find((l) => l.idocTypes.includes(t));
}

/** Message types the ledger reads, by when a message of that type is applied. */
export const LEDGER_MESSAGE_TYPES = {
  /** Announcements from SAP: applied as soon as they are stored (whatever happens to their delivery). */
  onReceipt: ['SHPORD', 'WHSORD', 'DESADV'],
  /** Receipts going to SAP: applied once SAP has them (status delivered). */
  onDelivery: ['WHSCON', 'SHPCON', 'MBGMCR'],
} as const;

/** Handheld scan movement kinds that are a goods receipt against a delivery. */
export const HANDHELD_RECEIPT_KINDS: readonly string[] = ['receipt-delivery'];

/** WMS confirmation events that mean the goods arrived. */
export const WMS_RECEIPT_EVENTS: readonly string[] = ['received'];
