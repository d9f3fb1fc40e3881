/**
 * BullMQ job schedulers for the delivery ledger catch-up (every `sweeper.catchUp.every`) and the
 * pushback sweeper (cron `sweeper.schedule` in the config's time zone), on a queue of their own
 * (`pushback`) with one worker of concurrency 1 per scheduler process. Schedulers are upserted,
 * so any number of processes may start them: each tick yields one job, taken by one worker; the
 * sweeper's lease row guards against a CLI run or a slow previous run at the same time.
 */
import { Queue, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { PipelineLogger } from '../pipeline/deps.js';

export const PUSHBACK_QUEUE = 'pushback';
export const CATCH_UP_JOB = 'delivery-ledger-catch-up';
export const SWEEP_JOB = 'pushback-sweep';

export interface PushbackSchedulerOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly catchUpEveryMs: number;
  /** Cron pattern of the sweeper, or null to run only the catch-up (sweeper disabled). */
  readonly sweepCron: string | null;
  readonly timeZone: string;
  readonly catchUp: () => Promise<unknown>;
  readonly sweep: () => Promise<unknown>;
  readonly logger: PipelineLogger;
}

export interface PushbackScheduler {
  close(): Promise<void>;
}

export async function startPushbackScheduler(options: PushbackSchedulerOptions): Promise<PushbackScheduler> {
  const connection = { ...options.connection, maxRetriesPerRequest: null };
  const queue = new Queue(PUSHBACK_QUEUE, { connection, prefix: options.prefix });
  queue.on('error', (err) => options.logger.warn({ err: err.message }, 'pushback scheduler queue error'));
  const opts = { removeOnComplete: true, removeOnFail: true };
  await queue.upsertJobScheduler(
    CATCH_UP_JOB,
    { every: options.catchUpEveryMs },
    { name: CATCH_UP_JOB, opts },
  );
  if (options.sweepCron !== null) {
    await queue.upsertJobScheduler(
      SWEEP_JOB,
      { pattern: options.sweepCron, tz: options.timeZone },
      { name: SWEEP_JOB, opts },
    );
  } else {
    await queue.removeJobScheduler(SWEEP_JOB);
  }
  const worker = new Worker(
    PUSHBACK_QUEUE,
    async (job) => {
      if (job.name === CATCH_UP_JOB) return options.catchUp();
      if (job.name === SWEEP_JOB) return options.sweep();
      return undefined;
    },
    { connection, prefix: options.prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    options.logger.error({ job: job?.name, err: err.message }, 'pushback job failed'),
  );
  worker.on('error', (err) => options.logger.error({ err: err.message }, 'pushback worker error'));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
