/**
 * Worker factory: one BullMQ worker per destination queue, with the partner profile's
 * concurrency and rate limit (BullMQ limiter) and our backoff strategy. The processor is thin:
 * it hands the job to the pipeline and translates the outcome — retry (RetryLater with the
 * pipeline's delay), dead letter (UnrecoverableError: no retries burnt), done.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import type { JobOutcome, JobRun } from '../pipeline/queue-port.js';
import type { DestinationSettings } from '../pipeline/routing.js';
import { RetryLater, backoffStrategy } from './backoff.js';
import { isDeliverJobData, queueName, type DeliverJobData } from './queue-keys.js';

export interface WorkerTuning {
  /** How long a job's lock lasts before it counts as stalled (BullMQ default 30 s). */
  readonly lockDurationMs?: number;
  /** How often stalled jobs are looked for (BullMQ default 30 s). */
  readonly stalledIntervalMs?: number;
}

export interface WorkerFactoryOptions extends WorkerTuning {
  readonly connection: RedisOptions;
  readonly prefix: string;
  readonly process: (run: JobRun) => Promise<JobOutcome>;
  readonly random: () => number;
  readonly logger: Logger;
}

/** Runs a job through the pipeline and turns the outcome into what BullMQ understands. */
export async function runDeliverJob(
  job: Job<DeliverJobData>,
  process: (run: JobRun) => Promise<JobOutcome>,
): Promise<string> {
  if (!isDeliverJobData(job.data)) throw new UnrecoverableError('job data is not { messageId, token }');
  const outcome = await process({
    messageId: job.data.messageId,
    token: job.data.token,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
  });
  switch (outcome.kind) {
    case 'retry':
      throw new RetryLater(outcome.code, outcome.text, outcome.delayMs);
    case 'dead':
      throw new UnrecoverableError(`${outcome.code}: ${outcome.text}`);
    case 'skipped':
      return `skipped: ${outcome.reason}`;
    case 'delivered':
      return 'delivered';
  }
}

export function createDestinationWorker(
  settings: DestinationSettings,
  options: WorkerFactoryOptions,
): Worker<DeliverJobData> {
  const worker = new Worker<DeliverJobData>(
    queueName(settings.name),
    (job) => runDeliverJob(job, options.process),
    {
      connection: { ...options.connection, maxRetriesPerRequest: null },
      prefix: options.prefix,
      concurrency: settings.concurrency,
      ...(settings.rateLimit !== undefined
        ? { limiter: { max: settings.rateLimit.max, duration: settings.rateLimit.per } }
        : {}),
      settings: { backoffStrategy: backoffStrategy(settings.retry, options.random) },
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
      ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
    },
  );
  worker.on('error', (err) =>
    options.logger.error({ queue: settings.name, err: err.message }, 'worker error'),
  );
  return worker;
}
