/**
 * readFlatStream: reads a flat IDoc file IDoc by IDoc from an async source of chunks (a file or
 * HTTP body stream) in bounded memory: one IDoc plus one partial line is held at a time. Chunks may
 * split lines, CRLF pairs and multi-byte UTF-8 characters.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type Issue } from '../errors.js';
import { FlatAssembler, fatalError } from './flat-assembler.js';
import type { FlatIdocResult } from './flat-records.js';
import type { FlatReadOptions } from './flat-read.js';
import type { Idoc } from './model.js';
import { ChunkDecoder } from './text.js';

export interface FlatStreamOptions extends FlatReadOptions {
  /**
   * Receives the non-fatal issues of each IDoc just before it is yielded (and, with `idoc`
   * undefined, issues that belong to no IDoc, such as skipped blank lines, at the end).
   */
  readonly onIssues?: (issues: readonly Issue[], idoc: Idoc | undefined) => void;
}

export async function* readFlatStream(
  source: AsyncIterable<Uint8Array | string>,
  registry: DefinitionRegistry,
  opts: FlatStreamOptions = {},
): AsyncGenerator<Idoc> {
  const decoder = new ChunkDecoder(opts.encoding ?? 'auto', false); // control characters: checked per record
  const ready: FlatIdocResult[] = [];
  const assembler = new FlatAssembler(registry, (r) => ready.push(r), opts);
  const limit = opts.maxInputSize;
  let size = 0;
  for await (const chunk of source) {
    size += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (limit !== undefined && size > limit) {
      throw new IdocgateError('IDOC_TOO_LARGE', `The flat input is larger than the limit of ${limit}`);
    }
    assembler.push(decoder.decode(chunk));
    if (ready.length > 0) yield* drain(ready, opts);
  }
  const tail = decoder.end();
  if (tail !== '') assembler.push(tail);
  assembler.end();
  yield* drain(ready, opts);
  if (opts.onIssues && assembler.issues.length > 0) opts.onIssues(assembler.issues, undefined);
}

function* drain(ready: FlatIdocResult[], opts: FlatStreamOptions): Generator<Idoc> {
  const results = ready.splice(0, ready.length);
  for (const r of results) {
    if (r.fatal.length > 0) throw fatalError(r.fatal);
    if (!r.idoc) continue;
    if (opts.onIssues && r.issues.length > 0) opts.onIssues(r.issues, r.idoc);
    yield r.idoc;
  }
}
