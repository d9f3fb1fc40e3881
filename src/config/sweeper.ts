/**
 * The `sweeper` section of the configuration: when the pushback sweeper runs (cron), how long a
 * store has to receive a delivery (grace period), where outstanding stock is received (hold
 * storage location), which MBGMCR03 postings a pushback makes (movement types, GM_CODE), which
 * SAP port they go to, and per-destination-site overrides. Also the delivery ledger's inputs:
 * ship-to partner numbers and shipping points that are our sites, and which sites are stores.
 *
 * The default postings (see IDOC-FORMAT.md §5 GM_CODE and §8 movement types):
 *   1. `receipt`  GM_CODE 01, movement type 101, MVT_IND B, against the delivery
 *                 (DELIV_NUMB_TO_SEARCH/DELIV_ITEM_TO_SEARCH): the outstanding quantity and
 *                 serials are received at the store into the hold storage location. For a stock
 *                 transport with an SD delivery this takes the stock out of transit.
 *   2. `transfer` GM_CODE 04, movement type 301 (plant to plant, one step): from the hold storage
 *                 location of the store back to the originating plant and storage location.
 *                 Use 303 (two-step, stock in transfer) or an STO-based 351 instead where your
 *                 SAP process wants it.
 */
import cronParser from 'cron-parser';
import { z } from 'zod';
import type { Issue } from '../errors.js';
import { parseDuration } from './duration.js';

const duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'use e.g. 30s, 15m, 72h, 3d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

