/**
 * The one classification of HTTP outcomes shared by the HTTP-based transports (SAP XML-HTTP,
 * IDoc-SOAP, webhook): which statuses and network errors are worth retrying.
 *
 *   2xx            success
 *   401, 403       TRANSPORT_AUTH_REJECTED   permanent (a password does not fix itself)
 *   408, 429       TRANSPORT_HTTP_THROTTLED  transient, honours Retry-After
 *   other 4xx      TRANSPORT_HTTP_4XX        permanent
 *   5xx            TRANSPORT_HTTP_5XX        transient (503 honours Retry-After)
 *   1xx, 3xx       TRANSPORT_HTTP_UNEXPECTED permanent (redirects are not followed: often a logon page)
 *   ECONNREFUSED   TRANSPORT_CONNECTION_REFUSED transient
 *   timeout        TRANSPORT_TIMEOUT         transient
 *   caller abort   TRANSPORT_ABORTED         transient
 *   TLS cert       TRANSPORT_TLS             permanent
 *   other network  TRANSPORT_NETWORK         transient
 *
 * Sent or not (docs/sap-feedback.md, "exactly once"): a failure is *in doubt* when the request
 * went out in full and its answer was lost — a timeout or a reset after the body was written, or
 * a 5xx other than 503 (the receiver read the request and failed while, or after, handling it).
 * Refused connections, DNS and TLS errors, failures while the body was still being written, 503
 * (service unavailable: not taken), 408, 429 and 4xx are *not sent*: safe to send again.
 */
import type { ErrorCode } from '../errors.js';
import { TransportError } from './transport-error.js';

export type HeaderValue = string | string[] | undefined;

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: HeaderValue, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const trimmed = v.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface HttpOutcome {
  readonly status: number;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Response body excerpt, secrets already removed. */
  readonly excerpt: string;
}

/** Undefined for success (2xx), else the classified error. `receiver` names the endpoint. */
export function classifyHttpStatus(
  outcome: HttpOutcome,
  receiver: string,
  nowMs: number,
): TransportError | undefined {
  const { status, excerpt } = outcome;
  if (status >= 200 && status < 300) return undefined;
  const retryAfterMs = parseRetryAfter(outcome.headers['retry-after'], nowMs);
  let code: ErrorCode;
  if (status === 401 || status === 403) code = 'TRANSPORT_AUTH_REJECTED';
  else if (status === 408 || status === 429) code = 'TRANSPORT_HTTP_THROTTLED';
  else if (status >= 400 && status < 500) code = 'TRANSPORT_HTTP_4XX';
  else if (status >= 500 && status < 600) code = 'TRANSPORT_HTTP_5XX';
  else code = 'TRANSPORT_HTTP_UNEXPECTED';
  const where =
    code === 'TRANSPORT_HTTP_UNEXPECTED' && outcome.headers['location'] !== undefined
      ? ' (redirect not followed; a logon page?)'
      : '';
  const message = `${receiver} answered HTTP ${status}${where}${excerpt ? `: ${excerpt}` : ''}`;
  return new TransportError(code, message, {
    status,
    responseExcerpt: excerpt,
    ...(retryAfterMs !== undefined && code !== 'TRANSPORT_HTTP_4XX' ? { retryAfterMs } : {}),
    ...(code === 'TRANSPORT_HTTP_5XX' && status !== 503 ? { inDoubt: true } : {}),
  });
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

/** Node's error code, looking through `cause` chains (fetch wraps socket errors). */
export function errnoCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && typeof cur === 'object' && cur !== null; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a failure before any HTTP status was received. */
export function classifyNetworkError(
  e: unknown,
  receiver: string,
  state: { timedOut: boolean; aborted: boolean; timeoutMs: number; bodySent?: boolean },
): TransportError {
  if (e instanceof TransportError) return e;
  // After the whole body went out, a lost answer leaves it open whether the receiver has it.
  const inDoubt = state.bodySent === true ? { inDoubt: true } : {};
  if (state.aborted) {
    return new TransportError('TRANSPORT_ABORTED', `delivery to ${receiver} was aborted`, {
      cause: e,
      ...inDoubt,
    });
  }
  if (state.timedOut) {
    return new TransportError(
      'TRANSPORT_TIMEOUT',
      `${receiver} did not answer within ${state.timeoutMs} ms${state.bodySent === true ? ' (the request was sent in full)' : ''}`,
      { cause: e, ...inDoubt },
    );
  }
  const code = errnoCode(e) ?? 'unknown';
  if (code === 'ECONNREFUSED') {
    return new TransportError(
      'TRANSPORT_CONNECTION_REFUSED',
      `${receiver} refused the connection (ECONNREFUSED)`,
      {
        cause: e,
      },
    );
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return new TransportError('TRANSPORT_TIMEOUT', `connecting to ${receiver} timed out (${code})`, {
      cause: e,
      ...inDoubt,
    });
  }
  if (TLS_CODES.has(code)) {
    return new TransportError('TRANSPORT_TLS', `TLS certificate of ${receiver} not accepted (${code})`, {
      cause: e,
    });
  }
  return new TransportError(
    'TRANSPORT_NETWORK',
    `network error talking to ${receiver} (${code})${state.bodySent === true ? ' after the request was sent in full' : ''}`,
    { cause: e, ...inDoubt },
  );
}
