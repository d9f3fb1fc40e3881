/**
 * Runs a compiled mapping and turns its issues into the error a caller acts on: PAYLOAD_INVALID
 * for partner JSON that breaks its contract, MAPPING_FAILED (MappingError) for anything else.
 * Both are permanent: the gateway dead-letters the message instead of retrying it.
 */
import { IdocgateError } from '../errors.js';
import { hasErrors, MappingError } from './errors.js';
import type { CompiledMapping, MappingContext, MappingIssue } from './types.js';

export interface MappedMessage<T = unknown> {
  readonly output: T;
  /** Warnings only (e.g. reported truncation). */
  readonly warnings: readonly MappingIssue[];
}

export function runMapping(mapping: CompiledMapping, input: unknown, ctx: MappingContext): MappedMessage {
  const { output, issues } = mapping.run(input, ctx);
  if (!hasErrors(issues)) return { output, warnings: issues };
  if (issues.some((i) => i.code === 'PAYLOAD_INVALID')) {
    throw new IdocgateError(
      'PAYLOAD_INVALID',
      `the payload does not match contract ${mapping.source.contract ?? ''}: ${issues[0]?.message ?? ''}`,
      { issues },
    );
  }
  throw new MappingError(mapping.name, issues);
}
