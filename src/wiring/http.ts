/**
 * The HTTP app of the composition root (not listening): Fastify with the error catalogue, OpenAPI,
 * health and metrics for every role, and — for the `api` role — the SAP and partner edges, the
 * support API, deliveries, serials, intelligence, forecasts and the console.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { requireOperator } from '../api/auth.js';
import { consoleSupportRoutes } from '../api/console-support.js';
import { consoleRoutes } from '../api/console.js';
import { deliveryRoutes } from '../api/deliveries.js';
import type { ApiDeps, ReadinessCheck } from '../api/deps.js';
import { registerErrorHandling } from '../api/errors.js';
import { registerApiGuards } from '../api/guards.js';
import { trackInFlight } from './http-close.js';
import { forecastRoutes } from '../api/forecasts.js';
import { healthRoutes } from '../api/health.js';
import { intelligenceRoutes } from '../api/intelligence.js';
import { metricsRoutes, type PromMetrics } from '../api/metrics.js';
import { registerOpenApi } from '../api/openapi.js';
import { partnerEdgeRoutes } from '../api/partner-edges.js';
import { sapEdgeRoutes } from '../api/sap-edges.js';
import { serialRoutes } from '../api/serials.js';
import { supportRoutes } from '../api/support.js';
import type { Config } from '../config/schema.js';
import type { PayloadContract } from '../contracts/registry.js';
import type { PinoLogger } from './logging.js';
import { PROJECT_ROOT } from '../paths.js';
import type { Db } from '../store/db/db.js';
import { createIntelligenceStore } from '../store/analytics/intelligence-repo.js';
import { createRiskScoreLog } from '../store/analytics/risk-scores-repo.js';
import { recordInTransit } from '../intelligence/score-log.js';
import { scoreInTransit } from '../intelligence/at-risk.js';
import type { PushbackRuntime } from '../sweeper/runtime.js';
import type { Role } from './types.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

interface FastifyParts {
  readonly config: Readonly<Config>;
  readonly logger: PinoLogger;
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
  trackInFlight(app);
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
  registerApiGuards(app);
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
          const scored = await recordInTransit(
            createRiskScoreLog(api.db),
            await scoreInTransit(createIntelligenceStore(api.db), at),
            at,
            'at-risk-api',
          );
          return {
            threshold,
            ...scored,
            deliveries: scored.deliveries.filter((d) => d.probability >= threshold),
          };
        },
      }),
    );
    await app.register(async (scope) =>
      intelligenceRoutes(scope, {
        auth: api.auth,
        port: createIntelligenceStore(api.db),
        ledger: api.config.ledger,
        atRiskThreshold: api.config.sweeper.atRisk.threshold,
        scoreLog: createRiskScoreLog(api.db),
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
