/**
 * The WorkQueue port on BullMQ: one queue per destination, created on first use, sharing one
 * Redis connection that fails fast (no offline queue) so an edge never hangs on a Redis outage:
 * the message stays `received` and the recovery job queues it later. Completed and failed jobs
 * are removed at once: the store is the record, Redis holds only work in flight.
 *
 * Adds are coalesced per destination (src/batcher.ts): the jobs asked for while an add is in
 * flight go to Redis together in one `addBulk` (one round trip). When a bulk add fails, each job
 * is added on its own, so every caller gets its own outcome.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { Batcher, settle } from '../batcher.js';
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

interface Add {
  readonly item: WorkItem;
  readonly delayMs?: number;
}

interface BulkJob {
  readonly name: string;
  readonly data: DeliverJobData;
  readonly opts: JobsOptions;
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
  const adders = new Map<string, Batcher<Add, void>>();

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

  const jobOf = (destination: string, add: Add): BulkJob => ({
    name: DELIVER_JOB,
    data: { messageId: add.item.messageId, token: add.item.token },
    opts: {
      ...jobOptionsFor(options.config, destination),
      jobId: jobIdOf(add.item),
      ...(add.delayMs !== undefined && add.delayMs > 0 ? { delay: Math.round(add.delayMs) } : {}),
    },
  });
  const adderFor = (destination: string): Batcher<Add, void> => {
    let adder = adders.get(destination);
    if (adder === undefined) {
      const queue = queueFor(destination);
      adder = new Batcher<Add, void>(
        async (adds) => {
          const jobs = adds.map((a) => jobOf(destination, a));
          if (jobs.length === 1)
            return [
              await settle(() =>
                queue.add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts).then(() => undefined),
              ),
            ];
          try {
            await queue.addBulk(jobs);
            return jobs.map(() => ({ ok: true, value: undefined }));
          } catch {
            return Promise.all(
              jobs.map((j) => settle(() => queue.add(j.name, j.data, j.opts).then(() => undefined))),
            );
          }
        },
        { maxBatch: 200, maxInFlight: 2 },
      );
      adders.set(destination, adder);
    }
    return adder;
  };

  return {
    client,
    queueFor,
    async enqueue(destination: string, item: WorkItem, opts: EnqueueOptions = {}): Promise<void> {
      if (client.status !== 'ready') throw new Error(`Redis is not connected (${client.status})`);
      await adderFor(destination).submit({
        item,
        ...(opts.delayMs !== undefined ? { delayMs: opts.delayMs } : {}),
      });
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
      adders.clear();
      client.disconnect();
    },
  };
}
