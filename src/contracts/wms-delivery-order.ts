/**
 * Payload sent to a WMS for a delivery to pick/ship or receive: built from DELVRY07
 * SHPORD / WHSORD / DESADV (mappings/delvry07-to-wms-delivery-order.yaml).
 */
import { z } from 'zod';
import { isoTimestamp, isoUnit, serialNumber, siteCode } from './common.js';

/** Material number as SAP sends it: 18 characters (MATNR), 40 on S/4HANA (MATNR_LONG). */
const article = z.string().min(1).max(40).describe('article / SAP material number (up to 40 on S/4HANA)');

const wmsQuantity = z.number().nonnegative();

export const wmsDeliveryItem = z.strictObject({
  position: z.string().min(1).max(6),
  article,
  description: z.string().optional(),
  site: siteCode,
  storageLocation: z.string().max(4).optional(),
  quantity: wmsQuantity,
  unit: isoUnit,
  batch: z.string().max(10).optional(),
  referenceDocument: z
    .string()
    .max(10)
    .optional()
    .describe(
      'preceding document of the item (E1EDL24-VGBEL): for a replenishment delivery the stock transport order',
    ),
  referenceItem: z.string().max(6).optional().describe('its item (E1EDL24-VGPOS)'),
  serialNumbers: z.array(serialNumber).optional(),
});

export const wmsHandlingUnit = z.strictObject({
  id: z.string().min(1).max(20),
  packagingMaterial: z.string().max(18).optional(),
  contents: z
    .array(
      z.strictObject({
        position: z.string().min(1).max(6),
        article: article.optional(),
        quantity: wmsQuantity,
        unit: isoUnit,
        serialNumbers: z.array(serialNumber).optional(),
      }),
    )
    .optional(),
});

export const wmsDeliveryOrder = z
  .strictObject({
    messageType: z.enum(['SHPORD', 'WHSORD', 'DESADV']),
    idocNumber: z.string().min(1).max(16),
    delivery: z.string().min(1).max(10),
    deliveryType: z
      .string()
      .max(4)
      .optional()
      .describe(
        'SAP delivery type (E1EDL21-LFART): NLR / NCR = returns delivery of a returns stock transport order (goods coming back to this warehouse); quote it in the confirmation',
      ),
    shippingPoint: z.string().max(4).optional(),
    warehouseNumber: z.string().max(3).optional(),
    plannedGoodsMovement: isoTimestamp.optional(),
    shipTo: z
      .strictObject({
        partnerId: z.string().max(17).optional(),
        name: z.string().optional(),
        street: z.string().optional(),
        postalCode: z.string().optional(),
        city: z.string().optional(),
        country: z.string().max(3).optional(),
      })
      .optional(),
    items: z.array(wmsDeliveryItem).min(1),
    handlingUnits: z.array(wmsHandlingUnit).optional(),
  })
  .describe('WMS delivery order');

export type WmsDeliveryOrder = z.infer<typeof wmsDeliveryOrder>;
