/**
 * `webhook`: JSON POST to a WMS, PeopleSoft or any HTTP receiver. Authenticates with a static
 * header (e.g. `Authorization: Bearer ...`, value from the environment) and/or an HMAC-SHA256
 * signature header; always sends `Idempotency-Key` (the message id) so the receiver can drop
 * duplicates of a retried delivery.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DeliveryReceipt, PacketItemOutcome } from '../pipeline/transport-port.js';
import { createHttpClient } from './http-client.js';
import { deliverOverHttp, headerValue, type HttpDeliveryRequest } from './http-delivery.js';
import {
  bodyBytes,
  durationSchema,
  envNameSchema,
  httpUrlSchema,
  printableUrl,
  resolveAuthHeader,
  resolveSecretValue,
  tlsSchema,
} from './options.js';
import { TransportError } from './transport-error.js';
import type { CreatedTransport, TransportDefinition } from './types.js';
import { SIGNATURE_HEADER, signWebhookBody } from './webhook-signature.js';

const secretRef = {
  /** Resolved secret (config loading fills it from `…Env`). */
  value: z.string().min(1).optional(),
  valueEnv: envNameSchema.optional(),
};

const needsOne = (o: { value?: string | undefined; valueEnv?: string | undefined }): boolean =>
  o.value !== undefined || o.valueEnv !== undefined;

export const webhookOptionsSchema = z
  .object({
    url: httpUrlSchema,
    method: z.enum(['POST', 'PUT']).default('POST'),
    /** Overrides the delivery's content type (default: the delivery's, normally application/json). */
    contentType: z.string().min(1).optional(),
    /** Extra non-secret headers. */
    headers: z.record(z.string(), z.string()).default({}),
    /** A secret header, e.g. `{ name: Authorization, valueEnv: WMS_TOKEN }` holding `Bearer …`. */
    authHeader: z
      .object({ name: z.string().min(1).default('Authorization'), ...secretRef })
      .strict()
      .refine(needsOne, { message: 'give valueEnv (or a resolved value)', path: ['valueEnv'] })
      .optional(),
    /** HMAC-SHA256 signature `t=<unix>,v1=<hex>` over `<t>.<body>`. */
    hmac: z
      .object({
        secret: z.string().min(1).optional(),
        secretEnv: envNameSchema.optional(),
        header: z.string().min(1).default(SIGNATURE_HEADER),
      })
      .strict()
      .refine((h) => h.secret !== undefined || h.secretEnv !== undefined, {
        message: 'give secretEnv (or a resolved secret)',
        path: ['secretEnv'],
      })
      .optional(),
    timeout: durationSchema.default(30_000),
    tls: tlsSchema.optional(),
    /** Response header naming the receiver's id for the message (stored as remote reference). */
    referenceHeader: z.string().min(1).optional(),
    /** Statuses meaning "already received" (e.g. 409): counted as delivered, marked duplicate. */
    duplicateStatuses: z.array(z.number().int().min(200).max(599)).default([]),
  })
  .strict();

export type WebhookOptions = z.output<typeof webhookOptionsSchema>;

/** Request header of a webhook packet: the message ids of its array elements, in order. */
export const PACKET_IDS_HEADER = 'x-idocgate-message-ids';

/** The Idempotency-Key of a packet: the same messages in the same order give the same key. */
function packetKey(ids: readonly string[]): string {
  return `packet-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`;
}

const itemSchema = z.union([
  z.enum(['ok', 'duplicate']).transform((status) => ({ status })),
  z
    .object({
      id: z.string().optional(),
      status: z.enum(['ok', 'duplicate', 'retry', 'rejected']),
      message: z.string().optional(),
      reference: z.string().optional(),
    })
    .passthrough(),
]);

/**
 * One outcome per message from a 2xx answer to a packet (docs/transports.md "Webhook packets"):
 * a JSON array with one result per element, in order — `"ok"`, `"duplicate"` or an object
 * `{ id?, status: ok | duplicate | retry | rejected, message?, reference? }` — or any other body
 * (empty, an object, text): every message was taken. An array that does not match the packet
 * throws TRANSPORT_PACKET_ANSWER_INVALID (the whole call counts as failed and goes again).
 */
