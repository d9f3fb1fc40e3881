/**
 * The Queue port: what the use cases need from the work queue (BullMQ in src/queues). Jobs carry
 * a message id and an enqueue token only; the store is the record. Pure types.
 */

/** One unit of work: deliver message `messageId`, queued with `token` (its generation). */
export interface WorkItem {
  readonly messageId: string;
  /** The enqueue generation (`1`, `2`, ...), also stored on the message by markQueued. */
  readonly token: string;
}

export interface EnqueueOptions {
  /** Start no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

/** State of a job as the queue sees it (`missing`: no such job, e.g. Redis lost its data). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'missing';

export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
}

export interface WorkQueue {
  /**
   * Adds a job for the item to the destination's queue. Adding the same item twice is a no-op
   * (the job id is derived from message id and token). Throws when the queue is unreachable.
   */
  enqueue(destination: string, item: WorkItem, options?: EnqueueOptions): Promise<void>;
  /** Where the item's job is, or `missing`. */
  jobState(destination: string, item: WorkItem): Promise<JobState>;
  /** Job counts per destination queue that exists so far. */
  depths(): Promise<Readonly<Record<string, QueueDepth>>>;
  close(): Promise<void>;
}

/** What one processing run of a job reports back to the queue adapter. */
export type JobOutcome =
  /** Nothing to do (stale job, message finished, cancelled or blocked behind its ordering key). */
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'delivered' }
  /** Transient failure: the queue retries after `delayMs`. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly code: string; readonly text: string }
  /** Dead letter: permanent failure, or retries exhausted. */
  | {
      readonly kind: 'dead';
      readonly permanent: boolean;
      readonly code: string;
      readonly text: string;
    };

/** The job as the processor sees it. */
export interface JobRun extends WorkItem {
  /** Attempts already made by this job before this run (0 on the first run). */
  readonly attemptsMade: number;
  /** Total attempts this job may make. */
  readonly maxAttempts: number;
}
