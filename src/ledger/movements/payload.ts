/**
 * Which payload version of a stored message the ledgers read, and what it holds. Both ledgers
 * (deliveries for the pushback sweeper, serials for chain of custody) read business movements
 * from the same version of a message, chosen once here:
 *
 *   1. the newest `edited` version (an operator's correction, which replay processes instead of
 *      the original),
 *   2. else the newest input as the sender sent it: `raw`, or a `parsed` model of older rows (the
 *      gateway no longer stores the parsed model: it is derived from the raw, docs/store.md; in
 *      old rows it comes right after its raw, so it is the newer of the two), newest first — a
 *      raw that SAP sent again with other content wins over the parsed model of the first one,
 *   3. else the newest `mapped` one (the IDoc the gateway produced from partner JSON: read only
 *      when no earlier version says anything to the ledger).
 *
 * A version is tried after the one before it holds nothing the ledger reads (e.g. partner JSON of
 * a contract no ledger knows, followed by the IDoc mapped from it).
 *
 * Decoding is by content, not by the stored format label: `{` / `[` is JSON (canonical IDoc JSON
 * when it has `control` and `segments`, else partner JSON), `<` is IDoc-XML (or IDoc-SOAP), and a
 * flat IDoc file (EDI_DC40) is read when IDoc definitions are given. Pure: no I/O.
 */
import type { DefinitionRegistry } from '../../definitions/registry.js';
import { readIdocs } from '../../idoc/codec.js';
import { fromJson } from '../../idoc/codec-json.js';
import type { Idoc } from '../../idoc/model.js';
import { parseXml } from '../../idoc/xml-reader.js';

export type PayloadKind = 'edited' | 'parsed' | 'raw' | 'mapped';

/** The ledgers' order of payload kinds, best first (see the module comment). */
export const PAYLOAD_PREFERENCE: readonly PayloadKind[] = ['edited', 'parsed', 'raw', 'mapped'];

/** Rank of a kind: parsed and raw share one (the newer input wins). */
const RANK: Readonly<Record<PayloadKind, number>> = { edited: 0, parsed: 1, raw: 1, mapped: 2 };

export interface PayloadVersion {
  readonly kind: PayloadKind;
  /** 1, 2, 3... per message in order of creation; absent when only one version is at hand. */
  readonly version?: number;
  readonly format: string;
  readonly content: string | Uint8Array;
}

/** The versions in the order the ledgers try them: by PAYLOAD_PREFERENCE, newest first within a kind. */
export function payloadsToRead<T extends PayloadVersion>(versions: readonly T[]): T[] {
  const rank = (v: PayloadVersion): number => RANK[v.kind];
  return [...versions].sort((a, b) => rank(a) - rank(b) || (b.version ?? 0) - (a.version ?? 0));
}

/** The best version (the first of payloadsToRead), or undefined for a message without any. */
export function bestPayload<T extends PayloadVersion>(versions: readonly T[]): T | undefined {
  return payloadsToRead(versions)[0];
}

export type DecodedPayload =
  | { readonly kind: 'idocs'; readonly idocs: readonly Idoc[] }
  | { readonly kind: 'partner-json'; readonly value: unknown }
  | { readonly kind: 'not-read'; readonly reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Canonical IDoc JSON (one object or an array), tolerating codec layout hints next to the model. */
function canonicalIdocs(value: unknown): Idoc[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => isObject(v) && 'control' in v && 'segments' in v))
    return undefined;
  return fromJson(list.map((v) => ({ control: (v as Idoc).control, segments: (v as Idoc).segments })));
}

/**
 * What a payload holds. Throws (SyntaxError, IdocgateError) when it looks like JSON or an IDoc
 * but cannot be read: the caller decides whether that is a failure or a reason to try the next
 * version. `definitions` lets flat IDoc files be read (and XML / SOAP through the full codec).
 */
export function decodePayload(
  payload: Pick<PayloadVersion, 'format' | 'content'>,
  definitions?: DefinitionRegistry,
): DecodedPayload {
  const text =
    typeof payload.content === 'string' ? payload.content : new TextDecoder().decode(payload.content);
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    const value = JSON.parse(text) as unknown;
    const idocs = canonicalIdocs(value);
    return idocs !== undefined ? { kind: 'idocs', idocs } : { kind: 'partner-json', value };
  }
  if (definitions !== undefined && (start.startsWith('<') || payload.format === 'flat'))
    return { kind: 'idocs', idocs: readIdocs(payload.content, definitions).idocs };
  if (start.startsWith('<')) return { kind: 'idocs', idocs: parseXml(payload.content).idocs };
  return { kind: 'not-read', reason: `payload format ${payload.format} is not read by the ledger` };
}
