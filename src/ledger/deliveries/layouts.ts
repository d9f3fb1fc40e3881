/**
 * Where deliveries and receipts sit in IDocs, as data. Shared code reads these tables and never
 * branches on an IDoc type name: another delivery release (DELVRY05), an extension with other
 * segment names or a customer movement type is one more entry (or one changed value) here.
 *
 * Facts behind the values (docs/sweeper.md "Delivery lifecycle" has the SAP sources):
 * ../shared/reference/IDOC-FORMAT.md §4 (DELVRY07 tree, serial-number
 * segments E1EDL11 / E1EDL46 / E1EDL59, handling units E1EDL37 > E1EDL44, partners E1ADRM1),
 * §5 (MBGMCR03: items and serials are siblings linked by MATDOC_ITM) and §8 (movement types).
 */
import type { MilestoneKind } from './types.js';
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
 * What a delivery IDoc means to the ledger, by message type (help.sap.com "Delivery Interface":
 * DESADV shipping notification, SHPORD shipping order to a warehousing contractor, WHSORD
 * warehouse order to an internal warehouse are outbound from SAP; SHPCON / WHSCON are the
 * confirmations of the warehouse that EXECUTES the outbound delivery, inbound to SAP):
 * `expect`    an outbound delivery SAP announces (the store should receive it);
 * `milestone` the executing warehouse (the DC) confirms picking (E1EDL18 PIC) or the goods issue
 *             (E1EDL18 PGI; wiki.scn.sap.com "WHSCON and SHPCON IDoc"). Neither is the store's
 *             receipt: PGI at the DC posts the goods issue of the stock transport order (641 /
 *             643) into stock in transit of the receiving plant (help.sap.com "Stock Transfer
 *             Using Stock Transport Order"); the store receives with a 101 later.
 */
export interface DeliveryRole {
  readonly messageTypes: readonly string[];
  readonly role: 'expect' | 'milestone';
  /** For `milestone`: which confirmation. */
  readonly milestone?: MilestoneKind;
  /** All of these must hold (e.g. E1EDL18 QUALF PGI). */
  readonly when?: readonly HeaderCondition[];
  /** None of these may hold. */
  readonly unless?: readonly HeaderCondition[];
}

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

const PGI = { segment: 'E1EDL18', field: 'QUALF', values: ['PGI'] } as const;
const PIC = { segment: 'E1EDL18', field: 'QUALF', values: ['PIC'] } as const;

export const DELIVERY_LEDGER_LAYOUTS: readonly DeliveryLedgerLayout[] = [
  {
    kind: 'delivery',
    ...DELVRY_LAYOUT,
    actualGoodsIssueDates: [DELVRY_LAYOUT.goodsIssueActual],
    plannedGoodsIssueDates: [DELVRY_LAYOUT.goodsIssuePlanned],
    roles: [
      { messageTypes: ['SHPORD', 'WHSORD', 'DESADV'], role: 'expect' },
      { messageTypes: ['WHSCON', 'SHPCON'], role: 'milestone', milestone: 'goods-issued', when: [PGI] },
      { messageTypes: ['WHSCON', 'SHPCON'], role: 'milestone', milestone: 'picked', when: [PIC] },
    ],
  },
  {
    kind: 'goods-movement',
    ...MBGMCR_LAYOUT,
    // 101: goods receipt for the stock transport order / its replenishment delivery in the
    // receiving plant (help.sap.com "Goods Receipt for a Stock Transport Order"; "Stock Transfer
    // Using Stock Transport Order": GI 641/643, GR 101).
    receiptMoveTypes: ['101'],
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
