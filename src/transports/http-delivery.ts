/**
 * The delivery step shared by the HTTP-based transports: one exchange, timed with the injected
 * clock, classified with classifyHttpStatus (after an optional kind-specific look at the
 * response, e.g. SOAP faults), turned into a receipt. Secrets are removed from every text.
 */
import { classifyHttpStatus, type HttpOutcome } from './classify-http.js';
import type { HttpClient, HttpExchangeResponse } from './http-client.js';
import { redact, TransportError } from './transport-error.js';
import type { Logger } from '../logger.js';
import type { Clock, DeliveryReceipt } from './types.js';

export interface HttpDeliveryRequest {
  readonly client: HttpClient;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  readonly url: URL;
  readonly method: 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly receiver: string;
  readonly secrets: readonly string[];
  readonly messageId: string;
  /** Kind-specific reading of a response before the status rules (e.g. a SOAP fault). */
  readonly inspect?: (outcome: HttpOutcome, fullBody: string) => TransportError | undefined;
  /** Statuses that mean "the receiver already has this message" (idempotent success). */
  readonly duplicateStatuses?: readonly number[];
  readonly remoteReference?: (response: HttpExchangeResponse) => string | undefined;
}

export async function deliverOverHttp(req: HttpDeliveryRequest): Promise<DeliveryReceipt> {
  const started = req.clock.now();
  let response: HttpExchangeResponse;
  try {
    response = await req.client.exchange({
      url: req.url,
      method: req.method,
      headers: req.headers,
      body: req.body,
      timeoutMs: req.timeoutMs,
      signal: req.signal,
      receiver: req.receiver,
    });
  } catch (e) {
    const err =
      e instanceof TransportError ? e : new TransportError('TRANSPORT_NETWORK', String(e), { cause: e });
    req.logger?.warn(
      { messageId: req.messageId, receiver: req.receiver, code: err.code, verdict: err.verdict },
      'delivery failed before a response',
    );
    throw err;
  }
  const durationMs = Math.max(0, req.clock.now() - started);
  const fullBody = redact(response.body.toString('utf8'), req.secrets, Number.MAX_SAFE_INTEGER);
  const outcome: HttpOutcome = {
    status: response.status,
    headers: response.headers,
    excerpt: redact(fullBody, req.secrets),
  };
  const duplicate = req.duplicateStatuses?.includes(response.status) ?? false;
  const failure = duplicate
    ? undefined
    : (req.inspect?.(outcome, fullBody) ?? classifyHttpStatus(outcome, req.receiver, req.clock.now()));
  if (failure !== undefined) {
    req.logger?.warn(
      {
        messageId: req.messageId,
        receiver: req.receiver,
        status: response.status,
        code: failure.code,
        verdict: failure.verdict,
        durationMs,
      },
      'delivery rejected',
    );
    throw failure;
  }
  const remoteReference = req.remoteReference?.(response);
  req.logger?.debug(
    { messageId: req.messageId, receiver: req.receiver, status: response.status, durationMs },
    'delivered',
  );
  return {
    status: response.status,
    durationMs,
    ...(outcome.excerpt !== '' ? { responseExcerpt: outcome.excerpt } : {}),
    ...(remoteReference !== undefined && remoteReference !== ''
      ? { remoteReference: redact(remoteReference, req.secrets) }
      : {}),
    ...(duplicate ? { duplicate: true } : {}),
  };
}

/** First value of a header (node lower-cases names). */
export function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
