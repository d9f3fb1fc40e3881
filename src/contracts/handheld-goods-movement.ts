/**
 * Payload of a handheld goods-movement scan: one movement of one kind at one site, with items,
 * quantities, units and serial numbers. Mapped to MBGMCR03 (mappings/handheld-to-mbgmcr03.yaml).
 *
 * Each movement kind carries what SAP needs for its goods movement (BAPI_GOODSMVT_CREATE);
 * docs/movement-types.md has the rule and the SAP source for every kind. A scan missing a
 * required reference is refused with an issue naming the path (`/items/0/poItem`).
 */
import { z } from 'zod';
import {
  article,
  isoTimestamp,
  isoUnit,
  quantity,
  serialNumber,
  siteCode,
  storageLocation,
} from './common.js';

/** A missing reference gets a message naming the SAP field, not just "expected string". */
const needed = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `required for this movement kind: ${what}` : undefined,
});

const delivery = z
  .string(needed('the SAP delivery number (VBELN)'))
  .regex(/^\d{1,10}$/)
  .describe('SAP delivery number (VBELN, 10 digits)');
const purchaseOrder = z
  .string(needed('the SAP purchase order number (PO_NUMBER)'))
  .regex(/^\d{1,10}$/)
  .describe('SAP purchase order number (EBELN, 10 digits)');
const vendor = z
  .string(needed('the SAP vendor number (VENDOR)'))
  .min(1)
  .max(10)
  .describe('SAP vendor (supplier) number');
const reason = z
  .string(needed('the reason for movement (MOVE_REAS)'))
  .regex(/^\d{1,4}$/)
  .describe('SAP reason for movement (MOVE_REAS / GRUND, up to 4 digits, e.g. 1 = 0001)');
/** The DC a store sends goods back to: for the serial ledger only (SAP takes the plant from the STO). */
const dcSite = (what: string) =>
  z
    .string(needed(what))
    .regex(/^[A-Z0-9]{1,10}$/)
    .describe(`${what}: site code, e.g. DC01 (not written to SAP)`);
const costCenter = z.string().min(1).max(10).describe('SAP cost center (COSTCENTER)');
const customer = z.string().min(1).max(10).describe('SAP customer number (CUSTOMER)');

export const movement = z.discriminatedUnion('kind', [
  z
    .strictObject({ kind: z.literal('receipt-delivery'), delivery, purchaseOrder: purchaseOrder.optional() })
    .describe(
      'goods receipt (101, GM_CODE 01) against an inbound delivery / shipping notification: ' +
        'DELIV_NUMB_TO_SEARCH + DELIV_ITEM_TO_SEARCH (items[].deliveryItem)',
    ),
  z
    .strictObject({ kind: z.literal('receipt-sto'), purchaseOrder, delivery })
    .describe(
      'goods receipt (101, GM_CODE 01, MVT_IND B) for a stock transport order with an outbound ' +
        '(replenishment) delivery: PO_NUMBER + PO_ITEM (items[].poItem) of the STO, ' +
        'DELIV_NUMB + DELIV_ITEM (items[].deliveryItem) of the delivery',
    ),
  z
    .strictObject({
      kind: z.literal('return-sto'),
      purchaseOrder,
      toSite: dcSite('the site the goods go back to (the DC, supplying plant of the returns STO)'),
      delivery: delivery.optional(),
    })
    .describe(
      'store return on a returns stock transport order (PO item with the returns indicator): the ' +
        'goods issue at the store, GM_CODE 01 / 161 / MVT_IND B against PO_NUMBER + PO_ITEM ' +
        '(items[].poItem) of the returns STO; with the returns delivery (delivery, ' +
        'items[].deliveryItem) in DELIV_NUMB / DELIV_ITEM. toSite (the DC) is for the serial ' +
        'ledger only: SAP takes the supplying plant from the STO. The DC receives with the goods ' +
        'movement of the returns delivery (671), posted in SAP Shipping',
    ),
  z
    .strictObject({
      kind: z.literal('sto-issue'),
      purchaseOrder,
      toSite: dcSite('the receiving site of the stock transport order (the DC)'),
    })
    .describe(
      'goods issue at this site for a stock transport order WITHOUT an SD delivery (351, GM_CODE 04, ' +
        'MVT_IND B; PO_NUMBER + PO_ITEM, items[].poItem): into stock in transit of the receiving ' +
        'plant, which receives with 101 against the STO. toSite is for the serial ledger only',
    ),
  z
    .strictObject({ kind: z.literal('receipt-po'), purchaseOrder })
    .describe('goods receipt against a purchase order (101, GM_CODE 01, MVT_IND B; items[].poItem)'),
  z
    .strictObject({ kind: z.literal('return-to-vendor'), purchaseOrder, reason })
    .describe('return delivery to the vendor (122, GM_CODE 01, MVT_IND B; items[].poItem; reason)'),
  z
    .strictObject({
      kind: z.literal('transfer-location'),
      toStorageLocation: z.string(needed('the receiving storage location (MOVE_STLOC)')).min(1).max(4),
    })
    .describe('transfer between storage locations of the site (311)'),
  z
    .strictObject({
      kind: z.literal('transfer-site'),
      toSite: siteCode,
      toStorageLocation: storageLocation.optional(),
    })
    .describe('transfer to another site (301)'),
  z
    .strictObject({ kind: z.literal('vendor-repair-out'), vendor })
    .describe('to the repair vendor: stock of material provided to vendor (541, special stock O)'),
  z
    .strictObject({ kind: z.literal('vendor-repair-return'), vendor })
    .describe('back from the repair vendor, unchanged (542, special stock O)'),
  z
    .strictObject({ kind: z.literal('vendor-repair-receipt'), purchaseOrder })
    .describe(
      'repaired device received against the subcontract order (101, GM_CODE 01, MVT_IND B; ' +
        'items[].poItem; SAP posts the consumption of the provided device, 543)',
    ),
  z.strictObject({ kind: z.literal('initial-stock') }).describe('initial entry of stock balances (561)'),
  z
    .strictObject({
      kind: z.literal('scrap'),
      reason: reason.optional(),
      costCenter: costCenter.optional(),
    })
    .describe('scrapping from unrestricted-use stock (551, GM_CODE 03)'),
  z
    .strictObject({ kind: z.literal('customer-return'), customer: customer.optional() })
    .describe('customer return without an SD returns delivery: into blocked stock returns (451)'),
  z
    .strictObject({ kind: z.literal('customer-return-release') })
    .describe('blocked stock returns released to unrestricted-use stock (453, GM_CODE 04)'),
  z
    .strictObject({ kind: z.literal('customer-return-sd'), customer: customer.optional() })
    .describe(
      'customer return into unrestricted-use stock as an SD returns delivery posts it (653); ' +
        'see docs/movement-types.md before using it',
    ),
]);

