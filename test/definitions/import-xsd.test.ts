import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIdocXsd } from '../../src/definitions/import-xsd.js';
import { IdocgateError } from '../../src/errors.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const dir = join(PROJECT_ROOT, 'fixtures', 'definitions');
const named = readFileSync(join(dir, 'ZDEMO02.named-types.xsd'), 'utf8');
const anonymous = readFileSync(join(dir, 'ZDEMO02X.anonymous-types.xsd'), 'utf8');

function xsdError(text: string): IdocgateError {
  try {
    importIdocXsd(text);
  } catch (e) {
    expect(e).toBeInstanceOf(IdocgateError);
    return e as IdocgateError;
  }
  throw new Error('import did not fail');
}

describe('IDoc XSD import', () => {
  it('reads named complex types: segments, fields, contiguous offsets, occurrence, depth levels', () => {
    const def = importIdocXsd(named, {
      dataTypes: { 'Z1HEAD.DOCDAT': 'DATS' },
      messageTypes: { ZDEMO: 'demo' },
    });
    expect(def.basicType).toBe('ZDEMO02');
    expect(def.extension).toBeUndefined();
    expect(def.messageTypes).toEqual({ ZDEMO: 'demo' });
    expect(def.segments.map((s) => [s.type, s.parent, s.min, s.max, s.level])).toEqual([
      ['Z1HEAD', null, 1, 9999, 2],
      ['/ABC/Z1ITEM', 'Z1HEAD', 0, null, 3],
      ['Z1TRAILER', null, 0, 1, 2],
    ]);
    const head = def.segments[0]!;
    expect(head.description).toBe('Demo header');
    expect(head.fields).toEqual([
      { name: 'DOCNO', offset: 0, length: 10, dataType: 'CHAR', description: 'Document number' },
      { name: 'DOCDAT', offset: 10, length: 8, dataType: 'DATS' },
    ]);
    expect(def.segments[1]!.fields.map((f) => [f.name, f.offset, f.length])).toEqual([
      ['POSNR', 0, 6],
      ['MENGE', 6, 15],
    ]);
    expect(def.segments[1]!.versions).toEqual([{ name: '/ABC/Z2ITEM', fieldCount: 2 }]);
    expect(def.segments.every((s) => s.unverified?.includes('HLEVEL = nesting depth + 1'))).toBe(true);
  });

  it('reads anonymous nested types and the extension from EDI_DC40', () => {
    const def = importIdocXsd(anonymous);
    expect(def.basicType).toBe('ZDEMO02');
    expect(def.extension).toBe('ZDEMO02X');
    expect(def.segments.map((s) => [s.type, s.parent, s.level, s.fields.length])).toEqual([
      ['Z1HEAD', null, 2, 1],
      ['Z1HEADX', 'Z1HEAD', 3, 1],
    ]);
  });

  it('rejects what it cannot make sound', () => {
    expect(xsdError(named.replace('<xsd:maxLength value="15" />', '')).message).toMatch(
      /field \/ABC\/Z1ITEM\.MENGE has no maxLength/,
    );
    expect(xsdError('<!DOCTYPE x><x/>').message).toMatch(/DOCTYPE/);
    expect(xsdError('<xsd:schema xmlns:xsd="x"><xsd:element name="A"/></xsd:schema>').message).toMatch(
      /no top-level element containing an IDOC element/,
    );
    expect(xsdError('<not xml').code).toBe('DEFINITION_PARSER_FILE_INVALID');
    const tooLong = named.replace('<xsd:maxLength value="15" />', '<xsd:maxLength value="995" />');
    expect(xsdError(tooLong).message).toMatch(/beyond the 1000 characters of SDATA/);
  });
});
