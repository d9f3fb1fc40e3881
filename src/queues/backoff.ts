/**
 * BullMQ's custom backoff strategy (`settings.backoffStrategy`), driven by the pipeline's one
 * retry decision: the processor computes the delay (partner retry policy, jitter, Retry-After)
 * and throws RetryLater carrying it; errors that escape the pipeline (the store unreachable)
 * get the policy's backoff computed here.
 */
import type { BackoffStrategy } from 'bullmq';
import type { RetryPolicy } from '../config/schema.js';
import { computeBackoff } from '../pipeline/retry.js';

/** Thrown by the processor for a transient failure: retry after `delayMs`. */
export class RetryLater extends Error {
  readonly delayMs: number;
  readonly code: string;
  constructor(code: string, text: string, delayMs: number) {
    super(`${code}: ${text}`);
    this.name = 'RetryLater';
    this.code = code;
    this.delayMs = delayMs;
  }
}

/** Backoff type name in job options (`backoff: { type: BACKOFF_TYPE }`). */
export const BACKOFF_TYPE = 'idocgate';

export function backoffStrategy(policy: RetryPolicy, random: () => number): BackoffStrategy {
  return (attemptsMade, _type, err) => {
    if (err instanceof RetryLater) return err.delayMs;
    return computeBackoff(Math.max(1, attemptsMade), policy, random);
  };
}
