/**
 * What the delivery ledger reads: the IDoc layouts of ../movements/layouts/*.yaml (their
 * `deliveryLedger` parts say what a message type means to this ledger and which movement types
 * are a receipt; ../movements/read.ts applies them), and the message types and partner JSON
 * kinds below. Shared code reads these tables and never branches on an IDoc type name:
 * another delivery release, an extension with other segment names or a customer movement type is
 * one more entry (or one changed value) in a data file.
 *
 * Facts behind the values: the comments in the data files and docs/sweeper.md "Delivery lifecycle".
 */
import { movementLayoutFor } from '../movements/read.js';
import type { MilestoneKind } from './types.js';

export type { HeaderCondition, QualifiedDate, SerialPath } from '../movements/idoc-layouts.js';

/** The layout of an IDoc type the ledger reads (../movements/read.ts reads the IDoc by it). */
export const deliveryLedgerLayoutFor = movementLayoutFor;

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
