/**
 * `webhook`: JSON POST to a WMS, PeopleSoft or any HTTP receiver. Authenticates with a static
 * header (e.g. `Authorization: Bearer ...`, value from the environment) and/or an HMAC-SHA256
 * signature header; always sends `Idempotency-Key` (the message id) so the receiver can drop
 * duplicates of a retried delivery.
 */
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { deliverOverHttp, headerValue } from './http-delivery.js';
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
          messageId: delivery.messageId,
          duplicateStatuses: options.duplicateStatuses,
          remoteReference: (res) =>
            options.referenceHeader !== undefined
              ? headerValue(res.headers, options.referenceHeader)
              : undefined,
        });
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};
