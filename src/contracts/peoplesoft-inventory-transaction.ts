/**
 * Payload for PeopleSoft Inventory: one transaction per MBGMCR03 goods movement, one line per
 * item (mappings/mbgmcr03-to-peoplesoft.yaml). Business units and transaction types come from
 * lookup tables, so they can follow the customer's PeopleSoft set-up.
 */
import { z } from 'zod';
import { isoDate, isoUnit, serialNumber } from './common.js';

export const peoplesoftLine = z.strictObject({
  lineNumber: z.number().int().positive(),
  businessUnit: z.string().min(1).max(5),
  storageArea: z.string().max(4).optional(),
  item: z.string().min(1).max(18),
  quantity: z
    .number()
    .describe(
      'signed quantity at businessUnit/storageArea: + stock in, - stock out; the sign comes from the movement type (tables/peoplesoft-transaction-types.yaml)',
    ),
  unitOfMeasure: isoUnit,
  movementType: z.string().regex(/^\d{3}$/),
  transactionType: z.string().min(1),
  toBusinessUnit: z.string().max(5).optional(),
  toStorageArea: z.string().max(4).optional(),
  toQuantity: z
    .number()
    .optional()
    .describe(
      'transfer postings: the signed quantity at toBusinessUnit/toStorageArea (the same business unit when toBusinessUnit is absent)',
    ),
  vendor: z.string().max(10).optional(),
  purchaseOrder: z.string().max(10).optional(),
  purchaseOrderLine: z.string().max(5).optional(),
  delivery: z.string().max(10).optional().describe('delivery the goods receipt refers to'),
  deliveryItem: z.string().max(6).optional(),
  serialNumbers: z.array(serialNumber).optional(),
});

export const peoplesoftInventoryTransaction = z
  .strictObject({
    transactionId: z.string().min(1).max(35),
    idocNumber: z.string().max(16).optional(),
    postingDate: isoDate,
    documentDate: isoDate.optional(),
    goodsMovementCode: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
    headerText: z.string().max(25).optional(),
    lines: z.array(peoplesoftLine).min(1),
  })
  .describe('PeopleSoft inventory transaction');

export type PeoplesoftInventoryTransaction = z.infer<typeof peoplesoftInventoryTransaction>;
