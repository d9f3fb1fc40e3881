/**
 * parseFlat: reads a whole SAP flat IDoc file (one or many IDocs) into the canonical model.
 * Recoverable problems come back as issues; unreadable input throws IdocgateError with an issue
 * per problem (each names its line).
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import { FlatAssembler, fatalError, type FlatLimits } from './flat-assembler.js';
import type { Idoc } from './model.js';
import { decodeOnly, type TextEncodingOption } from './text.js';

export interface FlatReadOptions extends FlatLimits {
  /** Byte input only: `auto` (default) = UTF-8 when valid, else Latin-1. */
  readonly encoding?: TextEncodingOption;
  /** Largest input accepted, in bytes (characters for string input). Default: no limit. */
  readonly maxInputSize?: number;
}

export interface FlatParseResult {
  readonly idocs: Idoc[];
  readonly issues: Issue[];
}

export function parseFlat(
  input: string | Uint8Array,
  registry: DefinitionRegistry,
  opts: FlatReadOptions = {},
): FlatParseResult {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (opts.maxInputSize !== undefined && size > opts.maxInputSize) {
    throw new IdocgateError(
      'IDOC_TOO_LARGE',
      `The flat file has ${size} ${typeof input === 'string' ? 'characters' : 'bytes'}, more than the limit of ${opts.maxInputSize}`,
    );
  }
  const text = decodeOnly(input, opts.encoding ?? 'auto'); // control characters: checked per record
  const idocs: Idoc[] = [];
  const issues: Issue[] = [];
  const fatal: Issue[] = [];
  const assembler = new FlatAssembler(
    registry,
    (r) => {
      if (r.idoc) idocs.push(r.idoc);
      for (const i of r.issues) issues.push(i);
      for (const i of r.fatal) fatal.push(i);
    },
    opts,
  );
  assembler.push(text);
  assembler.end();
  if (fatal.length > 0) throw fatalError(fatal);
  for (const i of assembler.issues) issues.push(i);
  return { idocs, issues };
}
