/**
 * A WorkQueue that keeps what the real gateway queues, in memory, and works nothing off: route
 * tests run the real use cases (ingest, replay, cancel, bulk replay) on the real store and see
 * which messages were handed to which destination queue, without BullMQ workers delivering them.
 */
import type {
  EnqueueOptions,
  JobState,
  QueueDepth,
  WorkItem,
  WorkQueue,
} from '../../src/pipeline/queue-port.js';

export interface QueuedJob {
  readonly destination: string;
  readonly item: WorkItem;
  readonly options: EnqueueOptions;
}

export interface RecordingQueue extends WorkQueue {
  /** Every job added, in order (the same item twice is one job, as on BullMQ). */
  readonly jobs: readonly QueuedJob[];
  /** The jobs of one message. */
  jobsOf(messageId: string): QueuedJob[];
  /** Make the next enqueue throw (Redis unreachable). */
  failNext(error: Error): void;
}

export function recordingQueue(): RecordingQueue {
  const jobs: QueuedJob[] = [];
  const key = (destination: string, item: WorkItem): string =>
    `${destination}\u0000${item.messageId}\u0000${item.token}`;
  const seen = new Set<string>();
  let failure: Error | undefined;
  return {
    jobs,
    jobsOf: (messageId) => jobs.filter((j) => j.item.messageId === messageId),
    failNext(error) {
      failure = error;
    },
    async enqueue(destination, item, options = {}) {
      if (failure) {
        const f = failure;
        failure = undefined;
        throw f;
      }
      if (seen.has(key(destination, item))) return;
      seen.add(key(destination, item));
      jobs.push({ destination, item, options });
    },
    async jobState(destination, item): Promise<JobState> {
      if (!seen.has(key(destination, item))) return 'missing';
      return jobs.find((j) => key(j.destination, j.item) === key(destination, item))?.options.delayMs
        ? 'delayed'
        : 'waiting';
    },
    async depths() {
      const out: Record<string, QueueDepth> = {};
      for (const j of jobs) {
        const d = out[j.destination] ?? { waiting: 0, active: 0, delayed: 0 };
        out[j.destination] = j.options.delayMs
          ? { ...d, delayed: d.delayed + 1 }
          : { ...d, waiting: d.waiting + 1 };
      }
      return out;
    },
    async close() {
      // nothing to close
    },
  };
}
