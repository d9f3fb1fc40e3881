/**
 * BullMQ job schedulers for the delivery ledger catch-up (every `sweeper.catchUp.every`) and the
 * pushback sweeper (cron `sweeper.schedule` in the config's time zone), on a queue of their own
 * (`pushback`) with one worker of concurrency 1 per scheduler process. Schedulers are upserted,
 * so any number of processes may start them: each tick yields one job, taken by one worker; the
 * sweeper's lease row guards against a CLI run or a slow previous run at the same time.
 */
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { startPeriodicJobs } from '../queues/periodic.js';
import { CATCH_UP_JOB, PUSHBACK_QUEUE, SWEEP_JOB } from '../queues/queue-keys.js';

export interface PushbackSchedulerOptions {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly catchUpEveryMs: number;
  /** Cron pattern of the sweeper, or null to run only the catch-up (sweeper disabled). */
  readonly sweepCron: string | null;
  readonly timeZone: string;
  readonly catchUp: () => Promise<unknown>;
  readonly sweep: () => Promise<unknown>;
  readonly logger: Logger;
}

export interface PushbackScheduler {
  close(): Promise<void>;
}

export async function startPushbackScheduler(options: PushbackSchedulerOptions): Promise<PushbackScheduler> {
  return startPeriodicJobs({
    connection: options.connection,
    prefix: options.prefix,
    queue: PUSHBACK_QUEUE,
    logger: options.logger,
    jobs: [
      { name: CATCH_UP_JOB, schedule: { every: options.catchUpEveryMs }, run: options.catchUp },
      {
        name: SWEEP_JOB,
        schedule: options.sweepCron === null ? null : { cron: options.sweepCron, timeZone: options.timeZone },
        run: options.sweep,
      },
    ],
  });
}
