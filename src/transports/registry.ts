/**
 * The transport kinds, by name. A new kind is one file exporting a TransportDefinition (with its
 * wire format) plus one line in `transportKinds`; it must pass the shared contract suite
 * (test/transports/contract.ts), which also sends it an IDoc encoded in its wire format.
 */
import type { Issue } from '../errors.js';
import { epcisCaptureTransport } from './epcis-capture.js';
import { fileTransport } from './file.js';
import { rfcTransport } from './rfc.js';
import { sapSoapTransport } from './sap-soap.js';
import { sapXmlHttpTransport } from './sap-xml-http.js';
import { TransportError } from './transport-error.js';
import type { Transport, TransportDefinition, TransportDeps } from './types.js';
import { webhookTransport } from './webhook.js';

export const transportKinds: readonly TransportDefinition[] = [
  sapXmlHttpTransport,
  sapSoapTransport,
  webhookTransport,
  fileTransport,
  rfcTransport,
  epcisCaptureTransport,
];

export function findTransportKind(kind: string): TransportDefinition | undefined {
  return transportKinds.find((t) => t.kind === kind);
}

/** Formats a zod issue path as `a.b[0].c`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => {
    if (typeof p === 'number') return `${acc}[${p}]`;
    return acc === '' ? String(p) : `${acc}.${String(p)}`;
  }, '');
}

/**
 * Validates raw options (a `kind` key, as in the config's transport block, is ignored) and
 * returns every problem with its path. Values are not echoed, so secrets stay out of issues.
 */
export function validateTransportOptions(
  kind: string,
  rawOptions: unknown,
): { ok: true; options: unknown } | { ok: false; issues: Issue[] } {
  const def = findTransportKind(kind);
  if (def === undefined) {
    return {
      ok: false,
      issues: [
        {
          code: 'TRANSPORT_UNKNOWN_KIND',
          message: `unknown transport kind "${kind}" (known: ${transportKinds.map((t) => t.kind).join(', ')})`,
          path: 'kind',
        },
      ],
    };
  }
  let input = rawOptions;
  if (
    typeof rawOptions === 'object' &&
    rawOptions !== null &&
    !Array.isArray(rawOptions) &&
    'kind' in rawOptions
  ) {
    const { kind: _kind, ...rest } = rawOptions as Record<string, unknown>;
    input = rest;
  }
  const parsed = def.optionsSchema.safeParse(input);
  if (parsed.success) return { ok: true, options: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      code: 'TRANSPORT_OPTION_INVALID',
      message: i.message,
      path: formatPath(i.path),
    })),
  };
}

/** Builds a transport from raw (config) options; throws TRANSPORT_OPTIONS_INVALID listing all problems. */
export async function createTransport(
  kind: string,
  rawOptions: unknown,
  deps: TransportDeps,
): Promise<Transport> {
  const result = validateTransportOptions(kind, rawOptions);
  if (!result.ok) {
    const code =
      result.issues[0]?.code === 'TRANSPORT_UNKNOWN_KIND'
        ? 'TRANSPORT_UNKNOWN_KIND'
        : 'TRANSPORT_OPTIONS_INVALID';
    const summary = result.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new TransportError(code, `transport "${kind}": ${summary}`, { issues: result.issues });
  }
  const def = findTransportKind(kind) as TransportDefinition;
  const created = await def.create(result.options, deps);
  return Object.assign(created, { wireFormat: def.wireFormat });
}
