/**
 * What the delivery ledger reads from IDocs: the layouts of ../movements/layouts/*.yaml (their
 * `deliveryLedger` parts say what a message type means to this ledger and which movement types
 * are a receipt). Shared code reads these tables and never branches on an IDoc type name:
 * another delivery release, an extension with other segment names or a customer movement type is
 * one more entry (or one changed value) in a data file.
 *
 * Facts behind the values: the comments in the data files and docs/sweeper.md "Delivery lifecycle".
 */
import {
  DELVRY_LAYOUT,
  MBGMCR_LAYOUT,
  type DelvryLayout,
  type MbgmcrLayout,
  type QualifiedDate,
} from '../movements/idoc-layouts.js';
import type { MilestoneKind } from './types.js';

export type { HeaderCondition, QualifiedDate, SerialPath } from '../movements/idoc-layouts.js';

/** What a delivery IDoc means to the ledger by message type (../movements/layouts/delvry.yaml `deliveryLedger`). */
export type DeliveryRole = DelvryLayout['deliveryLedger']['roles'][number];

export interface DeliveryIdocLayout extends DelvryLayout {
  readonly kind: 'delivery';
  /** ACTUAL goods-issue date segments, tried in order (the grace period starts there). */
  readonly actualGoodsIssueDates: readonly QualifiedDate[];
  /** Planned goods-issue date segments (shown; only used to say what the sweeper skips). */
  readonly plannedGoodsIssueDates: readonly QualifiedDate[];
  readonly roles: readonly DeliveryRole[];
}

export interface GoodsMovementIdocLayout extends MbgmcrLayout {
  readonly kind: 'goods-movement';
  /** Movement types that are a goods receipt of the delivery at the store. */
  readonly receiptMoveTypes: readonly string[];
}

export type DeliveryLedgerLayout = DeliveryIdocLayout | GoodsMovementIdocLayout;

export const DELIVERY_LEDGER_LAYOUTS: readonly DeliveryLedgerLayout[] = [
  {
    ...DELVRY_LAYOUT,
    actualGoodsIssueDates: [DELVRY_LAYOUT.goodsIssueActual],
    plannedGoodsIssueDates: [DELVRY_LAYOUT.goodsIssuePlanned],
    roles: DELVRY_LAYOUT.deliveryLedger.roles,
  },
  { ...MBGMCR_LAYOUT, receiptMoveTypes: MBGMCR_LAYOUT.deliveryLedger.receiptMoveTypes },
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
  /** Confirmations and receipts going to SAP: applied once SAP has them (status delivered). */
  onDelivery: ['WHSCON', 'SHPCON', 'MBGMCR'],
} as const;

/** Handheld scan movement kinds that are a goods receipt against a delivery. */
export const HANDHELD_RECEIPT_KINDS: readonly string[] = ['receipt-delivery', 'receipt-sto'];

/** WMS confirmation events of the executing warehouse (the DC) before the store's receipt. */
export const WMS_MILESTONE_EVENTS: Readonly<Record<string, MilestoneKind>> = {
  picked: 'picked',
  packed: 'picked',
  shipped: 'goods-issued',
};
