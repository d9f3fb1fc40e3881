/**
 * The scheduler: BullMQ job schedulers on the system queue for the recovery job (every N
 * seconds) and retention (cron from config `retention.schedule`), and a worker with concurrency
 * 1 that runs them. Job schedulers are upserted, so many gateway processes may start the
 * scheduler role: each interval still yields one job, taken by one worker.
 */
import { Queue, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { PipelineLogger } from '../pipeline/deps.js';
import { RECOVERY_JOB, RETENTION_JOB, SYSTEM_QUEUE } from './queue-keys.js';

export interface SchedulerOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly recoveryEveryMs: number;
  /** Cron pattern of the retention job and its time zone. */
  readonly retentionCron: string;
  readonly timeZone: string;
  readonly recover: () => Promise<unknown>;
  readonly purge: () => Promise<unknown>;
  readonly logger: PipelineLogger;
}

export interface Scheduler {
  close(): Promise<void>;
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const connection = { ...options.connection, maxRetriesPerRequest: null };
  const queue = new Queue(SYSTEM_QUEUE, { connection, prefix: options.prefix });
  queue.on('error', (err) => options.logger.warn({ err: err.message }, 'scheduler queue error'));
  const jobOpts = { removeOnComplete: true, removeOnFail: true };
  await queue.upsertJobScheduler(
    RECOVERY_JOB,
    { every: options.recoveryEveryMs },
    { name: RECOVERY_JOB, opts: jobOpts },
  );
  await queue.upsertJobScheduler(
    RETENTION_JOB,
    { pattern: options.retentionCron, tz: options.timeZone },
    { name: RETENTION_JOB, opts: jobOpts },
  );
  const worker = new Worker(
    SYSTEM_QUEUE,
    async (job) => {
      if (job.name === RECOVERY_JOB) return options.recover();
      if (job.name === RETENTION_JOB) return options.purge();
      return undefined;
    },
    { connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    options.logger.error({ job: job?.name, err: err.message }, 'scheduled job failed'),
  );
  worker.on('error', (err) => options.logger.error({ err: err.message }, 'scheduler worker error'));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
