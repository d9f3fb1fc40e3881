/**
 * The `ledger` section of the configuration: the serial ledger's anomaly rules (each on/off with
 * its thresholds), sites (SAP plants, ship-to customer numbers, GLN for EPCIS), materials
 * (GTIN for SGTINs), the site-to-site minimum transit times, the catch-up schedule and the alert
 * webhook. Each rule's settings schema lives in its own file under src/ledger/serials/rules. Every field has a default, so `ledger: {}` (or leaving the section out) is valid.
 */
import { z } from 'zod';
import { activeAfterFinalSettings } from '../ledger/serials/rules/active-after-final.js';
import { custodyPathSettings } from '../ledger/serials/rules/custody-path.js';
import { frequencySettings } from '../ledger/serials/rules/frequency.js';
import { impossibleTransitSettings } from '../ledger/serials/rules/impossible-transit.js';
import { neverReceivedSettings } from '../ledger/serials/rules/never-received.js';
import { receivedTwiceSettings } from '../ledger/serials/rules/received-twice.js';
import { twoPlacesSettings } from '../ledger/serials/rules/two-places.js';
import { vendorOverdueSettings } from '../ledger/serials/rules/vendor-overdue.js';

const hours = z
  .number()
  .nonnegative()
  .max(24 * 365);

/** A 13-digit GLN with the length of its GS1 company prefix (6..12), for SGLN EPCs. */
const gln = z.strictObject({
  gln: z.string().regex(/^\d{13}$/, 'a GLN has 13 digits'),
  companyPrefixLength: z.number().int().min(6).max(12),
  /** GLN extension (SGLN third part); "0" = the location itself. */
  extension: z
    .string()
    .regex(/^[0-9A-Za-z]{1,20}$/)
    .default('0'),
});

export const ledgerSiteSchema = z.strictObject({
  /** SAP plants (WERKS) that belong to this site (in addition to mappings/tables/sites.yaml). */
  plants: z.array(z.string().min(1).max(4)).default([]),
  /** Ship-to partner numbers (E1ADRM1 PARTNER_Q WE) that are this site: deliveries to them are transfers. */
  customers: z.array(z.string().min(1).max(17)).default([]),
  /** GS1 location of the site, for EPCIS readPoint/bizLocation (`urn:epc:id:sgln:...`). */
  gln: gln.optional(),
});

export const ledgerMaterialSchema = z.strictObject({
  /** GTIN-14 (or GTIN-8/12/13, left-padded to 14) of the material, for SGTIN EPCs. */
  gtin: z.string().regex(/^(\d{8}|\d{12,14})$/, 'a GTIN has 8, 12, 13 or 14 digits'),
  companyPrefixLength: z.number().int().min(6).max(12),
});

export const ledgerRulesSchema = z.strictObject({
  twoPlaces: twoPlacesSettings,
  neverReceived: neverReceivedSettings,
  receivedTwice: receivedTwiceSettings,
  activeAfterFinal: activeAfterFinalSettings,
  vendorOverdue: vendorOverdueSettings,
  frequency: frequencySettings,
  impossibleTransit: impossibleTransitSettings,
  custodyPath: custodyPathSettings,
});

export const ledgerConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Messages per catch-up batch (one transaction). */
  batchSize: z.number().int().min(1).max(5000).default(200),
  /** How often the catch-up job runs (ms). */
  intervalMs: z.number().int().min(100).default(5000),
  /** Site code (as in mappings/tables/sites.yaml) -> plants, ship-to numbers, GLN. */
  sites: z.record(z.string().regex(/^[A-Z0-9]{1,10}$/), ledgerSiteSchema).default({}),
  /** Material number (without leading zeros) -> GTIN. */
  materials: z.record(z.string().min(1).max(40), ledgerMaterialSchema).default({}),
  /** Minimum transit times between sites in hours; symmetric unless both directions are given. */
  transit: z
    .array(z.strictObject({ from: z.string().min(1), to: z.string().min(1), minHours: hours }))
    .default([]),
  rules: ledgerRulesSchema.prefault({}),
  /** EPCIS output: the GS1 company prefix length of 18-digit handling-unit ids (SSCC), when they are SSCCs. */
  epcis: z.strictObject({ ssccCompanyPrefixLength: z.number().int().min(6).max(12).optional() }).prefault({}),
  /** Alerts are also POSTed here (transport options of kind `webhook`). */
  alertWebhook: z.record(z.string(), z.unknown()).optional(),
  /** EPCIS repository to capture events to (options of transport kind `epcis-capture`). */
  epcisCapture: z.record(z.string(), z.unknown()).optional(),
});

export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
export type LedgerConfigInput = z.input<typeof ledgerConfigSchema>;
export type LedgerRules = LedgerConfig['rules'];

/** The ledger config with every default applied (for tests and callers without a config file). */
export function defaultLedgerConfig(input: LedgerConfigInput = {}): LedgerConfig {
  return ledgerConfigSchema.parse(input);
}
