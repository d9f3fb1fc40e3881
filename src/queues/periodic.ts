/**
 * Periodic jobs on a queue of their own: BullMQ job schedulers (upserted, so any number of
 * processes may start them and each tick still yields one job) and one worker of concurrency 1
 * that runs them. Used by the recovery/retention scheduler, the pushback sweeper and the serial
 * ledger catch-up.
 */
import { Queue, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

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
  readonly logger: Logger;
  /**
   * How often the job schedulers are checked and re-created when missing (default 10 s): a Redis
   * that lost its data (restarted without AOF, failed over to an empty replica) loses them too,
   * and then recovery, the sweeper and the ledger catch-up would never run again.
   */
  readonly checkEveryMs?: number;
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
  const upsert = async (job: PeriodicJob): Promise<void> => {
    if (job.schedule === null) return;
    if ('every' in job.schedule) {
      await queue.upsertJobScheduler(job.name, { every: job.schedule.every }, { name: job.name, opts });
    } else {
      await queue.upsertJobScheduler(
        job.name,
        { pattern: job.schedule.cron, tz: job.schedule.timeZone },
        { name: job.name, opts },
      );
    }
  };
  for (const job of options.jobs) {
    byName.set(job.name, job);
    if (job.schedule === null) await queue.removeJobScheduler(job.name);
    else await upsert(job);
  }
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      for (const job of options.jobs) {
        if (job.schedule === null || (await queue.getJobScheduler(job.name)) !== undefined) continue;
        await upsert(job);
        options.logger.warn(
          { queue: options.queue, job: job.name },
          'periodic job schedule was missing in Redis (Redis lost its data?): created again',
        );
      }
    } catch (err) {
      options.logger.warn(
        { queue: options.queue, err: err instanceof Error ? err.message : String(err) },
        'periodic job schedule check failed',
      );
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), options.checkEveryMs ?? 10_000);
  timer.unref();
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
      clearInterval(timer);
      await worker.close();
      await queue.close();
    },
  };
}
