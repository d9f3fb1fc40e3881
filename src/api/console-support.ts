/**
 * Read-only endpoints the operations console needs beyond the support API (viewer role):
 *
 *   GET /api/console/meta                    who is signed in, status vocabulary with SAP codes,
 *                                            partners and ports (no secrets), loaded IDoc types
 *   GET /api/console/definitions/:idocType   segment tree layout with field descriptions (?extension=)
 *   GET /api/console/overview                throughput, failures and latency per time bucket,
 *                                            counts per status, queue depths, dead letters
 *
 * Handlers are thin: the series come from the store's support role (`overviewSeries`, SQL in
 * src/store/messages/overview.ts), the config view from ./console-config.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { IdocgateError } from '../errors.js';
import { MESSAGE_STATUSES, STATUS_INFO } from '../pipeline/lifecycle.js';
import type { BucketSize } from '../pipeline/store-port.js';
import { operatorOf, requireOperator } from './auth.js';
import { configView } from './console-config.js';
import type { ApiDeps } from './deps.js';

export interface ConsoleSupportDeps extends ApiDeps {
  /** The metrics registry (queue depth gauges are read from it at request time). */
  readonly metricsRegistry?: Registry;
  readonly now?: () => number;
}

const tags = ['Console'];
const security = [{ basic: [] }, { session: [] }];

interface GaugeValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** Queue depths from the `idocgate_queue_jobs` gauge: { queue: { waiting, active, delayed } }. */
async function queueDepths(registry: Registry | undefined): Promise<Record<string, Record<string, number>>> {
  const metric = registry?.getSingleMetric('idocgate_queue_jobs');
  if (!metric) return {};
  const data = (await metric.get()) as { values: readonly GaugeValue[] };
  const out: Record<string, Record<string, number>> = {};
  for (const v of data.values) {
    const queue = String(v.labels['queue'] ?? '-');
    const state = String(v.labels['state'] ?? '-');
    (out[queue] ??= {})[state] = v.value;
  }
  return out;
}

export async function consoleSupportRoutes(app: FastifyInstance, deps: ConsoleSupportDeps): Promise<void> {
  const viewer = requireOperator(deps.auth, 'viewer');
  const now = deps.now ?? Date.now;

  app.get('/api/console/meta', {
    onRequest: viewer,
    schema: {
      tags,
      summary: 'Signed-in operator, status vocabulary (SAP codes), partners and ports, IDoc types',
      security,
    },
    handler: async (request) => {
      const me = operatorOf(request);
      return {
        operator: { name: me.name, role: me.role },
        statuses: MESSAGE_STATUSES.map((s) => ({ status: s, ...STATUS_INFO[s] })),
        ...configView(deps.config),
        idocTypes: deps.definitions
          .list()
          .map((d) => ({ basicType: d.basicType, extension: d.extension ?? null, key: d.key }))
          .sort((a, b) => a.key.localeCompare(b.key)),
      };
    },
  });

  app.get('/api/console/definitions/:idocType', {
    onRequest: viewer,
    schema: {
      tags,
      summary: 'An IDoc type layout: segments (parent, min/max, level) with field descriptions',
      security,
      params: { type: 'object', required: ['idocType'], properties: { idocType: { type: 'string' } } },
      querystring: { type: 'object', properties: { extension: { type: 'string' } } },
    },
    handler: async (request) => {
      const { idocType } = request.params as { idocType: string };
      const { extension } = request.query as { extension?: string };
      const def = deps.definitions.get(idocType, extension || undefined);
      if (def === undefined)
        throw new IdocgateError('MESSAGE_NOT_FOUND', `No IDoc definition for ${idocType} is loaded`);
      return {
        basicType: def.basicType,
        extension: def.extension ?? null,
        description: def.source.description ?? null,
        topLevel: def.topLevel,
        segments: def.segments.map((s) => ({
          type: s.type,
          parent: s.parent,
          description: s.description ?? null,
          min: s.min,
          max: s.max,
          level: s.level,
          children: s.children,
          fields: s.fields.map((f) => ({
            name: f.name,
            description: f.description ?? null,
            dataType: f.dataType,
            length: f.length,
          })),
        })),
      };
    },
  });

  app.get('/api/console/overview', {
    onRequest: viewer,
    schema: {
      tags,
      summary: 'Throughput, failures and latency over time; counts per status; queue depths',
      security,
      querystring: {
        type: 'object',
        properties: {
          hours: { type: 'integer', minimum: 1, maximum: 720 },
          bucket: { type: 'string', enum: ['minute', 'hour', 'day'] },
        },
      },
    },
    handler: async (request) => {
      const q = request.query as { hours?: number; bucket?: BucketSize };
      const hours = q.hours ?? 24;
      const bucket: BucketSize = q.bucket ?? (hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : 'day');
      const to = new Date(now());
      const from = new Date(to.getTime() - hours * 3_600_000);
      const [page, depths, dead, series] = await Promise.all([
        deps.store.search({}, { limit: 1, withCounts: true }),
        queueDepths(deps.metricsRegistry),
        deps.store.deadLetters({ sampleSize: 1, statuses: ['dead'] }),
        deps.store.overviewSeries({ from, to, bucket }),
      ]);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        bucket,
        series,
        countsByStatus: page.countsByStatus ?? {},
        queues: depths,
        deadLetters: dead.reduce((n, g) => n + g.count, 0),
      };
    },
  });
}