export function packetOutcomes(
  answer: string,
  ids: readonly string[],
  duplicate: boolean,
): PacketItemOutcome[] {
  const all = (): PacketItemOutcome[] => ids.map(() => ({ ok: true, ...(duplicate ? { duplicate } : {}) }));
  const text = answer.trim();
  if (!text.startsWith('[')) return all();
  const invalid = (why: string): TransportError =>
    new TransportError('TRANSPORT_PACKET_ANSWER_INVALID', `the answer to a packet of ${ids.length}: ${why}`, {
      responseExcerpt: text.slice(0, 500),
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw invalid(`not JSON (${(e as Error).message})`);
  }
  const list = z.array(itemSchema).safeParse(parsed);
  if (!list.success) throw invalid(`an element is not a result: ${list.error.issues[0]?.message ?? ''}`);
  if (list.data.length !== ids.length)
    throw invalid(`${list.data.length} results for ${ids.length} messages`);
  return list.data.map((item, i): PacketItemOutcome => {
    const id = ids[i]!;
    const r = item as { id?: string; status: string; message?: string; reference?: string };
    if (r.id !== undefined && r.id !== id) throw invalid(`result ${i + 1} names ${r.id}, not ${id}`);
    if (r.status === 'ok' || r.status === 'duplicate') {
      return {
        ok: true,
        ...(r.status === 'duplicate' ? { duplicate: true } : {}),
        ...(r.reference !== undefined ? { remoteReference: r.reference } : {}),
      };
    }
    const why = r.message !== undefined ? `: ${r.message.slice(0, 500)}` : '';
    return {
      ok: false,
      error:
        r.status === 'retry'
          ? new TransportError('TRANSPORT_PACKET_ITEM_FAILED', `the receiver asked to send it again${why}`)
          : new TransportError('TRANSPORT_PACKET_ITEM_REJECTED', `the receiver rejected it${why}`),
    };
  });
}

export const webhookTransport: TransportDefinition<typeof webhookOptionsSchema> = {
  kind: 'webhook',
  description: 'JSON POST to a WMS/PeopleSoft endpoint (auth header and/or HMAC signature, Idempotency-Key)',
  // partners get JSON: the mapping's output, else the IDoc's canonical JSON
  wireFormat: 'json',
  optionsSchema: webhookOptionsSchema,
  create(options, deps): CreatedTransport {
    const url = new URL(options.url);
    const secrets: string[] = [];
    const auth = resolveAuthHeader(options.authHeader, deps, secrets);
    const hmacSecret =
      options.hmac !== undefined
        ? resolveSecretValue(options.hmac.secret, options.hmac.secretEnv, deps, 'hmac.secretEnv')
        : undefined;
    if (hmacSecret !== undefined) secrets.push(hmacSecret);
    const client = createHttpClient({ url, tls: options.tls });
    const receiver = `webhook ${printableUrl(url)}`;
    /** One POST of a body (one message, or a packet's array): auth, HMAC signature, the HTTP call. */
    const post = (
      headers: Record<string, string>,
      body: Buffer,
      signal: AbortSignal | undefined,
      messageId: string,
      extra: Pick<HttpDeliveryRequest, 'remoteReference' | 'inspect'>,
    ): Promise<DeliveryReceipt> => {
      if (auth !== undefined) headers[auth.name.toLowerCase()] = auth.value;
      if (hmacSecret !== undefined && options.hmac !== undefined) {
        headers[options.hmac.header.toLowerCase()] = signWebhookBody(hmacSecret, body, deps.clock.now());
      }
      return deliverOverHttp({
        client,
        clock: deps.clock,
        logger: deps.logger,
        url,
        method: options.method,
        headers,
        body,
        timeoutMs: options.timeout,
        signal,
        receiver,
        secrets,
        messageId,
        duplicateStatuses: options.duplicateStatuses,
        ...extra,
      });
    };
    return {
      kind: 'webhook',
      async send(delivery, signal) {
        const body = bodyBytes(delivery.body);
        const headers: Record<string, string> = {
          ...options.headers,
          ...delivery.headers,
          'content-type': options.contentType ?? delivery.contentType,
          'idempotency-key': delivery.idempotencyKey ?? delivery.messageId,
          'x-idocgate-message-id': delivery.messageId,
        };
        return post(headers, body, signal, delivery.messageId, {
          remoteReference: (res) =>
            options.referenceHeader !== undefined
              ? headerValue(res.headers, options.referenceHeader)
              : undefined,
        });
      },
      async sendPacket(deliveries, signal) {
        const ids = deliveries.map((d) => d.messageId);
        // The bodies are the JSON each message would be sent as on its own, in one array.
        const body = Buffer.concat([
          Buffer.from('['),
          ...deliveries.flatMap((d, i) =>
            i === 0 ? [bodyBytes(d.body)] : [Buffer.from(','), bodyBytes(d.body)],
          ),
          Buffer.from(']'),
        ]);
        const headers: Record<string, string> = {
          ...options.headers,
          'content-type': options.contentType ?? 'application/json',
          'idempotency-key': packetKey(ids),
          [PACKET_IDS_HEADER]: ids.join(','),
        };
        let answer = '';
        const receipt = await post(headers, body, signal, ids[0] ?? '', {
          inspect: (_outcome, fullBody) => {
            answer = fullBody;
            return undefined;
          },
        });
        return { ...receipt, items: packetOutcomes(answer, ids, receipt.duplicate === true) };
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};
