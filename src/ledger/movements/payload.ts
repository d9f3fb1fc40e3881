/**
 * What a payload version of a stored message holds, for both ledgers (deliveries for the pushback
 * sweeper, serials for chain of custody). Which version they read is the pipeline's one choice
 * (src/pipeline/payload-version.ts: the newest input version — edited, raw or an older
 * row's parsed model — else mapped), the
 * same version the pipeline processes.
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
import type { PayloadVersion } from '../../pipeline/payload-version.js';

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