const cron = z.string().superRefine((v, ctx) => {
  const fields = v.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) {
    ctx.addIssue({
      code: 'custom',
      message: `a cron pattern has 5 (or 6, with seconds) fields, not ${fields}`,
    });
    return;
  }
  try {
    cronParser.parseExpression(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not a valid cron pattern: ${(e as Error).message}` });
  }
});

const siteCode = z.string().regex(/^[A-Z0-9]{1,10}$/, 'a site code as in mappings/tables/sites.yaml');
const sloc = z.string().min(1).max(4);

export const pushbackPostingSchema = z.strictObject({
  /** Step name, part of the idempotency key `pushback:<delivery>:<name>`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'lowercase letters, digits and -'),
  /**
   * `receipt`: at the store, into the hold storage location (PLANT/STGE_LOC = store, hold).
   * `transfer`: from the store's hold location to the origin (MOVE_PLANT/MOVE_STLOC = origin).
   */
  kind: z.enum(['receipt', 'transfer']),
  /** BAPI_GOODSMVT_CREATE GM_CODE: 01 GR for PO/delivery, 04 transfer posting, 05 other receipts. */
  gmCode: z.string().regex(/^0[1-7]$/, 'GM_CODE 01..07'),
  moveType: z.string().regex(/^\d{3}$/, 'a 3-digit SAP movement type'),
  /** MVT_IND: B = goods movement for a purchase order / delivery, blank otherwise. */
  mvtInd: z.enum(['', 'B', 'F', 'L', 'K', 'O']).default(''),
  /** Write the delivery and delivery item (DELIV_NUMB_TO_SEARCH / DELIV_ITEM_TO_SEARCH). */
  referenceDelivery: z.boolean().default(false),
});

export const DEFAULT_POSTINGS = [
  { name: 'receipt', kind: 'receipt', gmCode: '01', moveType: '101', mvtInd: 'B', referenceDelivery: true },
  { name: 'transfer', kind: 'transfer', gmCode: '04', moveType: '301', mvtInd: '', referenceDelivery: false },
] as const satisfies readonly z.input<typeof pushbackPostingSchema>[];

const postings = z
  .array(pushbackPostingSchema)
  .min(1)
  .max(4)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `posting name "${p.name}" is used twice`,
        });
      seen.add(p.name);
    });
    if (list[0]?.kind !== 'receipt') {
      ctx.addIssue({
        code: 'custom',
        path: [0, 'kind'],
        message: 'the first posting must be the receipt at the store',
      });
    }
  });

export const sweeperSiteSchema = z.strictObject({
  /** false: deliveries to this site are recorded but never pushed back. */
  enabled: z.boolean().optional(),
  gracePeriod: duration.optional(),
  holdStorageLocation: sloc.optional(),
  postings: postings.optional(),
});

export const sweeperConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** When the sweeper runs (cron, in the config's timeZone). */
  schedule: cron.default('*/15 * * * *'),
  /** Time after goods issue a store has to receive a delivery. */
  gracePeriod: duration.default(72 * 3_600_000),
  /** Storage location at the store that receives outstanding stock. */
  holdStorageLocation: sloc.default('HOLD'),
  postings: postings.default([...DEFAULT_POSTINGS]),
  /** The SAP port (a key of `ports`) the postings go to. */
  port: z.string().min(1).optional(),
  /** Deliveries per transaction batch, and at most this many per run. */
  batchSize: z.number().int().min(1).max(5000).default(200),
  maxPerRun: z.number().int().min(1).max(1_000_000).default(20_000),
  /** Deliveries pushed back at the same time within a run (their postings stay in order). */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** One run at a time across processes: a lease row that expires if its holder dies. */
  lease: duration.default(10 * 60_000),
  /** The delivery ledger catch-up (messages -> ledger). */
  catchUp: z
    .strictObject({
      every: duration.default(5000),
      batchSize: z.number().int().min(1).max(5000).default(200),
    })
    .prefault({}),
  /** Ship-to partner numbers (E1ADRM1 WE) -> site code, when they are not the site or plant itself. */
  shipTo: z.record(z.string().min(1).max(17), siteCode).default({}),
  /** Shipping points (VSTEL) -> site code, for deliveries whose items carry no plant. */
  shippingPoints: z.record(z.string().min(1).max(4), siteCode).default({}),
  /** Sites that are stores (deliveries to them are recorded); absent = every known site. */
  stores: z.array(siteCode).optional(),
  /** Per destination site overrides. */
  sites: z.record(siteCode, sweeperSiteSchema).default({}),
});

export type SweeperConfig = z.output<typeof sweeperConfigSchema>;
export type SweeperConfigInput = z.input<typeof sweeperConfigSchema>;
export type PushbackPosting = z.output<typeof pushbackPostingSchema>;

/** The sweeper config with every default applied. */
export function defaultSweeperConfig(input: SweeperConfigInput = {}): SweeperConfig {
  return sweeperConfigSchema.parse(input);
}

/** What applies to deliveries to one destination site. */
export interface SiteSweepSettings {
  readonly enabled: boolean;
  readonly gracePeriodMs: number;
  readonly holdStorageLocation: string;
  readonly postings: readonly PushbackPosting[];
}

export function settingsFor(config: SweeperConfig, site: string): SiteSweepSettings {
  const o = config.sites[site];
  return {
    enabled: o?.enabled ?? true,
    gracePeriodMs: o?.gracePeriod ?? config.gracePeriod,
    holdStorageLocation: o?.holdStorageLocation ?? config.holdStorageLocation,
    postings: o?.postings ?? config.postings,
  };
}

/**
 * Checks the sweeper config against the rest of the configuration: the port exists, override
 * and mapped sites are known sites. Returns issues (empty when fine).
 */
export function checkSweeperConfig(
  config: SweeperConfig,
  context: { readonly ports: readonly string[]; readonly sites: readonly string[] },
): Issue[] {
  const issues: Issue[] = [];
  const known = new Set(context.sites);
  const problem = (path: string, message: string): void => {
    issues.push({ code: 'CONFIG_INVALID', severity: 'error', path, message });
  };
  if (config.enabled && config.port === undefined)
    problem('sweeper.port', 'the sweeper is enabled but no SAP port is named for its postings');
  if (config.port !== undefined && !context.ports.includes(config.port)) {
    problem('sweeper.port', `unknown port "${config.port}" (defined: ${context.ports.join(', ') || 'none'})`);
  }
  for (const site of Object.keys(config.sites))
    if (!known.has(site)) problem(`sweeper.sites.${site}`, `unknown site "${site}"`);
  for (const [k, site] of Object.entries(config.shipTo))
    if (!known.has(site)) problem(`sweeper.shipTo.${k}`, `unknown site "${site}"`);
  for (const [k, site] of Object.entries(config.shippingPoints)) {
    if (!known.has(site)) problem(`sweeper.shippingPoints.${k}`, `unknown site "${site}"`);
  }
  for (const site of config.stores ?? [])
    if (!known.has(site)) problem('sweeper.stores', `unknown site "${site}"`);
  return issues;
}
