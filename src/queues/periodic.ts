/**
 * Periodic jobs on a queue of their own: BullMQ job schedulers (upserted, so any number of
 * processes may start them and each tick still yields one job) and one worker of concurrency 1
 * that runs them. Used by the recovery/retention scheduler, the pushback sweeper and the serial
 * ledger catch-up.
 */
import { Queue, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { PipelineLogger } from '../pipeline/deps.js';

export interface PeriodicJob {
  readonly name: string;
  /** Run every N milliseconds, or on a cron pattern (in `timeZone`); null removes the job's schedule. */
  readonly schedule: { readonly every: number } | { readonly cron: string; readonly timeZone: string } | null;
  readonly run: () => Promise<unknown>;
}

export interface PeriodicJobsOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly queue: string;
  readonly jobs: readonly PeriodicJob[];
  readonly logger: PipelineLogger;
}

export interface PeriodicJobs {
  close(): Promise<void>;
}

export async function startPeriodicJobs(options: PeriodicJobsOptions): Promise<PeriodicJobs> {
  const connection = { ...options.connection, maxRetriesPerRequest: null };
  const queue = new Queue(options.queue, { connection, prefix: options.prefix });
  queue.on('error', (err) =>
    options.logger.warn({ queue: options.queue, err: err.message }, 'periodic queue error'),
  );
  const opts = { removeOnComplete: true, removeOnFail: true };
  const byName = new Map<string, PeriodicJob>();
  for (const job of options.jobs) {
    byName.set(job.name, job);
    if (job.schedule === null) await queue.removeJobScheduler(job.name);
    else if ('every' in job.schedule) {
      await queue.upsertJobScheduler(job.name, { every: job.schedule.every }, { name: job.name, opts });
    } else {
      await queue.upsertJobScheduler(
        job.name,
        { pattern: job.schedule.cron, tz: job.schedule.timeZone },
        { name: job.name, opts },
      );
    }
  }
  const worker = new Worker(options.queue, async (job) => byName.get(job.name)?.run(), {
    connection,
    prefix: options.prefix,
    concurrency: 1,
  });
  worker.on('failed', (job, err) =>
    options.logger.error({ queue: options.queue, job: job?.name, err: err.message }, 'periodic job failed'),
  );
  worker.on('error', (err) =>
    options.logger.error({ queue: options.queue, err: err.message }, 'periodic worker error'),
  );
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
