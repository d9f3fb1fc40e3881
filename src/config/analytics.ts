/**
 * The `analytics` section of the configuration: the scheduled forecast run, the incremental
 * Parquet export and the partner data products, each on a cron pattern (in the config's
 * timeZone; absent = not scheduled). Every gateway process runs the scheduler; a lease row per
 * job makes one of them run each tick (docs/forecasting.md "Scheduled job").
 */
import { z } from 'zod';
import { DATASET_NAMES } from '../export/datasets.js';
import { cronSchema } from './cron.js';
import { parseDuration } from './duration.js';

const duration = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'use e.g. 30s, 15m, 1h')])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

/** One partner (OEM) data product: its own articles, cells of at least k units (docs/export.md). */
export const partnerProductSchema = z.strictObject({
  partner: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (it names a directory)'),
  materials: z.array(z.string().min(1)).min(1),
  k: z.number().int().min(1).optional(),
});
export const partnerProductsSchema = z.array(partnerProductSchema);
export type PartnerProductEntry = z.infer<typeof partnerProductSchema>;

/**
 * The export's S3-compatible target: path-style URLs `<endpoint>/<bucket>/<prefix><dataset>/…`,
 * Signature V4 with the credentials read from the named environment variables (the AWS CLI's
 * names by default).
 */
export const s3TargetSchema = z.strictObject({
  /** http(s)://host[:port], e.g. https://s3.eu-central-1.amazonaws.com or a MinIO URL. */
  endpoint: z.url({ protocol: /^https?$/ }),
  bucket: z.string().min(3).max(63),
  region: z.string().min(1).default('us-east-1'),
  /** Key prefix, e.g. `lake/` (default none). */
  prefix: z.string().default(''),
  accessKeyIdEnv: z.string().min(1).default('AWS_ACCESS_KEY_ID'),
  secretAccessKeyEnv: z.string().min(1).default('AWS_SECRET_ACCESS_KEY'),
  /** Temporary credentials (STS session token), when used. */
  sessionTokenEnv: z.string().min(1).optional(),
});
export type S3TargetConfig = z.infer<typeof s3TargetSchema>;

export const analyticsConfigSchema = z.strictObject({
  /** How often each process checks whether a job is due (default 30 s). */
  checkEvery: duration.default(30_000),
  /**
   * How long a run holds its job before another process may take it over (the holder renews it
   * every third of this while it runs; default 10 min).
   */
  lease: duration.default(600_000),
  forecast: z
    .strictObject({
      schedule: cronSchema.optional(),
      horizon: z.number().int().min(1).max(366).default(28),
      level: z.number().gt(0).lt(1).default(0.9),
      historyDays: z.number().int().min(1).max(3660).default(365),
      censor: z.boolean().default(true),
      /**
       * Article → its variants (material numbers), for the bottom-up totals article → variant →
       * site (e.g. SAP Retail generic article and variants); default none.
       */
      articles: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
    })
    .prefault({}),
  export: z
    .strictObject({
      schedule: cronSchema.optional(),
      /** The lake directory (a schedule needs this or s3). */
      dir: z.string().min(1).optional(),
      /** An S3-compatible bucket instead of a directory (docs/export.md "S3-compatible target"). */
      s3: s3TargetSchema.optional(),
      datasets: z.array(z.enum(DATASET_NAMES)).min(1).optional(),
      batchSize: z.number().int().positive().default(50_000),
      settleSeconds: z.number().nonnegative().default(60),
    })
    .prefault({})
    .refine((e) => e.schedule === undefined || e.dir !== undefined || e.s3 !== undefined, {
      message: 'a scheduled export needs dir (the lake directory) or s3 (a bucket)',
      path: ['dir'],
    })
    .refine((e) => e.dir === undefined || e.s3 === undefined, {
      message: 'give the export one target: dir or s3, not both',
      path: ['s3'],
    }),
  partners: z
    .strictObject({
      schedule: cronSchema.optional(),
      /** Output directory, one sub-directory per partner (required with a schedule). */
      dir: z.string().min(1).optional(),
      /** Days of history in each file, ending the day before the run (default 28). */
      windowDays: z.number().int().min(1).max(3660).default(28),
      products: partnerProductsSchema.default([]),
    })
    .prefault({})
    .refine((p) => p.schedule === undefined || (p.dir !== undefined && p.products.length > 0), {
      message: 'a scheduled partner export needs dir and at least one product',
      path: ['dir'],
    }),
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;
