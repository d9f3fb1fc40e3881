/**
 * Options shared by the two SAP HTTP transports (XML-HTTP port and IDoc-SOAP): endpoint URL with
 * sap-client, basic-auth user with a password given resolved or by environment-variable name,
 * timeout and TLS.
 */
import { z } from 'zod';
import {
  basicAuthHeader,
  durationSchema,
  envNameSchema,
  httpUrlSchema,
  parseUrl,
  resolveSecretValue,
  tlsSchema,
} from './options.js';
import type { TransportDeps } from './types.js';

export const sapHttpOptionsShape = {
  /** Service URL, e.g. `https://sap.example.com/sap/bc/idoc_xml?sap-client=100`. */
  url: httpUrlSchema,
  /** SAP client (MANDT); added as `sap-client` to the URL when the URL has none. */
  client: z
    .string()
    .regex(/^\d{3}$/, 'an SAP client is three digits, e.g. 100')
    .optional(),
  /** Communication user in SAP (needs S_IDOCDEFT / inbound authorisations). */
  username: z.string().min(1),
  password: z.string().min(1).optional(),
  passwordEnv: envNameSchema.optional(),
  timeout: durationSchema.default(60_000),
  tls: tlsSchema.optional(),
  /** Extra non-secret request headers. */
  headers: z.record(z.string(), z.string()).default({}),
};

interface SapHttpCommon {
  url: string;
  client?: string | undefined;
  password?: string | undefined;
  passwordEnv?: string | undefined;
}

/** Cross-field checks shared by both SAP kinds (use in `.superRefine`). */
export function checkSapHttpOptions(o: SapHttpCommon, ctx: z.RefinementCtx): void {
  if (o.password === undefined && o.passwordEnv === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['passwordEnv'],
      message:
        'give passwordEnv (name of the environment variable holding the password) or a resolved password',
    });
  }
  const inUrl = parseUrl(o.url)?.searchParams.get('sap-client') ?? null;
  if (inUrl !== null && o.client !== undefined && inUrl !== o.client) {
    ctx.addIssue({
      code: 'custom',
      path: ['client'],
      message: `client ${o.client} contradicts sap-client=${inUrl} in the URL`,
    });
  }
}

/** URL with `sap-client` set, Authorization header, and the secrets to keep out of messages. */
export function sapEndpoint(
  o: SapHttpCommon & { username: string },
  deps: TransportDeps,
): { url: URL; authorization: string; secrets: string[] } {
  const url = new URL(o.url);
  if (o.client !== undefined && !url.searchParams.has('sap-client'))
    url.searchParams.set('sap-client', o.client);
  const password = resolveSecretValue(o.password, o.passwordEnv, deps, 'passwordEnv');
  const { header, secrets } = basicAuthHeader(o.username, password);
  return { url, authorization: header, secrets };
}
