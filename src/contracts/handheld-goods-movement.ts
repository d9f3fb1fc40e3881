/**
 * Payload of a handheld goods-movement scan: one movement of one kind at one site, with items,
 * quantities, units and serial numbers. Mapped to MBGMCR03 (mappings/handheld-to-mbgmcr03.yaml).
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

const delivery = z
  .string()
  .regex(/^\d{1,10}$/)
  .describe('SAP delivery number');
const purchaseOrder = z
  .string()
  .regex(/^\d{1,10}$/)
  .describe('SAP purchase order number');
const vendor = z.string().min(1).max(10).describe('SAP vendor (supplier) number');

export const movement = z.discriminatedUnion('kind', [
  z
    .strictObject({ kind: z.literal('receipt-delivery'), delivery })
    .describe('goods receipt against an inbound delivery (101)'),
  z
    .strictObject({ kind: z.literal('receipt-po'), purchaseOrder })
    .describe('goods receipt against a purchase order (101)'),
  z
    .strictObject({ kind: z.literal('return-to-vendor'), purchaseOrder })
    .describe('return delivery to the vendor (122)'),
  z
    .strictObject({ kind: z.literal('transfer-location'), toStorageLocation: storageLocation })
    .describe('transfer between storage locations of the site (311)'),
  z
    .strictObject({
      kind: z.literal('transfer-site'),
      toSite: siteCode,
      toStorageLocation: storageLocation.optional(),
    })
    .describe('transfer to another site (301)'),
  z.strictObject({ kind: z.literal('vendor-repair-out'), vendor }).describe('out to vendor for repair (541)'),
  z
    .strictObject({ kind: z.literal('vendor-repair-return'), vendor })
    .describe('return from vendor repair (542)'),
  z.strictObject({ kind: z.literal('initial-stock') }).describe('initial stock load (561)'),
  z
    .strictObject({
      kind: z.literal('scrap'),
      reason: z
        .string()
        .regex(/^\d{1,4}$/)
        .optional(),
    })
    .describe('scrapping (551), optional SAP reason code'),
  z
    .strictObject({ kind: z.literal('customer-return') })
    .describe('customer return into unrestricted stock (653)'),
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
    .describe('item of the inbound delivery'),
  poItem: z
    .string()
    .regex(/^\d{1,5}$/)
    .optional()
    .describe('item of the purchase order'),
});

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
  .describe('Handheld goods-movement scan');

export type HandheldGoodsMovement = z.infer<typeof handheldGoodsMovement>;
