/**
 * The `sweeper` section of the configuration: when the pushback sweeper runs (cron), how long a
 * store has to receive a delivery (grace period, from the ACTUAL goods issue at the DC), which
 * pushback process applies (globally or per destination site), where outstanding stock is
 * received (hold storage location), which SAP port the MBGMCR03 postings go to. Also the
 * delivery ledger's inputs: ship-to partner numbers and shipping points that are our sites, and
 * which sites are stores.
 *
 * Pushback processes (docs/sweeper.md "Pushback variants", with the SAP sources):
 *   `receive-and-transfer` (default): GM_CODE 01 / 101 / MVT_IND B of the outstanding quantity
 *       against the stock transport order item (PO_NUMBER / PO_ITEM) and its outbound delivery
 *       (DELIV_NUMB / DELIV_ITEM) into the hold storage location at the store, then the transfer
 *       back: `transfer: one-step` 301 (GM_CODE 04, store -> origin plant / storage location) or
 *       `two-step` 303 (removal from storage at the store) + 305 (placement in storage, posted in
 *       the origin plant).
 *   `close-short`: nothing more is received for the shortfall except to write it off:
 *       `shortfall: loss` posts 101 of the outstanding quantity with NO_MORE_GR (delivery
 *       completed) into the hold location, then 551 (GM_CODE 03) from there with a reason for
 *       movement (`moveReasons.loss`, required); `shortfall: freight-claim` posts nothing and
 *       leaves the discrepancy for the freight claim.
 * `postings` lists the steps explicitly instead (experts; 1-4 steps, the first the receipt).
 */
import { z } from 'zod';
import type { Issue } from '../errors.js';
import { cronSchema } from './cron.js';
import { parseDuration } from './duration.js';

const duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'use e.g. 30s, 15m, 72h, 3d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

const cron = cronSchema;

const siteCode = z.string().regex(/^[A-Z0-9]{1,10}$/, 'a site code as in mappings/tables/sites.yaml');
const sloc = z.string().min(1).max(4);
/** Reason for movement (MOVE_REAS, 4 digits; the codes are the ones defined in the SAP system). */
const moveReason = z.string().regex(/^\d{1,4}$/, 'a reason for movement code (up to 4 digits)');

export const PUSHBACK_PROCESSES = ['receive-and-transfer', 'close-short'] as const;
export type PushbackProcess = (typeof PUSHBACK_PROCESSES)[number];
export const TRANSFER_PROCEDURES = ['one-step', 'two-step'] as const;
export const SHORTFALL_HANDLING = ['loss', 'freight-claim'] as const;

const moveReasonsSchema = z.strictObject({
  /** On the transfer back (301 / 303 / 305) where the SAP system asks for one. */
  transfer: moveReason.optional(),
  /** On the 551 write-off of a close-short with `shortfall: loss` (required there). */
  loss: moveReason.optional(),
});

export const pushbackPostingSchema = z.strictObject({
  /** Step name, part of the idempotency key `pushback:<delivery>:<name>`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'lowercase letters, digits and -'),
  /**
   * `receipt`: at the store, into the hold storage location (PLANT/STGE_LOC = store, hold).
   * `transfer`: from the store's hold location to the origin (MOVE_PLANT[/MOVE_STLOC] = origin):
   *             301 one step, or 303 (removal from storage) of a two-step transfer.
   * `transfer-in`: 305, placement in storage of a two-step transfer, posted in the origin plant.
   * `loss`: write-off at the store from the hold location (551), with a reason for movement.
   */
  kind: z.enum(['receipt', 'transfer', 'transfer-in', 'loss']),
  /** BAPI_GOODSMVT_CREATE GM_CODE: 01 GR for purchase order, 03 goods issue, 04 transfer posting. */
  gmCode: z.string().regex(/^0[1-7]$/, 'GM_CODE 01..07'),
  moveType: z.string().regex(/^\d{3}$/, 'a 3-digit SAP movement type'),
  /** MVT_IND: B = goods movement for a purchase order, blank otherwise. */
  mvtInd: z.enum(['', 'B', 'F', 'L', 'K', 'O']).default(''),
  /**
   * Post against the stock transport order item (PO_NUMBER / PO_ITEM) and the outbound delivery
   * item (E1BP2017_GM_ITEM_CREATE1 DELIV_NUMB / DELIV_ITEM). For the receipt.
   */
  referenceDelivery: z.boolean().default(false),
  /** NO_MORE_GR = X: delivery completed, no further goods receipt is expected for the STO item. */
  noMoreGr: z.boolean().default(false),
  /** MOVE_REAS on every item of this posting. */
  moveReason: moveReason.optional(),
});

/** Receive-and-transfer, one step: 101 into hold against STO + delivery, then 301 to the origin. */
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
  process: z.enum(PUSHBACK_PROCESSES).optional(),
  transfer: z.enum(TRANSFER_PROCEDURES).optional(),
  shortfall: z.enum(SHORTFALL_HANDLING).optional(),
  moveReasons: moveReasonsSchema.optional(),
  postings: postings.optional(),
});

