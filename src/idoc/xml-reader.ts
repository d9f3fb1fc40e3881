/**
 * IDoc-XML reader: `<DELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">...` -> canonical IDocs.
 * Format notes: ../shared/reference/IDOC-FORMAT.md §3; behaviour and choices: docs/xml.md.
 */
import type { Issue } from '../errors.js';
import { IdocgateError } from '../errors.js';
import type { Idoc } from './model.js';
import { IdocXmlBuilder } from './xml-builder.js';
import { xmlInputText } from './xml-input.js';
import type { XmlLimits } from './xml-scanner.js';
import { DEFAULT_XML_LIMITS, scanXml } from './xml-scanner.js';

export interface ParseXmlOptions {
  /** Size and nesting limits; unspecified ones keep their defaults (DEFAULT_XML_LIMITS). */
  readonly limits?: Partial<XmlLimits>;
}

export interface ParseXmlResult {
  readonly idocs: Idoc[];
  /** Warnings about the document (root name differs from the type, ignored elements, ...). */
  readonly issues: Issue[];
}

export function resolveLimits(limits: Partial<XmlLimits> | undefined): XmlLimits {
  return limits ? { ...DEFAULT_XML_LIMITS, ...limits } : DEFAULT_XML_LIMITS;
}

/** Text of the input, refusing empty input. */
export function readXmlText(input: string | Uint8Array, limits: XmlLimits): string {
  const text = xmlInputText(input, limits);
  if (text.trim() === '') throw new IdocgateError('IDOC_EMPTY_INPUT', 'The XML input is empty');
  return text;
}

/**
 * Reads an IDoc-XML document holding one or more `<IDOC>` elements. Values are kept exactly as
 * written after entity decoding (blanks included); absent fields have no key, empty ones are ''.
 * Throws IdocgateError for input that is not (well-formed, safe, recognisable) IDoc-XML.
 */
export function parseXml(input: string | Uint8Array, opts: ParseXmlOptions = {}): ParseXmlResult {
  const limits = resolveLimits(opts.limits);
  const text = readXmlText(input, limits);
  const builder = new IdocXmlBuilder();
  builder.setSource(text);
  scanXml(text, builder, limits);
  return builder.finish();
}
