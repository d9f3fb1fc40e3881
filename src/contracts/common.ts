/** Building blocks shared by the payload contracts. */
import { z } from 'zod';

/** ISO 8601 timestamp with an explicit offset (`2024-03-02T11:00:16+01:00` or `...Z`). */
export const isoTimestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp with offset');
export const isoDate = z.iso.date().describe('ISO 8601 date YYYY-MM-DD');

/** UN/ECE Recommendation 20 unit code as used in IDocs (`PCE`, `KGM`, `H87`). */
export const isoUnit = z
  .string()
  .regex(/^[A-Z0-9]{1,3}$/)
  .describe('unit of measure, UN/ECE Rec. 20 / ISO code such as PCE, KGM, H87');

/** An SAP serial number (SERNR/SERIALNO hold 18 characters). */
export const serialNumber = z.string().min(1).max(18).describe('serial number (up to 18 characters)');

/** A positive quantity with at most 3 decimals (SAP QUAN 13,3). */
export const quantity = z
  .number()
  .positive()
  .max(9_999_999_999)
  .refine((n) => Math.round(n * 1000) === n * 1000, { message: 'at most 3 decimals' })
  .describe('quantity, at most 3 decimals');

/** Site code of a store or warehouse (see mappings/tables/sites.yaml). */
export const siteCode = z
  .string()
  .regex(/^[A-Z0-9]{1,10}$/)
  .describe('site code, e.g. S0123');
export const storageLocation = z.string().min(1).max(4).describe('SAP storage location (4 characters)');
export const article = z.string().min(1).max(18).describe('article / SAP material number');
