/**
 * The wiring: builds everything from the loaded config — definitions, mappings, store, Redis,
 * metrics, the gateway (use cases + queues + transports) and the Fastify app — and closes it all
 * in reverse order. build() does not listen, so tests use `app.fastify.inject()`; listen() is apart.
 *
 * Roles: `api` serves HTTP, `worker` processes queue jobs, `scheduler` runs the recovery and
 * retention jobs. `npm start` runs all three in one process; `--role` splits them for scale-out.
 */
import { stuckCounts } from './pipeline/stuck.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { PayloadContract } from './contracts/registry.js';
import { CONTRACTS } from './contracts/registry.js';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { loadDefinitions } from './definitions/load.js';
import type { DefinitionRegistry } from './definitions/registry.js';
import { loadMappings, type MappingRegistry } from './mapping/load.js';
import { DEFINITIONS_DIR, MAPPINGS_DIR, PROJECT_ROOT } from './paths.js';
import type { GatewayTuning } from './app-gateway.js';
import type { Gateway } from './pipeline/gateway-port.js';
import { Authenticator } from './api/auth.js';
import type { ApiDeps, ReadinessCheck } from './api/deps.js';
import { registerErrorHandling } from './api/errors.js';
import { healthRoutes } from './api/health.js';
import { PromMetrics, metricsRoutes } from './api/metrics.js';
import { registerOpenApi } from './api/openapi.js';
import { partnerEdgeRoutes } from './api/partner-edges.js';
import { sapEdgeRoutes } from './api/sap-edges.js';
import { supportRoutes } from './api/support.js';
import { consoleRoutes } from './api/console.js';
import { consoleSupportRoutes } from './api/console-support.js';
import { deliveryRoutes, registerDeliveryMetrics } from './api/deliveries.js';
import { intelligenceRoutes, registerRiskMetrics } from './api/intelligence.js';
import { atRiskInTransit } from './intelligence/at-risk.js';
import { startRiskAlerts } from './intelligence/risk-alert-job.js';
import { startPushback, type PushbackRuntime } from './sweeper/wiring.js';
import { registerSerialAlertMetrics, serialRoutes } from './api/serials.js';
import { forecastRoutes } from './api/forecasts.js';
import { requireOperator } from './api/auth.js';
import { startSerialLedger } from './ledger/serials/wiring.js';
import { createLogger, type Logger } from './logging.js';
import { checkRedisSettings } from './redis/check.js';
import { connectRedis, type RedisHandle, type RedisSettings } from './redis/connect.js';
import { createIntelligenceStore } from './store/intelligence-repo.js';
import { claimRedisPrefix } from './redis/prefix-claim.js';
import type { Db } from './store/db.js';
import { openStore, type OpenedStore, type StoreOptions } from './store/open-store.js';

export type Role = 'api' | 'worker' | 'scheduler';
export const ALL_ROLES: readonly Role[] = ['api', 'worker', 'scheduler'];

/** The running gateway: use cases plus whatever it started (queues, workers, schedulers). */
export interface GatewayRuntime extends Gateway {
  close(): Promise<void>;
}

/** Everything a gateway is built from. */
export interface AppWiring {
  readonly loaded: LoadedConfig;
  readonly config: Readonly<Config>;
  readonly roles: readonly Role[];
  readonly store: OpenedStore;
  readonly redis: RedisHandle;
  /** BullMQ key prefix (config `redis.prefix`, tests use their own). */
  readonly prefix: string;
  readonly definitions: DefinitionRegistry;
  readonly mappings: MappingRegistry;
  readonly logger: Logger;
  readonly metrics: PromMetrics;
  readonly now: () => number;
}

export type GatewayFactory = (wiring: AppWiring) => Promise<GatewayRuntime>;

export interface BuildAppOptions {
  readonly loaded: LoadedConfig;
  readonly roles?: readonly Role[];
  readonly logger?: Logger;
  /** Overrides of the store options (tests: own schema or data directory). */
  readonly store?: Partial<StoreOptions>;
  /** Overrides of the Redis settings (tests: port, search path). */
  readonly redis?: Partial<RedisSettings>;
  /** PATH searched for redis-server (main passes process.env.PATH). */
  readonly searchPath?: string;
  /** BullMQ prefix (default config `redis.prefix`). */
  readonly prefix?: string;
  /** Builds the gateway; default: the real one (src/app-gateway.ts). Tests may pass a double. */
  readonly createGateway?: GatewayFactory;
  /** Queue tuning for the real gateway (tests: short recovery interval and stall detection). */
  readonly tuning?: GatewayTuning;
  readonly now?: () => number;
}

export interface App {
  readonly fastify: FastifyInstance;
  readonly gateway: GatewayRuntime;
  readonly store: OpenedStore;
  readonly redis: RedisHandle;
  readonly metrics: PromMetrics;
  readonly logger: Logger;
  readonly config: Readonly<Config>;
  readonly roles: readonly Role[];
  /** Listens on the configured host/port (or the given ones); returns the address. */
  listen(override?: { host?: string; port?: number }): Promise<string>;
  /** Stops taking requests and jobs, drains, then closes gateway, Redis and store (reverse order). */
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Mapping folders of the config (later ones override earlier mappings of the same name). */
function loadAllMappings(dirs: readonly string[], definitions: DefinitionRegistry): MappingRegistry {
  const registries = (dirs.length > 0 ? dirs : [MAPPINGS_DIR]).map((d) => loadMappings(d, { definitions }));
  if (registries.length === 1) return registries[0]!;
  const byName = new Map(registries.flatMap((r) => r.list().map((m) => [m.name, m] as const)));
  const last = registries[registries.length - 1]!;
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    tables: last.tables,
    dir: last.dir,
  };
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

async function defaultGatewayFactory(tuning: GatewayTuning | undefined): Promise<GatewayFactory> {
  const { realGatewayFactory } = await import('./app-gateway.js');
  return realGatewayFactory(tuning);
}

export async function buildApp(options: BuildAppOptions): Promise<App> {
  const { loaded } = options;
  const config = loaded.config;
  const roles = options.roles ?? ALL_ROLES;
  const logger = options.logger ?? createLogger();
  const now = options.now ?? Date.now;
  const cleanup: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    while (cleanup.length > 0) {
      const step = cleanup.pop()!;
      await step().catch((err: unknown) => logger.error({ err }, 'error while closing'));
    }
  };

