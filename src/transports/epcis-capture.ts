/**
 * `epcis-capture`: POSTs EPCIS 2.0 documents (the serial ledger's events as JSON-LD) to an
 * external EPCIS repository's capture interface (`POST {url}/capture`, EPCIS 2.0 REST binding).
 * Sends `GS1-EPCIS-Version`, `GS1-CBV-Version` and `GS1-Capture-Error-Behaviour`; a repository
 * answers 202 Accepted with the capture job in `Location` (kept as the remote reference).
 * Authentication: a secret header (e.g. `Authorization: Bearer ...`) from the environment.
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
  tlsSchema,
} from './options.js';
import type { CreatedTransport, TransportDefinition } from './types.js';

export const epcisCaptureOptionsSchema = z
  .object({
    /** Base URL of the EPCIS repository (the capture endpoint is `<url>/capture`), or the capture URL itself. */
    url: httpUrlSchema,
    /** Path appended to `url` unless the URL already ends with it. */
    capturePath: z.string().startsWith('/').default('/capture'),
    authHeader: z
      .object({
        name: z.string().min(1).default('Authorization'),
        value: z.string().min(1).optional(),
        valueEnv: envNameSchema.optional(),
      })
      .strict()
      .refine((o) => o.value !== undefined || o.valueEnv !== undefined, {
        message: 'give valueEnv (or a resolved value)',
        path: ['valueEnv'],
      })
      .optional(),
    /** `rollback`: the repository rejects the whole document on an error; `proceed`: captures the valid events. */
    captureErrorBehaviour: z.enum(['rollback', 'proceed']).default('rollback'),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: durationSchema.default(30_000),
    tls: tlsSchema.optional(),
  })
  .strict();

export type EpcisCaptureOptions = z.output<typeof epcisCaptureOptionsSchema>;

export function captureUrl(options: Pick<EpcisCaptureOptions, 'url' | 'capturePath'>): URL {
  const u = new URL(options.url);
  if (!u.pathname.endsWith(options.capturePath))
    u.pathname = u.pathname.replace(/\/$/, '') + options.capturePath;
  return u;
}

export const epcisCaptureTransport: TransportDefinition<typeof epcisCaptureOptionsSchema> = {
  kind: 'epcis-capture',
  description: 'EPCIS 2.0 capture: POST EPCIS documents (JSON-LD) to a repository’s /capture endpoint',
  // EPCIS documents are JSON-LD; an IDoc routed here would go as canonical JSON
  wireFormat: 'json',
  optionsSchema: epcisCaptureOptionsSchema,
  create(options, deps): CreatedTransport {
    const url = captureUrl(options);
    const secrets: string[] = [];
    const auth = resolveAuthHeader(options.authHeader, deps, secrets);
    const client = createHttpClient({ url, tls: options.tls });
    const receiver = `EPCIS repository ${printableUrl(url)}`;
    return {
      kind: 'epcis-capture',
      async send(delivery, signal) {
        const headers: Record<string, string> = {
          ...options.headers,
          ...delivery.headers,
          'content-type': 'application/ld+json',
          'gs1-epcis-version': '2.0.0',
          'gs1-cbv-version': '2.0.0',
          'gs1-capture-error-behaviour': options.captureErrorBehaviour,
          'x-idocgate-message-id': delivery.messageId,
        };
        if (auth !== undefined) headers[auth.name.toLowerCase()] = auth.value;
        return deliverOverHttp({
          client,
          clock: deps.clock,
          logger: deps.logger,
          url,
          method: 'POST',
          headers,
          body: bodyBytes(delivery.body),
          timeoutMs: options.timeout,
          signal,
          receiver,
          secrets,
          messageId: delivery.messageId,
          remoteReference: (res) => headerValue(res.headers, 'location'),
        });
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};
