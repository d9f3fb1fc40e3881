import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDefinition } from '../../src/definitions/check.js';
import {
  dataTypesOf,
  importParserFile,
  importParserFileDetailed,
} from '../../src/definitions/import-parser-file.js';
import { parseDefinition } from '../../src/definitions/load.js';
import { validateDefinitionSchema } from '../../src/definitions/schema.js';
import type { IdocDefinition, SegmentDefinition } from '../../src/definitions/types.js';
import { IdocgateError } from '../../src/errors.js';
import { DEFINITIONS_DIR, PROJECT_ROOT } from '../../src/paths.js';

const CONFORMANCE_DEFS = join(PROJECT_ROOT, '..', 'shared', 'conformance', 'definitions');
const haveConformance = existsSync(CONFORMANCE_DEFS);
if (!haveConformance) {
  console.warn(`conformance suite skipped: ${CONFORMANCE_DEFS} is absent (parser-file import tests not run)`);
}
const FIXTURE = join(PROJECT_ROOT, 'fixtures', 'definitions', 'ZDEMO01-ZDEMO01X.parser.txt');
const fixtureText = readFileSync(FIXTURE, 'utf8');

function seg(def: IdocDefinition, type: string): SegmentDefinition {
  const s = def.segments.find((x) => x.type === type);
  if (!s) throw new Error(`no segment ${type}`);
  return s;
}

function importError(text: string): IdocgateError {
  try {
    importParserFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(IdocgateError);
    expect((e as IdocgateError).code).toBe('DEFINITION_PARSER_FILE_INVALID');
    return e as IdocgateError;
  }
  throw new Error('import did not fail');
}

describe('parser-file import: grammar and semantics (hand-made fixture)', () => {
  const { definition: def, warnings } = importParserFileDetailed(fixtureText);

  it('reads basic type, extension, versions and fields', () => {
    expect(warnings).toEqual([]);
    expect(def.basicType).toBe('ZDEMO01');
    expect(def.extension).toBe('ZDEMO01X');
    expect(def.segments.map((s) => s.type)).toEqual([
      'Z1HEAD',
      'Z1HTEXT',
      'Z1ITEM',
      'Z1ITEMX',
      'Z1SERIAL',
      'Z1SERIALX',
      'Z1TRAILER',
    ]);
    expect(seg(def, 'Z1HEAD').versions).toEqual([{ name: 'Z2HEAD002', fieldCount: 2 }]);
    expect(seg(def, 'Z1ITEM').fields).toEqual([
      { name: 'POSNR', offset: 0, length: 6, dataType: 'CHAR', description: 'Item number' },
      { name: 'MENGE', offset: 6, length: 15, dataType: 'CHAR', description: 'Quantity' },
    ]);
    // empty TEXT -> no description
    expect(seg(def, 'Z1HTEXT').fields[1]).toEqual({ name: 'TEXT', offset: 3, length: 70, dataType: 'CHAR' });
    expect(seg(def, 'Z1HTEXT').qualified).toBe(true);
    expect(seg(def, 'Z1HEAD').qualified).toBeUndefined();
  });

  it('derives parents from groups (head under enclosing head, others under own head)', () => {
    expect(def.segments.map((s) => [s.type, s.parent])).toEqual([
      ['Z1HEAD', null],
      ['Z1HTEXT', 'Z1HEAD'],
      ['Z1ITEM', 'Z1HEAD'],
      ['Z1ITEMX', 'Z1ITEM'],
      ['Z1SERIAL', 'Z1ITEM'],
      ['Z1SERIALX', 'Z1SERIAL'],
      ['Z1TRAILER', null],
    ]);
  });

  it('takes occurrence from the group for heads, OPTIONAL -> min 0, 9999999999 -> unbounded', () => {
    const occ = (t: string) => [seg(def, t).min, seg(def, t).max, seg(def, t).level];
    expect(occ('Z1HEAD')).toEqual([1, 9999, 2]);
    expect(occ('Z1HTEXT')).toEqual([0, 99, 3]);
    expect(occ('Z1ITEM')).toEqual([0, null, 3]);
    expect(occ('Z1ITEMX')).toEqual([1, 5, 4]);
    expect(occ('Z1SERIAL')).toEqual([2, 10, 4]);
    expect(occ('Z1SERIALX')).toEqual([0, 1, 5]);
    expect(occ('Z1TRAILER')).toEqual([0, 999999, 1]);
  });

  it('passes the definition checks and the JSON Schema', () => {
    expect(checkDefinition(def)).toEqual([]);
    expect(validateDefinitionSchema(def)).toEqual([]);
  });

  it('reads CRLF files and applies data-type hints', () => {
    const crlf = importParserFile(fixtureText.replaceAll('\n', '\r\n'), {
      dataTypes: { 'Z1HEAD.DOCDAT': 'DATS', '*.MENGE': 'QUAN' },
      messageTypes: { ZDEMO: 'demo' },
      sources: ['hand-made fixture'],
    });
    expect(seg(crlf, 'Z1HEAD').fields[1]?.dataType).toBe('DATS');
    expect(seg(crlf, 'Z1ITEM').fields[1]?.dataType).toBe('QUAN');
    expect(seg(crlf, 'Z1ITEM').fields[0]?.dataType).toBe('CHAR');
    expect(crlf.messageTypes).toEqual({ ZDEMO: 'demo' });
    expect(crlf.sources).toEqual(['hand-made fixture']);
  });

  it('warns when the record section differs from EDI_DC40/EDI_DD40', () => {
    const shifted = fixtureText.replace(/(NAME {16}SDATA[\s\S]*?CHARACTER_FIRST {5})000064/, '$1000065');
    expect(shifted).not.toBe(fixtureText);
    const r = importParserFileDetailed(
      shifted.replace('CHARACTER_LAST      001063', 'CHARACTER_LAST      001064'),
    );
    expect(r.warnings.map((w) => w.code)).toContain('PARSER_FILE_RECORD_LAYOUT');
    expect(r.warnings[0]?.message).toMatch(/EDI_DD40.*SDATA 65\+1000.*expected SDATA 64\+1000/);
    const noRecords = fixtureText.slice(fixtureText.indexOf('BEGIN_SEGMENT_SECTION'));
    expect(importParserFileDetailed(noRecords).warnings.map((w) => w.code)).toEqual([
      'PARSER_FILE_NO_RECORD_SECTION',
    ]);
  });
});