  try {
    const definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
    const mappings = loadAllMappings(config.mappings, definitions);

    const store = await openStore({
      ...(loaded.env.databaseUrl
        ? { databaseUrl: loaded.env.databaseUrl }
        : { dataDir: config.database.dataDir }),
      ...options.store,
    });
    cleanup.push(() => store.close());
    logger.info({ database: store.db.kind }, 'store opened and migrated');

    const redis = await connectRedis({
      ...(loaded.env.redisUrl ? { url: loaded.env.redisUrl } : {}),
      autoStart: config.redis.autoStart,
      dataDir: config.redis.dataDir,
      ...(options.searchPath !== undefined ? { searchPath: options.searchPath } : {}),
      ...options.redis,
    });
    cleanup.push(() => redis.close());
    const report = await checkRedisSettings(redis.client);
    logger.info({ redis: redis.url, source: redis.source, version: report.version }, 'redis connected');
    for (const w of report.warnings) logger.warn({ redis: redis.url }, `!!! ${w}`);
    const prefix = options.prefix ?? config.redis.prefix;
    await claimRedisPrefix({
      redis: redis.client,
      redisUrl: redis.url,
      prefix,
      db: store.db,
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
    const factory = options.createGateway ?? (await defaultGatewayFactory(options.tuning));
    const gateway = await factory(wiring);
    cleanup.push(() => gateway.close());
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
    cleanup.push(() => pushback.close());
    registerDeliveryMetrics(metrics.registry, pushback);
    registerSerialAlertMetrics(metrics.registry, { db: store.db, ledger: config.ledger });
    const atRisk = config.sweeper.atRisk;
    registerRiskMetrics(metrics.registry, {
      port: createIntelligenceStore(store.db),
      now,
      threshold: atRisk.threshold,
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
    if (riskAlerts !== undefined) cleanup.push(() => riskAlerts.close());
    const serialLedger = await startSerialLedger({
      ledger: config.ledger,
      timeZone: config.timeZone,
      db: store.db,
      tables: mappings.tables,
      logger,
      now,
      redis,
      prefix: wiring.prefix,
      scheduler: roles.includes('scheduler'),
    });
    cleanup.push(() => serialLedger.close());
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
          await store.db.query('SELECT 1');
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
    cleanup.push(() => fastify.close());

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

interface FastifyParts {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly roles: readonly Role[];
  readonly metrics: PromMetrics;
  readonly readiness: readonly ReadinessCheck[];
  /** Present for the `api` role; other roles serve only health and metrics. */
  readonly api:
    | (ApiDeps & {
        readonly partnerContracts: readonly PayloadContract[];
        readonly pushback: PushbackRuntime;
        readonly db: Db;
      })
    | undefined;
}

/** The HTTP app (not listening). */
export async function buildFastify(parts: FastifyParts): Promise<FastifyInstance> {
  const bodyLimit = parts.config.server.bodyLimit;
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit,
    // One line per request from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
  });
  // Answers are plain data; response schemas only document them (no filtering serializer).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('principal', null);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  registerErrorHandling(app, bodyLimit);
  await registerOpenApi(app, { version: packageVersion() });
  await app.register(healthRoutes, { readiness: parts.readiness, roles: parts.roles });
  await app.register(metricsRoutes, { metrics: parts.metrics });
  if (parts.api) {
    const api = parts.api;
    await app.register(async (scope) => sapEdgeRoutes(scope, api));
    await app.register(async (scope) => partnerEdgeRoutes(scope, api));
    await app.register(async (scope) => supportRoutes(scope, api));
    await app.register(async (scope) =>
      deliveryRoutes(scope, {
        auth: api.auth,
        pushback: api.pushback,
        messages: api.store,
        atRisk: async (at) => {
          const threshold = api.config.sweeper.atRisk.threshold;
          return { threshold, ...(await atRiskInTransit(createIntelligenceStore(api.db), at, threshold)) };
        },
      }),
    );
    await app.register(async (scope) =>
      intelligenceRoutes(scope, {
        auth: api.auth,
        port: createIntelligenceStore(api.db),
        ledger: api.config.ledger,
        atRiskThreshold: api.config.sweeper.atRisk.threshold,
      }),
    );
    await app.register(async (scope) =>
      serialRoutes(scope, {
        db: api.db,
        ledger: api.config.ledger,
        clock: () => new Date(),
        viewer: requireOperator(api.auth, 'viewer'),
        operator: requireOperator(api.auth, 'operator'),
      }),
    );
    await app.register(async (scope) =>
      forecastRoutes(scope, { db: api.db, viewer: requireOperator(api.auth, 'viewer') }),
    );
    await app.register(async (scope) =>
      consoleSupportRoutes(scope, { ...api, metricsRegistry: parts.metrics.registry }),
    );
    await app.register(async (scope) => consoleRoutes(scope));
  }
  await app.ready();
  return app;
}
