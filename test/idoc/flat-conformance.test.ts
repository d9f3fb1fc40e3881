/**
 * The flat files of the conformance corpus (../shared/conformance, third-party samples, never
 * copied into the project): valid ones parse and round-trip byte-identically, with and without a
 * definition; invalid ones fail or report what SOURCES.md describes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { DefinitionRegistry } from '../../src/definitions/registry.js';
import { IdocgateError, type Issue } from '../../src/errors.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { walkSegments, type Idoc, type Segment } from '../../src/idoc/model.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const CONFORMANCE = resolve(PROJECT_ROOT, '../shared/conformance');
const present = existsSync(join(CONFORMANCE, 'manifest.json'));
if (!present) console.warn(`flat conformance suite skipped: ${CONFORMANCE} is absent`);

interface Entry {
  readonly file: string;
  readonly format: string;
  readonly expect: string;
  readonly idoctyp: string;
  readonly idocs: number;
}

const entries: Entry[] = present
  ? (JSON.parse(readFileSync(join(CONFORMANCE, 'manifest.json'), 'utf8')) as Entry[]).filter(
      (e) => e.format === 'flat',
    )
  : [];
const roundTrip = entries.filter((e) => e.expect === 'valid' || e.expect === 'valid-with-warning');
const bytesOf = (file: string): Buffer => readFileSync(join(CONFORMANCE, file));
const byName = (part: string): Buffer => {
  const e = entries.find((x) => x.file.includes(part));
  if (!e) throw new Error(`no conformance file matching ${part}`);
  return bytesOf(e.file);
};
const codes = (issues: readonly Issue[], severity?: 'error' | 'warning'): string[] =>
  issues.filter((i) => severity === undefined || i.severity === severity).map((i) => i.code);

/** The DELVRY07 layouts registered as SHPMNT05 (E1EDL20 top level): real delivery records in a shipment. */
function shipmentRegistry(): DefinitionRegistry {
  const delvry = loadDefinitions().get('DELVRY07')!.source;
  return new DefinitionRegistry([
    {
      ...delvry,
      basicType: 'SHPMNT05',
      segments: delvry.segments.map((s) => (s.type === 'E1EDL20' ? { ...s, parent: null } : s)),
    },
  ]);
}

function find(idoc: Idoc, type: string): Segment[] {
  return [...walkSegments(idoc.segments)].map((w) => w.segment).filter((s) => s.type === type);
}

