/**
 * Reads the input of a mapping from text: JSON (partner payloads, or an IDoc in the canonical
 * model `{control, segments}`), IDoc-XML or a flat IDoc file, told apart by the first non-blank
 * character. The one place that sniffs formats for mappings.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError } from '../errors.js';
import { parseFlat } from '../idoc/flat-read.js';
import { parseXml } from '../idoc/xml-reader.js';

export type InputFormat = 'json' | 'xml' | 'flat';

/** `{`/`[` = JSON, `<` = XML, `E` = flat (EDI_DC40...), else undefined. */
export function sniffFormat(text: string): InputFormat | undefined {
  const m = /\S/.exec(text);
  const c = m?.[0];
  if (c === '{' || c === '[') return 'json';
  if (c === '<') return 'xml';
  if (c === 'E') return 'flat';
  return undefined;
}

/** Parses mapping input; an XML or flat file must hold exactly one IDoc. */
export function readMappingInput(text: string, definitions: DefinitionRegistry): unknown {
  const format = sniffFormat(text);
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new IdocgateError('PAYLOAD_INVALID', `the input is not valid JSON (${(e as Error).message})`);
    }
  }
  if (format === undefined) {
    throw new IdocgateError(
      text.trim() === '' ? 'IDOC_EMPTY_INPUT' : 'IDOC_FOREIGN_FORMAT',
      'the input is neither JSON, IDoc-XML nor a flat IDoc file',
    );
  }
  const idocs = format === 'xml' ? parseXml(text).idocs : parseFlat(text, definitions).idocs;
  if (idocs.length !== 1)
    throw new IdocgateError('IDOC_INVALID', `a mapping takes one IDoc; the input holds ${idocs.length}`);
  return idocs[0];
}
