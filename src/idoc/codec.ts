/**
 * The codec's front door: read any supported IDoc format into the canonical model, write the
 * model in any format, convert between them. The format is detected from the first bytes unless
 * given (./detect.ts). The format-specific work is done by the codecs themselves:
 * flat (./flat-read.ts, ./flat-write.ts), IDoc-XML (./xml-reader.ts, ./xml-writer.ts),
 * IDoc-SOAP (./soap.ts) and canonical JSON (./codec-json.ts).
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import { parseJson, toCanonical, writeJson } from './codec-json.js';
import { sniffFormat, type IdocFormat } from './detect.js';
import { parseFlat, type FlatReadOptions } from './flat-read.js';
import { writeFlat, type FlatWriteOptions } from './flat-write.js';
import type { Idoc } from './model.js';
import { parseSoap, writeSoap, type WriteSoapOptions } from './soap.js';
import { decodeText, type TextEncodingOption } from './text.js';
import { parseXml, type ParseXmlOptions } from './xml-reader.js';
import { writeXml, type WriteXmlOptions } from './xml-writer.js';

export interface ReadIdocsOptions {
  /** `auto` (default) detects the format from the first bytes. */
  readonly format?: IdocFormat | 'auto';
  /**
   * Byte input of flat files and JSON: `auto` (default) = UTF-8 when valid, else Latin-1. For
   * XML and SOAP, `auto` honours the BOM and the XML declaration; `utf-8`/`latin1` override it.
   */
  readonly encoding?: TextEncodingOption;
  /** Further flat reader options (limits). */
  readonly flat?: Omit<FlatReadOptions, 'encoding'>;
  /** XML/SOAP size and nesting limits. */
  readonly xml?: ParseXmlOptions;
}

export interface ReadIdocsResult {
  /** The format read (detected or as given). */
  readonly format: IdocFormat;
  readonly idocs: Idoc[];
  /** Non-fatal problems found while reading (hierarchy, unknown segments, root name...). */
  readonly issues: Issue[];
}

export interface WriteIdocsOptions {
  readonly flat?: FlatWriteOptions;
  readonly xml?: WriteXmlOptions;
  /** IDoc-SOAP (one IDoc per envelope; ARCKEY gets a message id when it has none). */
  readonly soap?: WriteSoapOptions;
  /** Spaces per level for JSON; 0 writes one line (default 2). */
  readonly jsonIndent?: number;
}

function isBlank(input: string | Uint8Array): boolean {
  if (typeof input === 'string') return input.trim() === '' || input === '\uFEFF';
  for (let i = 0; i < input.length; i++) {
    const b = input[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) {
      // a lone UTF-8 BOM counts as blank
      if (i === 0 && input.length === 3 && b === 0xef && input[1] === 0xbb && input[2] === 0xbf) return true;
      return false;
    }
  }
  return true;
}

/** Decodes XML bytes only when an encoding is forced; otherwise the XML reader decides. */
function xmlInput(input: string | Uint8Array, encoding: TextEncodingOption): string | Uint8Array {
  return typeof input === 'string' || encoding === 'auto' ? input : decodeText(input, encoding);
}

/**
 * Reads IDocs in any supported format. Throws IdocgateError when the input cannot be read:
 * IDOC_EMPTY_INPUT, IDOC_FOREIGN_FORMAT (not a format the codec knows), and the readers' own
 * errors (IDOC_NOT_WELL_FORMED_XML, IDOC_RECORD_TOO_LONG, PAYLOAD_INVALID for JSON, ...).
 */
export function readIdocs(
  input: string | Uint8Array,
  registry: DefinitionRegistry,
  opts: ReadIdocsOptions = {},
): ReadIdocsResult {
  if (isBlank(input)) throw new IdocgateError('IDOC_EMPTY_INPUT', 'The input is empty');
  const encoding = opts.encoding ?? 'auto';
  let format: IdocFormat;
  if (opts.format === undefined || opts.format === 'auto') {
    const d = sniffFormat(input);
    if (d.format === 'unknown') {
      throw new IdocgateError(
        'IDOC_FOREIGN_FORMAT',
        `The input is neither a flat IDoc file (EDI_DC40), IDoc-XML, IDoc-SOAP nor canonical JSON: it ${d.reason}`,
      );
    }
    format = d.format;
  } else {
    format = opts.format;
  }
  switch (format) {
    case 'flat': {
      const r = parseFlat(input, registry, { ...opts.flat, encoding });
      return { format, idocs: r.idocs, issues: r.issues };
    }
    case 'xml': {
      const r = parseXml(xmlInput(input, encoding), opts.xml);
      return { format, idocs: r.idocs, issues: r.issues };
    }
    case 'soap': {
      const r = parseSoap(xmlInput(input, encoding), opts.xml);
      return { format, idocs: r.idocs, issues: r.issues };
    }
    case 'json':
      return { format, idocs: parseJson(input, encoding), issues: [] };
  }
}

/**
 * Writes IDocs in a format. Flat needs the definitions (field offsets); the others do not.
 * Throws IdocgateError when the IDocs cannot be written faithfully (a value too long for its
 * flat field, a segment without definition, a character XML cannot carry, ...).
 */
export function writeIdocs(
  idocs: readonly Idoc[],
  format: IdocFormat,
  registry: DefinitionRegistry,
  opts: WriteIdocsOptions = {},
): string {
  if (idocs.length === 0 && format !== 'json') {
    throw new IdocgateError('IDOC_EMPTY_INPUT', 'There is no IDoc to write');
  }
  switch (format) {
    case 'flat':
      return writeFlat(idocs, registry, opts.flat);
    case 'xml':
      return writeXml(idocs, opts.xml);
    case 'soap':
      if (idocs.length > 1) {
        throw new IdocgateError(
          'IDOC_INVALID',
          `IDoc-SOAP carries one IDoc per envelope (SAP message EA728); there are ${idocs.length}`,
          {
            issues: [
              {
                code: 'MULTIPLE_IDOCS_NOT_ALLOWED',
                severity: 'error',
                message: `${idocs.length} IDocs cannot go into one IDoc-SOAP envelope; convert them one by one`,
                details: { idocs: idocs.length },
              },
            ],
          },
        );
      }
      return writeSoap(idocs[0]!, opts.soap);
    case 'json':
      return writeJson(idocs, opts.jsonIndent ?? 2);
  }
}

/** The IDocs without layout hints (what a conversion to another format starts from). */
export function withoutLayout(idocs: readonly Idoc[]): Idoc[] {
  return idocs.map((i) => toCanonical(i) as Idoc);
}

export interface ConvertResult extends ReadIdocsResult {
  readonly output: string;
}

/**
 * Reads the input and writes it in format `to`. Within one format the layout as read is kept
 * (flat -> flat is byte-identical for unchanged IDocs); across formats the layout hints of the
 * source are dropped, so the output looks as this codec writes that format.
 */
export function convertIdocs(
  input: string | Uint8Array,
  to: IdocFormat,
  registry: DefinitionRegistry,
  opts: ReadIdocsOptions & { readonly write?: WriteIdocsOptions } = {},
): ConvertResult {
  const read = readIdocs(input, registry, opts);
  const idocs = read.format === to ? read.idocs : withoutLayout(read.idocs);
  return { ...read, output: writeIdocs(idocs, to, registry, opts.write) };
}
