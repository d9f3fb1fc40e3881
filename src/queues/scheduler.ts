/**
 * The scheduler: BullMQ job schedulers on the system queue for the recovery job (every N
 * seconds) and retention (cron from config `retention.schedule`), and a worker with concurrency
 * 1 that runs them. Job schedulers are upserted, so many gateway processes may start the
 * scheduler role: each interval still yields one job, taken by one worker.
 */
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { startPeriodicJobs } from './periodic.js';
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
  readonly logger: Logger;
}

export interface Scheduler {
  close(): Promise<void>;
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  return startPeriodicJobs({
    connection: options.connection,
    prefix: options.prefix,
    queue: SYSTEM_QUEUE,
    logger: options.logger,
    jobs: [
      { name: RECOVERY_JOB, schedule: { every: options.recoveryEveryMs }, run: options.recover },
      {
        name: RETENTION_JOB,
        schedule: { cron: options.retentionCron, timeZone: options.timeZone },
        run: options.purge,
      },
    ],
  });
}
