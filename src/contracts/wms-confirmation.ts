/**
 * Payload a WMS sends back when a delivery was picked, packed, shipped or received. For the
 * warehouse that executes an outbound delivery, picked/packed/shipped map to DELVRY07 WHSCON /
 * SHPCON (mappings/wms-confirmation-to-delvry07.yaml: PIC, handling units, PGI). `received` (the
 * goods receipt of an inbound delivery) has no WHSCON: the contract refuses it with what to post
 * instead (docs/movement-types.md), so nothing is stored.
 */
import { z } from 'zod';
import { article, isoTimestamp, isoUnit, serialNumber, siteCode, storageLocation } from './common.js';

const confirmedQuantity = z
  .number()
  .nonnegative()
  .refine((n) => Math.round(n * 1000) === n * 1000, { message: 'at most 3 decimals' });
const position = z
  .string()
  .regex(/^\d{1,6}$/)
  .describe('delivery item number (POSNR)');

export const wmsConfirmation = z
  .strictObject({
    messageType: z.enum(['WHSCON', 'SHPCON']).default('WHSCON'),
    delivery: z.string().regex(/^\d{1,10}$/),
    deliveryType: z
      .string()
      .regex(/^[A-Z0-9]{1,4}$/)
      .optional()
      .describe(
        'SAP delivery type (LFART) as the WMS got it in the delivery order (deliveryType): for a returns delivery (NLR, NCR, LR) "shipped" is the goods movement that RECEIVES the goods at the warehouse (docs/movement-types.md)',
      ),
    event: z.enum(['picked', 'packed', 'shipped', 'received']),
    withPickingConfirmation: z
      .boolean()
      .optional()
      .describe(
        'shipped only: the WMS did not send a picked event before, so this message confirms picking (E1EDL18 PIC) and goods issue (PGI) together',
      ),
    confirmedAt: isoTimestamp,
    items: z
      .array(
        z.strictObject({
          position,
          article: article.optional(),
          site: siteCode.optional(),
          storageLocation: storageLocation.optional(),
          quantity: confirmedQuantity,
          unit: isoUnit,
          batch: z.string().min(1).max(10).optional(),
          serialNumbers: z.array(serialNumber).optional(),
          notRelevantForPicking: z
            .boolean()
            .optional()
            .describe(
              'the item is not relevant for picking in SAP: its quantity is confirmed without a picking flow (E1EDL19 QUA)',
            ),
        }),
      )
      .min(1),
    handlingUnits: z
      .array(
        z.strictObject({
          id: z.string().min(1).max(20),
          packagingMaterial: z.string().min(1).max(18).optional(),
          contents: z
            .array(
              z.strictObject({
                position,
                quantity: confirmedQuantity,
                unit: isoUnit,
                serialNumbers: z.array(serialNumber).optional(),
              }),
            )
            .min(1),
        }),
      )
      .optional(),
  })
  .superRefine((c, ctx) => {
    // Refused at the edge (nothing stored): the mapping's own refusal says the same.
    if (c.event === 'received')
      ctx.addIssue({
        code: 'custom',
        path: ['event'],
        message:
          'a "received" event is the goods receipt of an inbound delivery, and WHSCON/SHPCON only confirm the outbound delivery of the warehouse that executes it: post the receipt as a handheld-goods-movement scan (movement kind receipt-sto or receipt-delivery, an MBGMCR03 goods receipt 101); see docs/movement-types.md',
      });
    if (c.withPickingConfirmation === true && c.event !== 'shipped')
      ctx.addIssue({
        code: 'custom',
        path: ['withPickingConfirmation'],
        message: `withPickingConfirmation belongs to a shipped event (picking confirmed with the goods issue), not to ${c.event}`,
      });
  })
  .describe('WMS confirmation');

export type WmsConfirmation = z.infer<typeof wmsConfirmation>;
