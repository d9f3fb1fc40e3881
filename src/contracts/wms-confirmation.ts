/**
 * Payload a WMS sends back when a delivery was picked, packed, shipped or received: mapped to
 * DELVRY07 WHSCON / SHPCON (mappings/wms-confirmation-to-delvry07.yaml).
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
    event: z.enum(['picked', 'packed', 'shipped', 'received']),
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
  .describe('WMS confirmation');

export type WmsConfirmation = z.infer<typeof wmsConfirmation>;