export const sweeperConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** When the sweeper runs (cron, in the config's timeZone). */
  schedule: cron.default('*/15 * * * *'),
  /** Time after the ACTUAL goods issue at the DC a store has to receive a delivery. */
  gracePeriod: duration.default(72 * 3_600_000),
  /** Storage location at the store that receives outstanding stock. */
  holdStorageLocation: sloc.default('HOLD'),
  /** The pushback process (see the top of this file); per site in `sites`. */
  process: z.enum(PUSHBACK_PROCESSES).default('receive-and-transfer'),
  /** receive-and-transfer: the transfer back in one step (301) or two (303 + 305). */
  transfer: z.enum(TRANSFER_PROCEDURES).default('one-step'),
  /** close-short: write the shortfall off (101 + 551) or leave it for a freight claim (no posting). */
  shortfall: z.enum(SHORTFALL_HANDLING).default('freight-claim'),
  moveReasons: moveReasonsSchema.prefault({}),
  /** Explicit steps instead of the ones `process` gives. */
  postings: postings.optional(),
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
  /**
   * At-risk deliveries in transit (docs/intelligence.md "Surfaces"): a delivery whose at-risk
   * score reaches `threshold` is counted in the idocgate_deliveries_at_risk metric, listed in
   * the sweeper preview and, with `webhook` (transport options of kind `webhook`), told to it
   * once (checked every `every` by the scheduler role).
   */
  atRisk: z
    .strictObject({
      threshold: z.number().gt(0).lt(1).default(0.3),
      webhook: z.record(z.string(), z.unknown()).optional(),
      every: duration.default(5 * 60_000),
    })
    .prefault({}),
});

export type SweeperConfig = z.output<typeof sweeperConfigSchema>;
export type SweeperConfigInput = z.input<typeof sweeperConfigSchema>;
export type PushbackPosting = z.output<typeof pushbackPostingSchema>;

/** The sweeper config with every default applied. */
export function defaultSweeperConfig(input: SweeperConfigInput = {}): SweeperConfig {
  return sweeperConfigSchema.parse(input);
}

/** How a pushback settles the shortfall, recorded on the discrepancy. */
export type PushbackResolution = 'transfer-back' | 'loss' | 'freight-claim' | 'custom';

/** What applies to deliveries to one destination site. */
export interface SiteSweepSettings {
  readonly enabled: boolean;
  readonly gracePeriodMs: number;
  readonly holdStorageLocation: string;
  readonly process: PushbackProcess;
  readonly resolution: PushbackResolution;
  /** The postings, in order (empty: close-short for a freight claim, nothing is posted). */
  readonly postings: readonly PushbackPosting[];
}

type MoveReasons = z.output<typeof moveReasonsSchema>;

/** The postings a pushback process makes (docs/sweeper.md "Pushback variants"). */
export function postingsFor(
  process: PushbackProcess,
  transfer: (typeof TRANSFER_PROCEDURES)[number],
  shortfall: (typeof SHORTFALL_HANDLING)[number],
  reasons: MoveReasons,
): { postings: PushbackPosting[]; resolution: PushbackResolution } {
  const receipt = (noMoreGr: boolean): PushbackPosting => ({
    name: 'receipt',
    kind: 'receipt',
    gmCode: '01',
    moveType: '101',
    mvtInd: 'B',
    referenceDelivery: true,
    noMoreGr,
  });
  const withReason = (p: Omit<PushbackPosting, 'moveReason'>, reason: string | undefined): PushbackPosting =>
    reason === undefined ? p : { ...p, moveReason: reason };
  const plain = { mvtInd: '', referenceDelivery: false, noMoreGr: false } as const;
  if (process === 'close-short') {
    if (shortfall === 'freight-claim') return { postings: [], resolution: 'freight-claim' };
    return {
      postings: [
        receipt(true),
        withReason({ name: 'loss', kind: 'loss', gmCode: '03', moveType: '551', ...plain }, reasons.loss),
      ],
      resolution: 'loss',
    };
  }
  const back =
    transfer === 'one-step'
      ? [
          withReason(
            { name: 'transfer', kind: 'transfer', gmCode: '04', moveType: '301', ...plain },
            reasons.transfer,
          ),
        ]
      : [
          withReason(
            { name: 'transfer', kind: 'transfer', gmCode: '04', moveType: '303', ...plain },
            reasons.transfer,
          ),
          withReason(
            { name: 'transfer-in', kind: 'transfer-in', gmCode: '04', moveType: '305', ...plain },
            reasons.transfer,
          ),
        ];
  return { postings: [receipt(false), ...back], resolution: 'transfer-back' };
}

export function settingsFor(config: SweeperConfig, site: string): SiteSweepSettings {
  const o = config.sites[site];
  const process = o?.process ?? config.process;
  const generated = postingsFor(process, o?.transfer ?? config.transfer, o?.shortfall ?? config.shortfall, {
    ...config.moveReasons,
    ...o?.moveReasons,
  });
  const explicit = o?.postings ?? config.postings;
  return {
    enabled: o?.enabled ?? true,
    gracePeriodMs: o?.gracePeriod ?? config.gracePeriod,
    holdStorageLocation: o?.holdStorageLocation ?? config.holdStorageLocation,
    process,
    resolution: explicit !== undefined ? 'custom' : generated.resolution,
    postings: explicit ?? generated.postings,
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
  // A 551 without a reason is rejected where Customizing makes the reason mandatory (OMBS);
  // whether it is by default is unverified, so the gateway asks for one.
  const check = (path: string, site: string): void => {
    const s = settingsFor(config, site);
    for (const p of s.postings)
      if (p.kind === 'loss' && p.moveReason === undefined)
        problem(path, `the ${p.moveType} write-off needs a reason for movement (moveReasons.loss)`);
  };
  check('sweeper.moveReasons.loss', '\u0000default');
  for (const site of Object.keys(config.sites)) check(`sweeper.sites.${site}.moveReasons.loss`, site);
  return issues;
}
