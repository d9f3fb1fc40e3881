import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../src/definitions/check.js';
import { importParserFile } from '../../src/definitions/import-parser-file.js';
import { mergeSegmentVersions } from '../../src/definitions/import-merge.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { compileDefinition } from '../../src/definitions/registry.js';
import type { IdocDefinition } from '../../src/definitions/types.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const CONFORMANCE_DEFS = join(PROJECT_ROOT, '..', 'shared', 'conformance', 'definitions');
const haveConformance = existsSync(CONFORMANCE_DEFS);
if (!haveConformance)
  console.warn(`conformance suite skipped: ${CONFORMANCE_DEFS} is absent (version merge)`);

const target: IdocDefinition = {
  basicType: 'ZNEW02',
  messageTypes: {},
  segments: [
    {
      type: 'Z1ITEM',
      parent: null,
      min: 0,
      max: null,
      level: 2,
      versions: [{ name: 'Z2ITEM002', fieldCount: 3 }],
      fields: [
        { name: 'A', offset: 0, length: 4, dataType: 'CHAR' },
        { name: 'B', offset: 4, length: 6, dataType: 'CHAR' },
        { name: 'C', offset: 10, length: 2, dataType: 'CHAR' },
      ],
    },
  ],
};

function older(fields: IdocDefinition['segments'][number]['fields'], name: string): IdocDefinition {
  return {
    basicType: 'ZOLD01',
    messageTypes: {},
    segments: [{ ...target.segments[0]!, versions: [{ name, fieldCount: fields.length }], fields }],
  };
}

describe('merging older segment versions', () => {
  it('adds a version whose fields are a prefix, oldest first', () => {
    const r = mergeSegmentVersions(target, older(target.segments[0]!.fields.slice(0, 2), 'Z2ITEM001'));
    expect(r.added).toEqual(['Z1ITEM: Z2ITEM001 (2 fields)']);
    expect(r.rejected).toEqual([]);
    expect(r.definition.segments[0]?.versions).toEqual([
      { name: 'Z2ITEM001', fieldCount: 2 },
      { name: 'Z2ITEM002', fieldCount: 3 },
    ]);
    expect(checkDefinition(r.definition)).toEqual([]);
    const compiled = compileDefinition(r.definition);
    const v = compiled.resolve('Z2ITEM001');
    expect(v?.version?.fieldCount).toBe(2);
    expect(v && v.version ? v.segment.lengthOf(v.version) : -1).toBe(10);
  });

  it('rejects a version whose fields differ', () => {
    const r = mergeSegmentVersions(
      target,
      older(
        [
          { name: 'A', offset: 0, length: 4, dataType: 'CHAR' },
          { name: 'X', offset: 4, length: 6, dataType: 'CHAR' },
        ],
        'Z2ITEM001',
      ),
    );
    expect(r.added).toEqual([]);
    expect(r.rejected[0]?.code).toBe('VERSION_NOT_A_PREFIX');
    expect(r.rejected[0]?.message).toMatch(/field 2 is X 4\+6, in the target B 4\+6/);
    expect(r.definition).toEqual(target);
  });

  it.skipIf(!haveConformance)('DELVRY03 (same SAP system) adds no versions to DELVRY07', () => {
    const d03 = importParserFile(readFileSync(join(CONFORMANCE_DEFS, 'DELVRY03.we60-parser.txt'), 'utf8'));
    const d07 = loadDefinitions().get('DELVRY07')!.source;
    const r = mergeSegmentVersions(d07, d03);
    // every DELVRY03 segment carries the same definition name as in DELVRY07 (e.g. E2EDL24007)
    expect(r.added).toEqual([]);
    expect(r.rejected).toEqual([]);
  });
});
