/**
 * Option pieces shared by the transport kinds: durations, TLS, secrets referenced by
 * environment-variable name, SAP basic auth. Secrets are accepted resolved (`password`) or by
 * name (`passwordEnv`); they never appear in messages.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TransportError } from './transport-error.js';
import type { TransportDeps } from './types.js';

export const envNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (A-Z, 0-9, _)');

const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds as a number, or a string like `500ms`, `30s`, `5m`. */
export const durationSchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(ms|s|m|h)$/, 'use e.g. 500ms, 30s, 5m')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)(ms|s|m|h)$/.exec(v);
    return Number(m?.[1]) * DURATION_UNITS[(m?.[2] ?? 'ms') as keyof typeof DURATION_UNITS];
  });

export const tlsSchema = z
  .object({
    /** PEM file with the CA certificate(s) that signed the receiver's certificate. */
    caFile: z.string().min(1).optional(),
    /** Only for tests against self-signed servers; never turn off in production. */
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

export type TlsOptions = z.output<typeof tlsSchema>;

/**
 * Returns the secret value: the resolved value if config loading put one there, else the
 * environment variable through `deps.resolveSecret`. Throws TRANSPORT_OPTIONS_INVALID naming
 * the variable (never the value) when neither is available.
 */
export function resolveSecretValue(
  value: string | undefined,
  envName: string | undefined,
  deps: TransportDeps,
  path: string,
): string {
  if (value !== undefined) return value;
  const resolved = envName !== undefined ? deps.resolveSecret?.(envName) : undefined;
  if (resolved !== undefined && resolved !== '') return resolved;
  const message =
    envName !== undefined
      ? `${path}: environment variable ${envName} is not set`
      : `${path}: no secret given`;
  throw new TransportError('TRANSPORT_OPTIONS_INVALID', message, {
    issues: [{ code: 'SECRET_MISSING', message, path }],
  });
}

/**
 * Resolves an `authHeader: { name, value | valueEnv }` option and adds the value (and its token
 * after a scheme such as `Bearer`) to `secrets`, so error messages can be scrubbed of them.
 */
export function resolveAuthHeader(
  option:
    | { readonly name: string; readonly value?: string | undefined; readonly valueEnv?: string | undefined }
    | undefined,
  deps: TransportDeps,
  secrets: string[],
): { readonly name: string; readonly value: string } | undefined {
  if (option === undefined) return undefined;
  const value = resolveSecretValue(option.value, option.valueEnv, deps, 'authHeader.valueEnv');
  secrets.push(value);
  const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
  if (token !== undefined) secrets.push(token);
  return { name: option.name, value };
}

/** Reads the CA file once at create time; a missing file is a configuration error. */
export function readCaFile(tls: TlsOptions | undefined): Buffer | undefined {
  if (tls?.caFile === undefined) return undefined;
  try {
    return readFileSync(tls.caFile);
  } catch (e) {
    const message = `tls.caFile: cannot read ${tls.caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new TransportError('TRANSPORT_OPTIONS_INVALID', message, {
      issues: [{ code: 'CA_FILE_UNREADABLE', message, path: 'tls.caFile' }],
      cause: e,
    });
  }
}

/** `Basic base64(user:password)` and the secrets a message must never contain. */
export function basicAuthHeader(username: string, password: string): { header: string; secrets: string[] } {
  const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { header: `Basic ${token}`, secrets: [password, token] };
}

/** The URL as safe to print: no user info, no query values that look secret. */
export function printableUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return `${u.origin}${u.pathname}${u.search}`;
}

/** The URL, or undefined when the string is not one (never throws: options checks return issues). */
export function parseUrl(s: string): URL | undefined {
  return URL.canParse(s) ? new URL(s) : undefined;
}

/** http(s) URL string. */
export const httpUrlSchema = z
  .string()
  .url()
  .refine((s) => !URL.canParse(s) || /^https?:\/\//i.test(s), {
    message: 'must be an http:// or https:// URL',
  })
  .refine(
    (s) => {
      // `.url()` has already reported an unparsable URL; this check only looks at parsable ones.
      const u = parseUrl(s);
      return u === undefined || (u.username === '' && u.password === '');
    },
    { message: 'put credentials in the auth options, not in the URL' },
  );

/** Body as bytes (strings are UTF-8). */
export function bodyBytes(body: string | Uint8Array): Buffer {
  return typeof body === 'string'
    ? Buffer.from(body, 'utf8')
    : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