describe('parser-file import: errors name the line and what was expected', () => {
  const lines = fixtureText.split('\n');
  const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;

  it('missing SEGMENTTYPE', () => {
    const n = lineOf('SEGMENTTYPE         Z1HTEXT');
    const err = importError(fixtureText.replace(/ *SEGMENTTYPE {9}Z1HTEXT\n/, ''));
    expect(err.message).toBe(`parser file line ${n}: expected SEGMENTTYPE, found "QUALIFIED"`);
    expect(err.issues[0]?.details?.['line']).toBe(n);
  });

  it('bad STATUS value', () => {
    const n = lineOf('STATUS              OPTIONAL');
    const err = importError(
      fixtureText.replace('STATUS              OPTIONAL', 'STATUS              SOMETIMES'),
    );
    expect(err.message).toContain(`line ${n}: expected STATUS MANDATORY or OPTIONAL`);
  });

  it('non-numeric LOOPMAX, wrong FIELD_POS, gap in positions, LENGTH mismatch', () => {
    expect(
      importError(fixtureText.replace('LOOPMAX             0000000099', 'LOOPMAX             many')).message,
    ).toMatch(/expected LOOPMAX followed by digits, found "many"/);
    expect(
      importError(fixtureText.replace(/(NAME {16}DOCDAT[\s\S]*?FIELD_POS {11})0002/, '$10003')).message,
    ).toMatch(/DOCDAT of Z2HEAD002: FIELD_POS 3, expected 2/);
    expect(
      importError(
        fixtureText.replace(
          /(NAME {16}DOCDAT[\s\S]*?CHARACTER_FIRST {5})000074\n( *CHARACTER_LAST {6})000081/,
          '$1000075\n$2000082',
        ),
      ).message,
    ).toMatch(/DOCDAT of Z2HEAD002: CHARACTER_FIRST 75, expected 74/);
    expect(
      importError(fixtureText.replace('CHARACTER_LAST      000081', 'CHARACTER_LAST      000082')).message,
    ).toMatch(/does not span LENGTH 8/);
  });

  it('truncated file and unbalanced groups', () => {
    const cut = fixtureText.slice(0, fixtureText.indexOf('END_IDOC'));
    expect(importError(cut).message).toMatch(/found the end of the file/);
    expect(importError('').message).toMatch(/line 1: expected BEGIN_RECORD_SECTION or BEGIN_SEGMENT_SECTION/);
    expect(importError(fixtureText.replace('    END_GROUP\n', '')).message).toMatch(
      /expected BEGIN_GROUP, BEGIN_SEGMENT or an END_ keyword, found "END_IDOC"|expected END_SEGMENT_SECTION/,
    );
  });

  it('an invalid resulting definition (segment defined twice) is reported as such', () => {
    const twice = fixtureText.replace('SEGMENTTYPE         Z1ITEMX', 'SEGMENTTYPE         Z1HTEXT');
    const err = importError(twice);
    expect(err.message).toMatch(/segment Z1HTEXT is defined twice/);
  });
});

