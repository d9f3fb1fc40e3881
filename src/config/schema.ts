/**
 * The one configuration schema (zod). Read once at start by ./load.ts, frozen and passed down.
 * Partner profiles mirror SAP's WE20, ports mirror WE21. Secrets are never written in the file:
 * fields ending in `Env` name the environment variable that holds them.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { analyticsConfigSchema } from './analytics.js';
import { ledgerConfigSchema } from './ledger.js';
import { sweeperConfigSchema } from './sweeper.js';

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (A-Z, 0-9, _)');

const duration = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'use e.g. 500ms, 30s, 5m, 12h, 7d'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

const size = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(b|kb|mb)$/i, 'use e.g. 512kb, 10mb')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)(b|kb|mb)$/i.exec(v)!;
    return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
  });

/**
 * HTTP basic credentials a caller (SAP's HTTP destination, a partner) uses towards the gateway:
 * the password in an environment variable, or its scrypt hash (`idocgate hash-password`).
 */
const basicCredentials = z
  .object({
    username: z.string().min(1),
    passwordEnv: envName.optional(),
    passwordHash: z
      .string()
      .regex(/^scrypt\$/, 'must be a hash printed by `idocgate hash-password`')
      .optional(),
  })
  .strict()
  .refine((o) => (o.passwordEnv === undefined) !== (o.passwordHash === undefined), {
    message: 'give exactly one of passwordEnv or passwordHash',
  });

/** Control-record values the gateway writes for IDocs it sends to this SAP system (WE21/WE20). */
const controlDefaults = z
  .object({
    MANDT: z.string().max(3).optional(),
    SNDPOR: z.string().max(10).optional(),
    SNDPRT: z.string().max(2).optional(),
    SNDPRN: z.string().max(10).optional(),
    RCVPOR: z.string().max(10).optional(),
    RCVPRT: z.string().max(2).optional(),
    RCVPRN: z.string().max(10).optional(),
  })
  .strict();

const transportRef = z
  .object({
    kind: z.string().min(1),
  })
  .catchall(z.unknown());

export const retryPolicySchema = z
  .object({
    attempts: z.number().int().min(1).max(100).default(8),
    backoff: duration.default(2000),
    maxBackoff: duration.default(15 * 60_000),
    jitter: z.number().min(0).max(1).default(0.2),
  })
  .strict();

/**
 * SAP's application status for IDocs the gateway sends (docs/sap-feedback.md): SAP's ALE audit
 * (ALEAUD01, report RBDSTATE scheduled for the gateway's logical system) or STATUS (SYSTAT01)
 * IDocs, posted back to the gateway's SAP edges as this port. `none`: SAP sends nothing back, and
 * `delivered` (SAP's HTTP port took the IDoc) is the last thing the gateway knows.
 */
export const feedbackSchema = z
  .object({
    expect: z.enum(['none', 'ALEAUD', 'STATUS', 'any']).default('none'),
    /** How long SAP may take to report the posting before the message is `unconfirmed` and alerted. */
    confirmWithin: duration.default(60 * 60_000),
    /**
     * SAP inbound status codes read differently from the standard table (src/pipeline/sap-feedback-codes.ts),
     * e.g. `{ '52': 'posted' }` where a partly posted IDoc counts as posted.
     */
    codes: z
      .record(
        z.string().regex(/^\d{2}$/, 'a two-digit SAP status code'),
        z.enum(['posted', 'sap-error', 'progress']),
      )
      .default({}),
  })
  .strict();

export type FeedbackConfig = z.output<typeof feedbackSchema>;

