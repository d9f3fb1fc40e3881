/**
 * The flat reader builds the segment tree while reading (attachRegular) and hands IDocs whose
 * numbering it cannot follow to buildHierarchy. Whatever the SEGNUM/PSGNUM columns say, the tree
 * must be the one buildHierarchy gives for the same records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { buildHierarchy, type ParentType } from '../../src/idoc/flat-hierarchy.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { walkSegments, type Idoc, type Segment } from '../../src/idoc/model.js';
import { delvry07WithSerials } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();
const def = registry.get('DELVRY07', '')!;
const lines = writeFlat([delvry07WithSerials({ n: 1, items: 3, serialsPerItem: 2 })], registry).split('\n');

/** Parent index per segment in document order (-1 = top level). */
function parentsOf(idoc: Idoc): number[] {
  const order = new Map<Segment, number>();
  const parents: number[] = [];
  for (const { segment, parent } of walkSegments(idoc.segments)) {
    order.set(segment, order.size);
    parents.push(parent === undefined ? -1 : order.get(parent)!);
  }
  return parents;
}

const column = fc.oneof(
  fc.constant('      '),
  fc.constant('000000'),
  fc.integer({ min: 0, max: 30 }).map((n) => String(n).padStart(6, '0')),
);

describe('flat reader: segment tree', () => {
  it('is the tree buildHierarchy gives, for any SEGNUM/PSGNUM values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            record: fc.integer({ min: 1, max: lines.length - 2 }),
            at: fc.constantFrom(49, 55),
            value: column,
          }),
          {
            maxLength: 4,
          },
        ),
        (edits) => {
          const tampered = [...lines];
          for (const { record, at, value } of edits) {
            const l = tampered[record]!;
            tampered[record] = l.slice(0, at) + value + l.slice(at + 6);
          }
          const idoc = parseFlat(tampered.join('\n'), registry).idocs[0]!;
          const records = [...walkSegments(idoc.segments)].map((w) => w.segment);
          // the tree keeps the line order: segment i is data line i
          const segnums = tampered.slice(1, -1).map((l) => l.slice(49, 55).trim());
          expect(records.map((s) => s.flat!.segnum)).toEqual(segnums);
          const parentTypes: ParentType[] = records.map((s) => def.segment(s.type)?.parent);
          const expected = buildHierarchy(records, parentTypes).parents;
          expect(parentsOf(idoc)).toEqual([...expected]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
