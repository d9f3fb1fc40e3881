/**
 * The WorkQueue port on BullMQ: one queue per destination, created on first use, sharing one
 * Redis connection that fails fast (no offline queue) so an edge never hangs on a Redis outage:
 * the message stays `received` and the recovery job queues it later. Completed and failed jobs
 * are removed at once: the store is the record, Redis holds only work in flight.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.js';
import type { EnqueueOptions, JobState, QueueDepth, WorkItem, WorkQueue } from '../pipeline/queue-port.js';
import { destinationSettings, destinations } from '../pipeline/routing.js';
import { BACKOFF_TYPE } from './backoff.js';
import { DELIVER_JOB, jobIdOf, queueName, type DeliverJobData } from './queue-keys.js';

export interface WorkQueueOptions {
  readonly connection: RedisOptions;
  /** Redis key prefix (config `redis.prefix`). */
  readonly prefix: string;
  readonly config: Readonly<Config>;
  /** Called with Redis connection errors (otherwise they are swallowed). */
  readonly onError?: (err: Error) => void;
}

export interface BullWorkQueue extends WorkQueue {
  /** The shared producer connection (readiness checks). */
  readonly client: Redis;
  queueFor(destination: string): Queue<DeliverJobData>;
}

/** Job options of a destination: attempts from its retry policy, our backoff, nothing kept. */
export function jobOptionsFor(config: Readonly<Config>, destination: string): JobsOptions {
  const settings = destinationSettings(config, destination);
  return {
    attempts: settings.retry.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export function createWorkQueue(options: WorkQueueOptions): BullWorkQueue {
  const client = new Redis({
    ...options.connection,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
  const onError = options.onError ?? (() => undefined);
  client.on('error', onError);
  const queues = new Map<string, Queue<DeliverJobData>>();

  const queueFor = (destination: string): Queue<DeliverJobData> => {
    const name = queueName(destination);
    let q = queues.get(name);
    if (q === undefined) {
      q = new Queue<DeliverJobData>(name, { connection: client, prefix: options.prefix });
      q.on('error', onError);
      queues.set(name, q);
    }
    return q;
  };
  for (const d of destinations(options.config)) queueFor(d.name);

  return {
    client,
    queueFor,
    async enqueue(destination: string, item: WorkItem, opts: EnqueueOptions = {}): Promise<void> {
      if (client.status !== 'ready') throw new Error(`Redis is not connected (${client.status})`);
      await queueFor(destination).add(
        DELIVER_JOB,
        { messageId: item.messageId, token: item.token },
        {
          ...jobOptionsFor(options.config, destination),
          jobId: jobIdOf(item),
          ...(opts.delayMs !== undefined && opts.delayMs > 0 ? { delay: Math.round(opts.delayMs) } : {}),
        },
      );
    },
    async jobState(destination: string, item: WorkItem): Promise<JobState> {
      const state = await queueFor(destination).getJobState(jobIdOf(item));
      switch (state) {
        case 'completed':
        case 'failed':
        case 'delayed':
        case 'active':
          return state;
        case 'unknown':
          return 'missing';
        default:
          return 'waiting';
      }
    },
    async depths(): Promise<Readonly<Record<string, QueueDepth>>> {
      const out: Record<string, QueueDepth> = {};
      for (const [name, q] of queues) {
        const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
        out[name] = {
          waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
          active: c['active'] ?? 0,
          delayed: c['delayed'] ?? 0,
        };
      }
      return out;
    },
    async close(): Promise<void> {
      for (const q of queues.values()) await q.close().catch(() => undefined);
      queues.clear();
      client.disconnect();
    },
  };
}