/** WE21: an SAP system the gateway talks to. */
export const portSchema = z
  .object({
    description: z.string().optional(),
    /** How the gateway delivers IDocs to this SAP system. */
    transport: transportRef,
    /** Credentials SAP uses when it calls the gateway (its HTTP destination / XML-HTTP port). */
    inboundAuth: basicCredentials.optional(),
    control: controlDefaults.default({}),
    /** Segment definition versions SAP expects for flat files (its "segment release"). */
    segmentVersions: z.record(z.string(), z.string()).default({}),
    /** SAP's application status for what the gateway sends here (default: none). */
    feedback: feedbackSchema.prefault({}),
    /**
     * Whether this SAP inbound drops a resent IDoc (then an attempt whose answer was lost is
     * simply sent again). Default: what the transport kind guarantees (docs/sap-feedback.md):
     * IDoc-SOAP and RFC yes, XML-HTTP no.
     */
    dropsDuplicates: z.boolean().optional(),
    /** Several IDocs in one request (WE20 pack size), where the transport supports it. Default 1. */
    packSize: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

const partnerType = z.enum(['LS', 'KU', 'LI', 'B']);

/** A message type the partner sends to SAP through the gateway (WE20 inbound parameters). */
const sendsSchema = z
  .object({
    messageType: z.string().min(1).max(30),
    /** JSON contract of what the partner posts (handheld-scan, wms-confirmation) or `idoc`. */
    contract: z.string().min(1),
    mapping: z.string().min(1).optional(),
    /** Port (SAP system) the resulting IDoc goes to. */
    port: z.string().min(1),
    orderingKey: z.string().min(1).optional(),
    /**
     * When the next message of the ordering key may go: `delivered` (SAP's port took it) or
     * `posted` (SAP reported 53; needs the port's feedback).
     */
    releaseOn: z.enum(['delivered', 'posted']).default('delivered'),
    /**
     * Contract field used as the idempotency key when the partner sends no Idempotency-Key
     * header; default: the contract's own natural key (e.g. the handheld's scanId).
     */
    naturalKey: z.string().min(1).optional(),
  })
  .strict();

/** A message type SAP sends to the partner through the gateway (WE20 outbound parameters). */
const receivesSchema = z
  .object({
    messageType: z.string().min(1).max(30),
    idocType: z.string().min(1).max(30).optional(),
    mapping: z.string().min(1).optional(),
    transport: transportRef,
    orderingKey: z.string().min(1).optional(),
    /** Send SYSTAT01 / ALEAUD01 back to the SAP port the IDoc came from. */
    statusToSap: z.enum(['none', 'SYSTAT01', 'ALEAUD01']).default('none'),
    /**
     * Webhook packets (opt-in; default 1 = one message per call): up to this many ready messages
     * of this route go in one call as a JSON array, with one result per message in the answer
     * (docs/transports.md "Webhook packets"). Only transports with packets (`webhook`).
     */
    packSize: z.number().int().min(1).max(500).default(1),
  })
  .strict();

/** WE20: a partner profile. */
export const partnerSchema = z
  .object({
    /** Partner number as in the control record (SNDPRN/RCVPRN). */
    number: z.string().min(1).max(10),
    type: partnerType.default('LS'),
    description: z.string().optional(),
    credentials: z
      .object({
        /** SHA-256 hex digests of the partner's API keys (`idocgate hash-key` prints one). */
        apiKeySha256: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest')).default([]),
        basic: basicCredentials.optional(),
      })
      .strict()
      .default({ apiKeySha256: [] }),
    sends: z.array(sendsSchema).default([]),
    receives: z.array(receivesSchema).default([]),
    retry: retryPolicySchema.default(retryPolicySchema.parse({})),
    concurrency: z.number().int().min(1).max(256).default(4),
    rateLimit: z
      .object({ max: z.number().int().min(1), per: duration })
      .strict()
      .optional(),
  })
  .strict();

export const operatorSchema = z
  .object({
    role: z.enum(['viewer', 'operator']),
    /** scrypt hash from `idocgate hash-password`, or an env var holding one. */
    passwordHash: z.string().min(1).optional(),
    passwordHashEnv: envName.optional(),
  })
  .strict()
  .refine((o) => (o.passwordHash === undefined) !== (o.passwordHashEnv === undefined), {
    message: 'give exactly one of passwordHash or passwordHashEnv',
  });

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimit: size.default(10 * 1024 * 1024),
        publicUrl: z.string().url().optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, bodyLimit: 10 * 1024 * 1024 }),
    /** PostgreSQL URL; without one the embedded PGlite database in `dataDir` is used. */
    database: z
      .object({ urlEnv: envName.default('DATABASE_URL'), dataDir: z.string().default('data/pglite') })
      .strict()
      .default({ urlEnv: 'DATABASE_URL', dataDir: 'data/pglite' }),
    redis: z
      .object({
        urlEnv: envName.default('REDIS_URL'),
        /** Start `redis-server` from the PATH when none answers on 127.0.0.1:6379. */
        autoStart: z.boolean().default(true),
        dataDir: z.string().default('data/redis'),
        prefix: z.string().default('idocgate'),
      })
      .strict()
      .default({ urlEnv: 'REDIS_URL', autoStart: true, dataDir: 'data/redis', prefix: 'idocgate' }),
    retention: z
      .object({ keep: duration.default(90 * 86_400_000), schedule: z.string().default('0 3 * * *') })
      .strict()
      .default({ keep: 90 * 86_400_000, schedule: '0 3 * * *' }),
    timeZone: z.string().default('UTC'),
    definitions: z.array(z.string()).default([]),
    mappings: z.array(z.string()).default([]),
    operators: z.record(z.string(), operatorSchema).default({}),
    ports: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,30}$/), portSchema).default({}),
    partners: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), partnerSchema).default({}),
    /** The pushback sweeper (docs/sweeper.md). */
    sweeper: sweeperConfigSchema.prefault({}),
    /** The serial ledger (docs/serial-ledger.md). */
    ledger: ledgerConfigSchema.prefault({}),
    /** Scheduled forecast run, Parquet and partner exports (docs/forecasting.md, docs/export.md). */
    analytics: analyticsConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, string>();
    for (const [name, p] of Object.entries(c.partners)) {
      const key = `${p.type}/${p.number}`;
      const other = seen.get(key);
      if (other) {
        ctx.addIssue({
          code: 'custom',
          path: ['partners', name, 'number'],
          message: `partner ${key} is already defined as "${other}"`,
        });
      }
      seen.set(key, name);
      p.sends.forEach((s, i) => {
        const port = c.ports[s.port];
        if (port === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['partners', name, 'sends', i, 'port'],
            message: `unknown port "${s.port}" (defined: ${Object.keys(c.ports).join(', ') || 'none'})`,
          });
        } else if (s.releaseOn === 'posted' && port.feedback.expect === 'none') {
          ctx.addIssue({
            code: 'custom',
            path: ['partners', name, 'sends', i, 'releaseOn'],
            message: `releaseOn: posted needs SAP's feedback, but port "${s.port}" has feedback.expect: none`,
          });
        } else if (s.releaseOn === 'posted' && s.orderingKey === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['partners', name, 'sends', i, 'releaseOn'],
            message: 'releaseOn is about an ordering key: set orderingKey too',
          });
        }
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type PartnerProfile = z.output<typeof partnerSchema>;
export type PortConfig = z.output<typeof portSchema>;
export type RetryPolicy = z.output<typeof retryPolicySchema>;
