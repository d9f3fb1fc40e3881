/**
 * The composition root (src/wiring/): builds everything from the loaded config — definitions,
 * mappings, store, Redis, metrics, the gateway (use cases + queues + transports), the pushback
 * sweeper, the serial ledger and the Fastify app (./http.ts) — and closes it all in reverse order. build() does not listen, so tests use `app.fastify.inject()`; listen() is apart.
 *
 * Roles: `api` serves HTTP, `worker` processes queue jobs, `scheduler` runs the recovery and
 * retention jobs. `npm start` runs all three in one process; `--role` splits them for scale-out.
 */
import { Authenticator } from '../api/auth.js';
import type { ReadinessCheck } from '../api/deps.js';
import { registerDeliveryMetrics } from '../api/deliveries.js';
import { PromMetrics } from '../api/metrics.js';
import { registerSerialAlertMetrics } from '../api/serials.js';
import { registerRiskMetrics } from '../api/intelligence.js';
import { startRiskAlerts } from './risk-alerts.js';
import { createIntelligenceStore } from '../store/analytics/intelligence-repo.js';
import { createRiskScoreLog } from '../store/analytics/risk-scores-repo.js';
import { ping } from '../store/db/db.js';
import { databaseIdentity } from '../store/db/identity.js';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { CONTRACTS, type PayloadContract } from '../contracts/registry.js';
import { loadDefinitions } from '../definitions/load.js';
import { createLogger, type PinoLogger } from './logging.js';
import { loadMappingFolders, type MappingRegistry } from '../mapping/load.js';
import { DEFINITIONS_DIR } from '../paths.js';
import { stuckCounts } from '../pipeline/stuck.js';
import { checkRedisSettings } from '../redis/check.js';
import { connectRedis, type RedisHandle, type RedisSettings } from '../redis/connect.js';
import { claimRedisPrefix } from '../redis/prefix-claim.js';
import { openStore, type OpenedStore, type StoreOptions } from '../store/open-store.js';
import type { FastifyInstance } from 'fastify';
import { realGatewayFactory, type GatewayTuning } from './gateway.js';
import { buildFastify } from './http.js';
import { closeHttp } from './http-close.js';
import { startPushback } from './pushback.js';
import { startSerialLedger } from './serial-ledger.js';
import { startAnalyticsScheduler } from '../schedule/analytics-jobs.js';
import { ALL_ROLES, type AppWiring, type GatewayFactory, type RunningGateway, type Role } from './types.js';

export { ALL_ROLES, type AppWiring, type GatewayFactory, type RunningGateway, type Role } from './types.js';
export { buildFastify } from './http.js';

export interface BuildAppOptions {
  readonly loaded: LoadedConfig;
  readonly roles?: readonly Role[];
  readonly logger?: PinoLogger;
  /** Overrides of the store options (tests: own schema or data directory). */
  readonly store?: Partial<StoreOptions>;
  /** Overrides of the Redis settings (tests: port, search path). */
  readonly redis?: Partial<RedisSettings>;
  /** PATH searched for redis-server (main passes process.env.PATH). */
  readonly searchPath?: string;
  /** BullMQ prefix (default config `redis.prefix`). */
  readonly prefix?: string;
  /** Builds the gateway; default: the real one (./gateway.ts). Tests may pass a double. */
  readonly createGateway?: GatewayFactory;
  /**
   * How long a stop waits for requests in flight before it cuts their connections (default 10 s,
   * within the 30 s stop limit of src/main.ts).
   */
  readonly httpDrainMs?: number;
  /** Queue tuning for the real gateway (tests: short recovery interval and stall detection). */
  readonly tuning?: GatewayTuning;
  readonly now?: () => number;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly gateway: RunningGateway;
  readonly store: OpenedStore;
  readonly redis: RedisHandle;
  readonly metrics: PromMetrics;
  readonly logger: PinoLogger;
  readonly config: Readonly<Config>;
  readonly roles: readonly Role[];
  /** Listens on the configured host/port (or the given ones); returns the address. */
  listen(override?: { host?: string; port?: number }): Promise<string>;
  /** Stops taking requests and jobs, drains, then closes gateway, Redis and store (reverse order). */
  close(): Promise<void>;
}

