/**
 * The one retry decision: a failure is transient (retried with exponential backoff and jitter
 * from the partner's retry policy) or permanent (dead letter at once), by its error code's
 * verdict in src/errors.ts. Pure: the random source is injected.
 */
import type { RetryPolicy } from '../config/schema.js';
import { ERROR_CATALOGUE, isIdocgateError, type RetryVerdict } from '../errors.js';
import { isTransportError } from './transport-port.js';

export interface Failure {
  readonly verdict: RetryVerdict;
  readonly code: string;
  readonly text: string;
  /** The receiver's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;
  /**
   * The request went out in full and its answer was lost: the receiver may have it. Sending it
   * again is safe only where the receiver drops duplicates (see process.ts).
   */
  readonly inDoubt?: boolean;
}

/** Node errno codes of failures that pass (network, store connection). */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '08006',
  '08001',
]);

export function classifyFailure(e: unknown): Failure {
  if (isIdocgateError(e)) {
    return {
      verdict: ERROR_CATALOGUE[e.code].verdict,
      code: e.code,
      text: e.message,
      ...(isTransportError(e) && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
      ...(isTransportError(e) && e.inDoubt === true ? { inDoubt: true } : {}),
    };
  }
  const errno =
    typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  const text = e instanceof Error ? e.message : String(e);
  if (TRANSIENT_ERRNO.has(errno)) return { verdict: 'transient', code: 'STORE_UNAVAILABLE', text };
  // Unknown errors are bugs or surprises: retried, so a fix and a restart can still deliver.
  return { verdict: 'transient', code: 'INTERNAL', text };
}

/**
 * Delay before retry number `retry` (1 = the first retry): backoff * 2^(retry-1), capped at
 * maxBackoff, spread by ±jitter, never below the receiver's Retry-After (itself capped).
 */
export function computeBackoff(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exp = policy.backoff * 2 ** Math.max(0, Math.min(retry - 1, 40));
  const base = Math.min(policy.maxBackoff, exp);
  const spread = 1 - policy.jitter + 2 * policy.jitter * Math.min(Math.max(random(), 0), 1);
  let delay = Math.min(policy.maxBackoff, Math.round(base * spread));
  if (retryAfterMs !== undefined && retryAfterMs > delay) delay = Math.min(retryAfterMs, policy.maxBackoff);
  return Math.max(0, delay);
}