describe.skipIf(!haveConformance)('parser-file import: real SAP parser files (conformance)', () => {
  const files = haveConformance ? readdirSync(CONFORMANCE_DEFS).filter((f) => f.endsWith('.txt')) : [];

  it('imports every parser file without warnings into a valid definition', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const { definition, warnings } = importParserFileDetailed(
        readFileSync(join(CONFORMANCE_DEFS, f), 'utf8'),
      );
      expect(warnings, f).toEqual([]);
      expect(checkDefinition(definition), f).toEqual([]);
      expect(validateDefinitionSchema(definition), f).toEqual([]);
      expect(definition.segments.length, f).toBeGreaterThan(60);
    }
  });

  it('DELVRY07: import equals idoc-definitions/DELVRY07.json field by field', () => {
    const shipped = parseDefinition(
      readFileSync(join(DEFINITIONS_DIR, 'DELVRY07.json'), 'utf8'),
      'DELVRY07.json',
    );
    const imported = importParserFile(
      readFileSync(join(CONFORMANCE_DEFS, 'DELVRY07.we60-parser.txt'), 'utf8'),
      {
        dataTypes: dataTypesOf(shipped),
      },
    );
    expect(imported.segments.map((s) => s.type)).toEqual(shipped.segments.map((s) => s.type));
    for (const [i, s] of imported.segments.entries()) {
      const r = shipped.segments[i]!;
      expect([s.parent, s.min, s.max, s.level, s.qualified ?? false], s.type).toEqual([
        r.parent,
        r.min,
        r.max,
        r.level,
        r.qualified ?? false,
      ]);
      // the shipped file may list older versions first; the newest is the parser file's
      expect(r.versions[r.versions.length - 1], s.type).toEqual(s.versions[0]);
      expect(r.unverified, s.type).toBeUndefined();
      expect(
        s.fields.map((f) => [f.name, f.offset, f.length, f.dataType]),
        s.type,
      ).toEqual(r.fields.map((f) => [f.name, f.offset, f.length, f.dataType]));
    }
  });

  it('DELVRY03 and the /RB04/ copy of DELVRY05 have the known shape', () => {
    const d03 = importParserFile(readFileSync(join(CONFORMANCE_DEFS, 'DELVRY03.we60-parser.txt'), 'utf8'));
    expect(d03.basicType).toBe('DELVRY03');
    expect(d03.segments).toHaveLength(65);
    expect(seg(d03, 'E1EDL20').fields.find((f) => f.name === 'INCO1')?.length).toBe(3);
    const rb = importParserFile(
      readFileSync(join(CONFORMANCE_DEFS, '_RB04_YP3_DELVRY05_824.we60-parser.txt'), 'utf8'),
    );
    expect(rb.basicType).toBe('/RB04/YP3_DELVRY05_824');
    expect(rb.extension).toBeUndefined();
    expect(seg(rb, 'E1EDL37').parent).toBe('E1EDL20');
  });
});
