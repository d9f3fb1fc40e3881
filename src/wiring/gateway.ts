/**
 * The real gateway of the composition root (./app.ts): the use cases (src/pipeline/gateway.ts)
 * over the BullMQ work queue, the transports from the registry, and — per role — the destination workers and the
 * scheduler (src/queues/engine.ts). Close order: workers stop and drain, then bulk replays and
 * transports, then the producer queues.
 */
import { stuckCounts } from '../pipeline/stuck.js';
import { randomUUID } from 'node:crypto';
import type { AppWiring, RunningGateway } from './types.js';
import { cachedTransports, realSleep } from '../pipeline/deps.js';
import { createGateway, type GatewayRuntime } from '../pipeline/gateway.js';
import type { WorkQueue } from '../pipeline/queue-port.js';
import { startQueueEngine, type QueueEngine } from '../queues/engine.js';
import { createWorkQueue } from '../queues/producer.js';
import { createTransport } from '../transports/registry.js';

export interface GatewayTuning {
  /** Recovery job interval (default 15 s). */
  readonly recoveryEveryMs?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

/**
 * The pipeline's use cases over the given work queue, with the transports from the registry
 * (secrets from the loaded config), the wiring's clock, logger and metrics. The real gateway
 * puts the BullMQ producer under it; route tests a recording queue (nothing is worked off).
 */
export function pipelineGateway(w: AppWiring, queue: WorkQueue): GatewayRuntime {
  const logger = w.logger;
  const clock = { now: w.now };
  const transports = cachedTransports((kind, options) =>
    createTransport(kind, options, {
      clock,
      logger,
      resolveSecret: (name) => (w.loaded.secrets.has(name) ? w.loaded.secrets.get(name) : undefined),
    }),
  );
  return createGateway({
    config: w.config,
    store: w.store,
    queue,
    definitions: w.definitions,
    mappings: w.mappings,
    transports,
    clock,
    newId: randomUUID,
    random: Math.random,
    sleep: realSleep,
    logger,
    metrics: w.metrics,
  });
}

export function realGatewayFactory(tuning: GatewayTuning = {}) {
  return async (w: AppWiring): Promise<RunningGateway> => {
    const logger = w.logger;
    const queue = createWorkQueue({
      connection: w.redis.options,
      prefix: w.prefix,
      config: w.config,
      onError: (err) => w.logger.warn({ err: err.message }, 'redis error (queue producer)'),
    });
    const gateway = pipelineGateway(w, queue);
    let engine: QueueEngine | undefined;
    try {
      engine = await startQueueEngine({
        connection: w.redis.options,
        prefix: w.prefix,
        config: w.config,
        runtime: gateway,
        roles: { workers: w.roles.includes('worker'), scheduler: w.roles.includes('scheduler') },
        logger,
        ...(tuning.recoveryEveryMs !== undefined ? { recoveryEveryMs: tuning.recoveryEveryMs } : {}),
        ...(tuning.lockDurationMs !== undefined ? { lockDurationMs: tuning.lockDurationMs } : {}),
        ...(tuning.stalledIntervalMs !== undefined ? { stalledIntervalMs: tuning.stalledIntervalMs } : {}),
      });
    } catch (err) {
      await gateway.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      throw err;
    }
    w.metrics.setSources({
      queueDepths: () => queue.depths(),
      deadLetters: async () =>
        (await w.store.deadLetters({ sampleSize: 1, statuses: ['dead'] })).reduce((n, g) => n + g.count, 0),
      stuck: () => stuckCounts(w.store),
    });
    const started = engine;
    return {
      ingest: (r) => gateway.ingest(r),
      replay: (id, o) => gateway.replay(id, o),
      cancel: (id, o) => gateway.cancel(id, o),
      confirmPosted: (id, o) => gateway.confirmPosted(id, o),
      bulkReplay: (r) => gateway.bulkReplay(r),
      bulkJob: (id) => gateway.bulkJob(id),
      controlBulkJob: (id, a, actor) => gateway.controlBulkJob(id, a, actor),
      async close() {
        await started.close();
        await gateway.close();
        await queue.close();
      },
    };
  };
}