/** Contracts partners can post: sources of json-to-idoc mappings and those named in `sends`. */
export function partnerContracts(config: Readonly<Config>, mappings: MappingRegistry): PayloadContract[] {
  const names = new Set<string>();
  for (const m of mappings.list()) {
    const contract = (m.source as { contract?: unknown }).contract;
    if (m.direction === 'json-to-idoc' && typeof contract === 'string') names.add(contract);
  }
  for (const p of Object.values(config.partners)) for (const s of p.sends) names.add(s.contract);
  return [...names].sort().flatMap((n) => {
    const c = CONTRACTS.get(n);
    return c ? [c] : [];
  });
}

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { loaded } = options;
  const config = loaded.config;
  const roles = options.roles ?? ALL_ROLES;
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const cleanup: [string, () => Promise<void>][] = [];
  const closeAll = async (): Promise<void> => {
    while (cleanup.length > 0) {
      const [name, step] = cleanup.pop()!;
      // a part that does not close within 5 s is named (a hung shutdown says where it hangs)
      const started = Date.now();
      const slow = setInterval(
        () => logger.warn({ part: name, ms: Date.now() - started }, 'still closing'),
        5_000,
      );
      await step()
        .catch((err: unknown) => logger.error({ err, part: name }, 'error while closing'))
        .finally(() => clearInterval(slow));
    }
  };

  try {
    const definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
    const mappings = loadMappingFolders(config.mappings, definitions);

    const store = await openStore({
      ...(loaded.env.databaseUrl
        ? { databaseUrl: loaded.env.databaseUrl }
        : { dataDir: config.database.dataDir }),
      ...options.store,
    });
    cleanup.push(['store', () => store.close()]);
    logger.info({ database: store.db.kind }, 'store opened and migrated');

    const redis = await connectRedis({
      ...(loaded.env.redisUrl ? { url: loaded.env.redisUrl } : {}),
      autoStart: config.redis.autoStart,
      dataDir: config.redis.dataDir,
      ...(options.searchPath !== undefined ? { searchPath: options.searchPath } : {}),
      ...options.redis,
    });
    cleanup.push(['redis', () => redis.close()]);
    const report = await checkRedisSettings(redis.client);
    logger.info({ redis: redis.url, source: redis.source, version: report.version }, 'redis connected');
    for (const w of report.warnings) logger.warn({ redis: redis.url }, `!!! ${w}`);
    const prefix = options.prefix ?? config.redis.prefix;
    await claimRedisPrefix({
      redis: redis.client,
      redisUrl: redis.url,
      prefix,
      databaseId: await databaseIdentity(store.db),
      database: store.db.kind,
    });

    const metrics = new PromMetrics();
    const wiring: AppWiring = {
      loaded,
      config,
      roles,
      store,
      redis,
      prefix,
      definitions,
      mappings,
      logger,
      metrics,
      now,
    };
    const factory = options.createGateway ?? realGatewayFactory(options.tuning);
    const gateway = await factory(wiring);
    cleanup.push(['gateway (workers, scheduler, queues, transports)', () => gateway.close()]);
    const pushback = await startPushback({
      config,
      sweeper: config.sweeper,
      store,
      definitions,
      tables: mappings.tables,
      logger,
      now,
      redis,
      prefix: wiring.prefix,
      scheduler: roles.includes('scheduler'),
    });
    cleanup.push(['pushback sweeper', () => pushback.close()]);
    registerDeliveryMetrics(metrics.registry, pushback);
    registerSerialAlertMetrics(metrics.registry, { db: store.db, ledger: config.ledger });
    const atRisk = config.sweeper.atRisk;
    registerRiskMetrics(metrics.registry, {
      port: createIntelligenceStore(store.db),
      now,
      threshold: atRisk.threshold,
      scoreLog: createRiskScoreLog(store.db),
    });
    const riskAlerts = await startRiskAlerts({
      atRisk,
      db: store.db,
      logger,
      now,
      redis,
      prefix: wiring.prefix,
      scheduler: roles.includes('scheduler'),
    });
    if (riskAlerts !== undefined) cleanup.push(['risk alerts', () => riskAlerts.close()]);
    const serialLedger = await startSerialLedger({
      ledger: config.ledger,
      timeZone: config.timeZone,
      definitions,
      db: store.db,
      tables: mappings.tables,
      logger,
      now,
      redis,
      prefix: wiring.prefix,
      scheduler: roles.includes('scheduler'),
    });
    cleanup.push(['serial ledger', () => serialLedger.close()]);
    const analytics = roles.includes('scheduler')
      ? startAnalyticsScheduler({
          config: config.analytics,
          timeZone: config.timeZone,
          db: store.db,
          logger,
          secret: (name) => (loaded.secrets.has(name) ? loaded.secrets.get(name) : undefined),
        })
      : null;
    if (analytics !== null) cleanup.push(['analytics scheduler', () => analytics.close()]);
    metrics.setSources({
      deadLetters: async () =>
        (await store.deadLetters({ sampleSize: 1, statuses: ['dead'] })).reduce((n, g) => n + g.count, 0),
      stuck: () => stuckCounts(store),
    });

    const readiness: ReadinessCheck[] = [
      {
        name: 'redis',
        check: async () => {
          if ((await redis.client.ping()) !== 'PONG') throw new Error('no PONG');
        },
      },
      {
        name: 'database',
        check: async () => {
          await ping(store.db);
        },
      },
    ];
    const fastify = await buildFastify({
      config,
      logger,
      roles,
      metrics,
      readiness,
      api: roles.includes('api')
        ? {
            config,
            gateway,
            store,
            auth: new Authenticator({ config, secrets: loaded.secrets, now }),
            definitions,
            readiness,
            partnerContracts: partnerContracts(config, mappings),
            pushback,
            db: store.db,
          }
        : undefined,
    });
    cleanup.push(['http server', () => closeHttp(fastify, logger, options.httpDrainMs ?? 10_000)]);

    let closing: Promise<void> | undefined;
    return {
      fastify,
      gateway,
      store,
      redis,
      metrics,
      logger,
      config,
      roles,
      async listen(override = {}) {
        const address = await fastify.listen({
          host: override.host ?? config.server.host,
          port: override.port ?? config.server.port,
        });
        logger.info({ address, roles }, 'idocgate listening');
        return address;
      },
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
