/**
 * The queue engine of one process: the destination workers (role `worker`) and the scheduler
 * (role `scheduler`). Graceful close: workers stop taking jobs and wait for the ones in flight
 * (worker.close()), then the scheduler closes. Lost nothing either way: a job interrupted by a
 * forced close is stalled and re-run by BullMQ, or re-queued by the recovery job.
 */
import type { Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.js';
import { silentLogger, type Logger } from '../logger.js';
import type { JobOutcome, JobRun } from '../pipeline/queue-port.js';
import { destinations } from '../pipeline/routing.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { createDestinationWorker, type WorkerTuning } from './workers.js';

export interface QueueEngineOptions extends WorkerTuning {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly config: Readonly<Config>;
  readonly runtime: {
    processJob(run: JobRun): Promise<JobOutcome>;
    recover(): Promise<unknown>;
    purgeExpired(): Promise<unknown>;
  };
  readonly roles: { readonly workers: boolean; readonly scheduler: boolean };
  /** Recovery job interval (default 15 s). */
  readonly recoveryEveryMs?: number;
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface QueueEngine {
  readonly workers: readonly Worker[];
  /** Graceful by default; `force` does not wait for jobs in flight (they stall and re-run). */
  close(options?: { readonly force?: boolean }): Promise<void>;
}

export async function startQueueEngine(options: QueueEngineOptions): Promise<QueueEngine> {
  const logger = options.logger ?? silentLogger;
  const workers: Worker[] = [];
  if (options.roles.workers) {
    for (const d of destinations(options.config)) {
      workers.push(
        createDestinationWorker(d, {
          connection: options.connection,
          prefix: options.prefix,
          process: (run) => options.runtime.processJob(run),
          random: options.random ?? Math.random,
          logger,
          ...(options.lockDurationMs !== undefined ? { lockDurationMs: options.lockDurationMs } : {}),
          ...(options.stalledIntervalMs !== undefined
            ? { stalledIntervalMs: options.stalledIntervalMs }
            : {}),
        }),
      );
    }
  }
  let scheduler: Scheduler | undefined;
  if (options.roles.scheduler) {
    scheduler = await startScheduler({
      connection: options.connection,
      prefix: options.prefix,
      recoveryEveryMs: options.recoveryEveryMs ?? 15_000,
      retentionCron: options.config.retention.schedule,
      timeZone: options.config.timeZone,
      recover: () => options.runtime.recover(),
      purge: () => options.runtime.purgeExpired(),
      logger,
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    workers,
    async close(closeOptions = {}) {
      await Promise.all(workers.map((w) => w.close(closeOptions.force === true)));
      await scheduler?.close();
    },
  };
}
