/**
 * Whether an IDoc read from a flat file can be written back with its header values as read
 * (SEGNUM/PSGNUM/HLEVEL): only while they still describe the tree the IDoc has now.
 */
import type { CompiledDefinition } from '../definitions/registry.js';
import { buildHierarchy, type ParentType } from './flat-hierarchy.js';
import type { FlatRecordHints, Idoc, Segment } from './model.js';

/**
 * True when every segment carries the header values it was read with (each its own), no segment
 * was added or removed, and reading those values back (with the reader's own fallbacks) gives
 * exactly the current tree.
 */
export function headersDescribeTree(idoc: Idoc, def: CompiledDefinition | undefined): boolean {
  if (!idoc.flat) return false;
  const records: Segment[] = [];
  const parentTypes: ParentType[] = [];
  const actual: number[] = [];
  const hints = new Set<FlatRecordHints>();
  const visit = (list: readonly Segment[], parent: number): boolean => {
    for (const seg of list) {
      const hint = seg.flat;
      if (!hint || hints.has(hint)) return false;
      hints.add(hint);
      const compiled = def?.segment(seg.type);
      const me = records.length;
      records.push(seg);
      parentTypes.push(compiled ? compiled.parent : undefined);
      actual.push(parent);
      if (seg.children.length > 0 && !visit(seg.children, me)) return false;
    }
    return true;
  };
  if (!visit(idoc.segments, -1)) return false;
  const count = idoc.flat.segmentCount;
  if (count !== undefined && count !== records.length) return false;
  const { parents } = buildHierarchy(records, parentTypes);
  for (let i = 0; i < actual.length; i++) if (parents[i] !== actual[i]) return false;
  return true;
}
