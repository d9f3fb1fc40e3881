/**
 * Reading what arrives and writing what leaves, on top of the codecs in src/idoc. Sniffs the
 * format of an input (flat `EDI_DC40`, IDoc-XML `<`, IDoc-SOAP envelope, JSON `{`), reads IDocs,
 * keeps the canonical model as JSON text, and encodes an IDoc in a transport's wire format.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import { readIdocs } from '../idoc/codec.js';
import { sniffFormat } from '../idoc/detect.js';
import { writeFlat } from '../idoc/flat-write.js';
import { parseJson, writeJson } from '../idoc/codec-json.js';
import type { Idoc } from '../idoc/model.js';
import { soapMessageId, writeSoap } from '../idoc/soap.js';
import { decodeText } from '../idoc/text.js';
import { writeXml } from '../idoc/xml-writer.js';
import type { PayloadFormat } from './store-port.js';
import type { WireFormat } from './transport-port.js';

export type { WireFormat } from './transport-port.js';

export type InputFormat = 'flat' | 'xml' | 'soap' | 'json';

/** The format of an input from its first characters (BOM and blanks skipped). */
export function sniffInput(body: string | Uint8Array): InputFormat | undefined {
  const d = sniffFormat(body);
  return d.format === 'unknown' ? undefined : d.format;
}

/** Text of a body: strings as they are, bytes as UTF-8 when valid, else Latin-1. */
export function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : decodeText(body, 'auto');
}

export interface ReadResult {
  readonly format: InputFormat;
  readonly idocs: Idoc[];
  readonly warnings: Issue[];
}

/** Reads the IDocs of an input in any supported format. Throws IdocgateError (4xx) when unreadable. */
export function readIdocInput(body: string | Uint8Array, definitions: DefinitionRegistry): ReadResult {
  const r = readIdocs(body, definitions);
  return { format: r.format, idocs: r.idocs, warnings: r.issues };
}

// --- canonical JSON of the model ---------------------------------------------------------------

/** The model as JSON text, without codec layout hints (`{ control, segments }`). */
export function idocToJson(idoc: Idoc): string {
  return writeJson([idoc], 0);
}

/** Reads one IDoc from canonical JSON (a stored `parsed`/`mapped` version or an edit). */
export function idocFromJson(text: string): Idoc {
  const list = parseJson(text);
  if (list.length !== 1) {
    throw new IdocgateError('PAYLOAD_INVALID', `expected one IDoc in canonical JSON, found ${list.length}`);
  }
  return list[0]!;
}

// --- encoding for transports -------------------------------------------------------------------

export interface Encoded {
  readonly body: string;
  readonly contentType: string;
  readonly format: PayloadFormat;
  readonly arckey?: string;
}

/**
 * The ARCKEY message id of an IDoc a message sends to SAP over IDoc-SOAP: one per message *and*
 * DOCNUM. Every retry of the same IDoc carries the same id, so SAP drops the repeat ("Each IDoc can
 * be received by the system only once", SAP message EA728); an edited replay is a new IDoc under a
 * new DOCNUM and gets a new id — with the old one SAP would drop the correction as a duplicate.
 */
export function sentIdocMessageId(messageId: string, docnum: string | undefined): string {
  const d = (docnum ?? '').trim();
  return soapMessageId(d === '' ? messageId : `${messageId}/${d}`);
}

/**
 * Encodes an IDoc in a transport's wire format (its kind's TransportDefinition.wireFormat).
 * IDoc-SOAP gets the message id in ARCKEY (SAP dedupes).
 */
export function encodeIdoc(
  idoc: Idoc,
  wire: WireFormat,
  definitions: DefinitionRegistry,
  messageId: string,
): Encoded {
  switch (wire) {
    case 'xml':
      return {
        body: writeXml(idoc, { indent: 0, namespace: null }),
        contentType: 'application/xml',
        format: 'xml',
      };
    case 'soap-xml': {
      const arckey = sentIdocMessageId(messageId, idoc.control.DOCNUM);
      return {
        body: writeSoap(idoc, { messageId: arckey.slice(arckey.indexOf('=') + 1), indent: 0 }),
        contentType: 'text/xml; charset=utf-8',
        format: 'soap',
        arckey,
      };
    }
    case 'flat':
      return {
        body: writeFlat([idoc], definitions),
        contentType: 'text/plain; charset=utf-8',
        format: 'flat',
      };
    case 'json':
      return { body: idocToJson(idoc), contentType: 'application/json', format: 'json' };
  }
}
