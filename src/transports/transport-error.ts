/**
 * The error every transport throws. Its verdict comes from the error catalogue (src/errors.ts),
 * so a transport classifies a failure by choosing the code.
 */
import { IdocgateError, type ErrorCode, type Issue } from '../errors.js';

export interface TransportErrorDetails {
  /** HTTP status when the receiver answered. */
  readonly status?: number;
  /** First characters of the response body (secrets removed). */
  readonly responseExcerpt?: string;
  /** How long the receiver asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  readonly issues?: readonly Issue[];
  readonly cause?: unknown;
  /**
   * The request went out in full and its answer was lost (timeout or reset after the body was
   * sent, a 5xx after the receiver read it): the receiver may have it. Absent: it was not sent
   * (refused, DNS, TLS, or an answer that says it was not taken).
   */
  readonly inDoubt?: boolean;
}

export class TransportError extends IdocgateError {
  readonly status?: number;
  readonly responseExcerpt?: string;
  readonly retryAfterMs?: number;
  readonly inDoubt?: boolean;

  constructor(code: ErrorCode, message: string, details: TransportErrorDetails = {}) {
    const options: { issues?: readonly Issue[]; cause?: unknown } = {};
    if (details.issues !== undefined) options.issues = details.issues;
    if (details.cause !== undefined) options.cause = details.cause;
    super(code, message, options);
    this.name = 'TransportError';
    if (details.status !== undefined) this.status = details.status;
    if (details.responseExcerpt !== undefined) this.responseExcerpt = details.responseExcerpt;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.inDoubt === true) this.inDoubt = true;
  }

  /** A plain object for logs and the delivery history (no cause chain, no secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      verdict: this.verdict,
      message: this.message,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.responseExcerpt !== undefined ? { responseExcerpt: this.responseExcerpt } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.inDoubt === true ? { inDoubt: true } : {}),
    };
  }
}

export function isTransportError(e: unknown): e is TransportError {
  return e instanceof TransportError;
}

/** Longest response excerpt kept in receipts and errors. */
export const EXCERPT_LENGTH = 500;

/**
 * Removes every occurrence of the given secrets (and their base64 form, as in a Basic
 * Authorization header) from a text, and shortens it to `max` characters.
 */
export function redact(text: string, secrets: readonly string[], max = EXCERPT_LENGTH): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue;
    out = out.split(s).join('***');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