export const handheldItem = z.strictObject({
  article,
  quantity,
  unit: isoUnit,
  batch: z.string().min(1).max(10).optional(),
  serialNumbers: z.array(serialNumber).max(9999).optional(),
  deliveryItem: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional()
    .describe('item of the delivery (POSNR)'),
  poItem: z
    .string()
    .regex(/^\d{1,5}$/)
    .optional()
    .describe('item of the purchase order / stock transport order (EBELP)'),
  deliveryCompleted: z
    .boolean()
    .optional()
    .describe('the purchase order item is complete: no further goods receipt expected (NO_MORE_GR)'),
});

/** Item fields each kind requires (beyond the common ones). */
const ITEM_REQUIRES: Readonly<Record<string, readonly ('poItem' | 'deliveryItem')[]>> = {
  'receipt-sto': ['poItem', 'deliveryItem'],
  'receipt-po': ['poItem'],
  'return-to-vendor': ['poItem'],
  'return-sto': ['poItem'],
  'sto-issue': ['poItem'],
  'vendor-repair-receipt': ['poItem'],
};

const ITEM_FIELD_TEXT: Readonly<Record<'poItem' | 'deliveryItem', string>> = {
  poItem: 'the purchase order item (PO_ITEM)',
  deliveryItem: 'the delivery item (DELIV_ITEM)',
};

/** Kinds whose goods receipt references a purchase order (NO_MORE_GR is allowed there only). */
const PO_RECEIPT_KINDS: ReadonlySet<string> = new Set([
  'receipt-delivery',
  'receipt-sto',
  'receipt-po',
  'return-sto',
  'vendor-repair-receipt',
]);

export const handheldGoodsMovement = z
  .strictObject({
    scanId: z.string().min(1).max(35).describe('unique id of the scan (idempotency key)'),
    site: siteCode,
    storageLocation: storageLocation.optional().describe('defaults to the site’s storage location'),
    movement,
    items: z.array(handheldItem).min(1).max(9999),
    device: z.string().min(1).max(40),
    user: z.string().min(1).max(40),
    scannedAt: isoTimestamp,
  })
  .superRefine((scan, ctx) => {
    const kind = scan.movement.kind;
    const requires = ITEM_REQUIRES[kind] ?? [];
    // A returns STO with its returns delivery: every item names its delivery item.
    const withDelivery = kind === 'return-sto' && scan.movement.delivery !== undefined;
    scan.items.forEach((item, i) => {
      if (withDelivery && item.deliveryItem === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'deliveryItem'],
          message: `movement kind ${kind} with a returns delivery needs ${ITEM_FIELD_TEXT.deliveryItem} on every item`,
        });
      for (const field of requires)
        if (item[field] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['items', i, field],
            message: `movement kind ${kind} needs ${ITEM_FIELD_TEXT[field]} on every item`,
          });
      if (item.deliveryCompleted === true && !PO_RECEIPT_KINDS.has(kind))
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'deliveryCompleted'],
          message: `deliveryCompleted (NO_MORE_GR) applies to goods receipts for a purchase order, not to movement kind ${kind}`,
        });
    });
  })
  .describe('Handheld goods-movement scan');

export type HandheldGoodsMovement = z.infer<typeof handheldGoodsMovement>;