describe.skipIf(!present)('flat conformance corpus', () => {
  const registries: [string, DefinitionRegistry][] = [
    ['no definitions', new DefinitionRegistry()],
    ['shipped definitions', loadDefinitions()],
    ['DELVRY07 layouts as SHPMNT05', shipmentRegistry()],
  ];

  it('lists the flat files', () => {
    expect(entries.length).toBe(13);
    expect(roundTrip.length).toBe(9);
  });

  for (const [label, registry] of registries) {
    describe(label, () => {
      it.each(roundTrip.map((e) => [e.file.split('/').pop()!, e] as const))(
        '%s parses and round-trips byte-identically',
        (_name, entry) => {
          const bytes = bytesOf(entry.file);
          const { idocs } = parseFlat(bytes, registry);
          expect(idocs.length).toBe(entry.idocs);
          expect(idocs[0]!.control.IDOCTYP).toBe(entry.idoctyp);
          const out = Buffer.from(writeFlat(idocs, registry), 'utf8');
          expect(out.equals(bytes)).toBe(true);
        },
      );
    });
  }

  it('splits the delivery records of the SHPMNT05 file by the DELVRY07 layouts', () => {
    const registry = shipmentRegistry();
    const { idocs, issues } = parseFlat(byName('SHPMNT05/'), registry);
    const idoc = idocs[0]!;
    const l20 = find(idoc, 'E1EDL20')[0]!;
    expect(l20.fields).toMatchObject({ VBELN: '0080814578', INCO1: 'CPT', GEWEI: 'LBR' });
    const items = find(idoc, 'E1EDL24');
    expect(items).toHaveLength(2);
    expect(items[0]!.fields.ORMNG).toBe('       321.000'); // leading blanks kept
    expect(items[0]!.children.map((c) => c.type)).toContain('E1EDL26');
    // shipment segments have no definition here: kept raw, reported once per name
    expect(find(idoc, 'E1EDT20')[0]!.sdata).toMatch(/^\S/);
    expect(codes(issues)).toContain('SEGMENT_UNKNOWN');
  });

  it('reports the duplicate SEGNUMs of the SHPMNT05 file as warnings and keeps both items', () => {
    const { idocs, issues } = parseFlat(byName('SHPMNT05/'), new DefinitionRegistry());
    const dup = issues.filter((i) => i.code === 'SEGNUM_DUPLICATE');
    expect(dup.map((i) => i.details?.segnum)).toContain('000051');
    expect(dup.every((i) => i.severity === 'warning')).toBe(true);
    const l20 = find(idocs[0]!, 'E1EDL20')[0]!;
    expect(l20.children.filter((c) => c.type === 'E1EDL24')).toHaveLength(2);
    // the hand-edited sample also lost the parent of one record (PSGNUM 000023)
    expect(issues.filter((i) => i.code === 'PSGNUM_INVALID').map((i) => i.details?.line)).toEqual([21]);
  });

  it('reads the multi-IDoc DELFOR02 file with blank DOCNUM/SEGNUM/PSGNUM', () => {
    const { idocs, issues } = parseFlat(byName('toyota-830'), new DefinitionRegistry());
    expect(idocs).toHaveLength(4);
    expect(idocs.every((i) => i.control.DOCNUM === undefined)).toBe(true);
    expect(idocs[0]!.segments[0]!.type).toBe('E1EDK09'); // un-versioned E2EDK09
    expect(codes(issues, 'error')).toEqual([]);
    expect(issues.filter((i) => i.code === 'SEGNUM_BLANK')).toHaveLength(4);
  });

  it('reads the 518-character control record and trimmed records of WP_PLU02', () => {
    const { idocs } = parseFlat(byName('wpplu02-flat-crlf-dc-518'), new DefinitionRegistry());
    const idoc = idocs[0]!;
    expect(idoc.flat).toMatchObject({ controlLength: 518, lineEnding: '\r\n', tabnam: 'EDI_DC40' });
    expect(idoc.control.MESTYP).toBe('WP_PLU');
    expect(idoc.segments[0]!.type).toBe('E1WPA01');
    expect(idoc.segments[0]!.children.length).toBeGreaterThan(0);
  });

  it('counts characters, not bytes, in the UTF-8 INVOIC02 file (México)', () => {
    const bytes = byName('bar8tl-rb04-yp3-invoic02');
    const { idocs, issues } = parseFlat(bytes, new DefinitionRegistry());
    const all = [...walkSegments(idocs[0]!.segments)].map((w) => w.segment);
    expect(all.every((s) => s.flat!.recordLength === 1063)).toBe(true);
    expect(all.some((s) => s.sdata?.includes('México'))).toBe(true);
    expect(all.some((s) => s.type === '/RB04/YP3_E1EDK01_XML001')).toBe(true);
    expect(idocs[0]!.control.CIMTYP).toBe('/RB04/YP3_INVOIC02_XML');
    expect(codes(issues, 'error')).toEqual([]);
  });

  it('accepts EDI_DC40_U control records', () => {
    const { idocs } = parseFlat(byName('blueseer-zinvoic02'), new DefinitionRegistry());
    expect(idocs[0]!.flat!.tabnam).toBe('EDI_DC40_U');
    expect(idocs[0]!.control.TABNAM).toBe('EDI_DC40_U');
  });

  it('reports the broken PSGNUMs of the PeterXyp ORDERS01 sample but keeps every segment', () => {
    const bytes = byName('peterxyp');
    const { idocs, issues } = parseFlat(bytes, new DefinitionRegistry());
    expect(idocs[0]!.control.MANDT).toBeUndefined();
    const bad = issues.filter((i) => i.code === 'PSGNUM_INVALID');
    expect(bad.map((i) => i.details?.segnum)).toEqual([
      '000012',
      '000013',
      '000014',
      '000017',
      '000018',
      '000019',
    ]);
    expect(bad.find((i) => i.details?.segnum === '000014')?.message).toMatch(/itself/);
    expect(bad.find((i) => i.details?.segnum === '000012')?.message).toMatch(/later segment/);
    expect([...walkSegments(idocs[0]!.segments)]).toHaveLength(20);
  });

  it('rejects the Bots ORDERS01 output with 1506-character records (one issue per record)', () => {
    try {
      parseFlat(byName('overlong-record'), new DefinitionRegistry());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IdocgateError);
      const err = e as IdocgateError;
      expect(err.code).toBe('IDOC_RECORD_TOO_LONG');
      expect(err.issues.map((i) => i.details?.line)).toEqual([4, 5, 6]);
      expect(err.issues.every((i) => i.details?.length === 1506)).toBe(true);
    }
  });

  it('reports the empty control record and self-parent PSGNUMs of the Bots WP_PLU02 output', () => {
    const { idocs, issues } = parseFlat(byName('invalid-empty-control'), new DefinitionRegistry());
    expect(idocs[0]!.control.IDOCTYP).toBeUndefined();
    const blank = issues.filter((i) => i.code === 'CONTROL_FIELD_BLANK').map((i) => i.details?.field);
    expect(blank).toEqual(['IDOCTYP', 'MESTYP']);
    const self = issues.filter((i) => i.code === 'PSGNUM_INVALID');
    expect(self.length).toBe(5);
    expect(self.every((i) => i.severity === 'error' && /itself/.test(i.message))).toBe(true);
  });

  it('reports the broken hierarchy of the BlueSeer ORDERS05 file (blank first SEGNUM, no final newline)', () => {
    const bytes = byName('blueseer-orders05');
    const { idocs, issues } = parseFlat(bytes, new DefinitionRegistry());
    expect(idocs[0]!.flat!.finalNewline).toBe(false);
    expect(idocs[0]!.segments[0]!.type).toBe('E1EDK01');
    const first = issues.filter((i) => i.details?.line === 2).map((i) => i.code);
    expect(first).toEqual(expect.arrayContaining(['SEGNUM_BLANK', 'PSGNUM_BLANK']));
    expect(codes(issues, 'error')).toContain('PSGNUM_INVALID');
    expect(Buffer.from(writeFlat(idocs, new DefinitionRegistry())).equals(bytes)).toBe(true);
  });

  it('keeps the anomalous IDOCTYP 53 file readable (no definition, hierarchy from PSGNUM)', () => {
    const { idocs, issues } = parseFlat(byName('idoctyp-53'), loadDefinitions());
    const idoc = idocs[0]!;
    expect(idoc.control).toMatchObject({ IDOCTYP: '53', CIMTYP: '53', MESTYP: 'DELINS', STATUS: '53' });
    expect(codes(issues)).toEqual(['NO_DEFINITION']);
    expect(idoc.segments.map((s) => s.type)).toEqual(['E1EDK09']);
    const p10 = find(idoc, 'E1EDP10')[0]!;
    const kinds = p10.children.map((c) => c.type);
    expect(kinds.filter((t) => t === 'E1EDP15')).toHaveLength(2);
    expect(kinds.filter((t) => t === 'E1EDP16')).toHaveLength(13);
  });
});
