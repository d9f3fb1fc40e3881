import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { DefinitionRegistry } from '../../src/definitions/registry.js';
import type { IdocDefinition } from '../../src/definitions/types.js';
import { IdocgateError } from '../../src/errors.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import type { Idoc } from '../../src/idoc/model.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { delvry07WithSerials, mbgmcr03WithSerials, withoutHints } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();
const fixture = (name: string): string => readFileSync(join(PROJECT_ROOT, 'fixtures/flat', name), 'utf8');
const lines = (text: string): string[] => text.split(/\r?\n/).filter((l) => l !== '');
const header = (line: string) => ({
  segnam: line.slice(0, 30).trim(),
  mandt: line.slice(30, 33),
  docnum: line.slice(33, 49),
  segnum: line.slice(49, 55),
  psgnum: line.slice(55, 61),
  hlevel: line.slice(61, 63),
});

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

/** ZTEST01 with one segment in two versions: Z2HEAD000 (A, B) and Z2HEAD001 (A, B, C). */
const versioned: IdocDefinition = {
  basicType: 'ZTEST01',
  messageTypes: { ZTEST: 'test' },
  segments: [
    {
      type: 'Z1HEAD',
      parent: null,
      min: 1,
      max: 1,
      level: 2,
      versions: [
        { name: 'Z2HEAD000', fieldCount: 2 },
        { name: 'Z2HEAD001', fieldCount: 3 },
      ],
      fields: [
        { name: 'A', offset: 0, length: 5, dataType: 'CHAR' },
        { name: 'B', offset: 5, length: 5, dataType: 'CHAR' },
        { name: 'C', offset: 10, length: 10, dataType: 'CHAR' },
      ],
    },
  ],
};
const ztest = (fields: Record<string, string>): Idoc => ({
  control: { IDOCTYP: 'ZTEST01', MESTYP: 'ZTEST', MANDT: '100', DOCNUM: '42' },
  segments: [{ type: 'Z1HEAD', fields, children: [] }],
});

describe('writeFlat', () => {
  it('writes the golden DELVRY07 and MBGMCR03 files byte for byte', () => {
    expect(writeFlat([delvry07WithSerials()], registry)).toBe(fixture('delvry07-serials.idoc'));
    expect(writeFlat([mbgmcr03WithSerials()], registry)).toBe(fixture('mbgmcr03-serials.idoc'));
  });

  it('numbers segments depth-first, points PSGNUM at the parent and takes HLEVEL from the definition', () => {
    const ls = lines(writeFlat([delvry07WithSerials()], registry));
    expect(ls[0]!.length).toBe(524);
    const h = ls.slice(1).map(header);
    expect(h.map((x) => x.segnum)).toEqual(h.map((_, i) => String(i + 1).padStart(6, '0')));
    const level = (segnam: string) => h.find((x) => x.segnam === segnam)!.hlevel;
    expect(level('E2EDL20004')).toBe('02');
    expect(level('E2EDL24007')).toBe('03');
    expect(level('E2EDL11001')).toBe('04');
    expect(level('E2EDL37006')).toBe('03');
    expect(level('E2EDL44005')).toBe('04');
    expect(level('E2EDL46001')).toBe('05');
    expect(level('E2IDOCENHANCEMENT000')).toBe('01');
    const enh = h.find((x) => x.segnam === 'E2IDOCENHANCEMENT000')!;
    expect(enh.psgnum).toBe('000000');
    // E1EDL11 under the first item (SEGNUM 4), E1EDL46 under the E1EDL44 before it
    expect(h[4]).toMatchObject({ segnam: 'E2EDL11001', psgnum: '000004' });
    expect(h[14]).toMatchObject({ segnam: 'E2EDL46001', psgnum: '000014' });
    expect(h.every((x) => x.mandt === '100' && x.docnum === '0000000000000001')).toBe(true);
  });

  it('round-trips hand-built IDocs through flat text', () => {
    const idocs = [delvry07WithSerials({ n: 7, items: 4, serialsPerItem: 5 }), mbgmcr03WithSerials({ n: 8 })];
    const text = writeFlat(idocs, registry);
    const back = parseFlat(text, registry);
    expect(back.issues).toEqual([]);
    expect(back.idocs.map(withoutHints)).toEqual(idocs);
    expect(writeFlat(back.idocs, registry)).toBe(text);
  });

  it('rejects values that do not fit and unknown fields, collecting every issue', () => {
    const idoc = delvry07WithSerials({ items: 2, serialsPerItem: 1 });
    const l20 = idoc.segments[0]!;
    l20.fields.INCO1 = 'Lempira';
    l20.children[3]!.children[0]!.fields.SERNR = 'S'.repeat(19);
    l20.children[2]!.fields.NOSUCH = 'x';
    idoc.control.DOCREL = '755_IBG';
    const e = thrown(() => writeFlat([idoc], registry));
    expect(e.code).toBe('IDOC_VALUE_TOO_LONG');
    expect(e.issues.map((i) => [i.code, i.path])).toEqual([
      ['VALUE_TOO_LONG', 'idoc[0]/EDI_DC40.DOCREL'],
      ['VALUE_TOO_LONG', 'idoc[0]/E1EDL20[0].INCO1'],
      ['FIELD_UNKNOWN', 'idoc[0]/E1EDL20[0]/E1EDL24[0].NOSUCH'],
      ['VALUE_TOO_LONG', 'idoc[0]/E1EDL20[0]/E1EDL24[1]/E1EDL11[0].SERNR'],
    ]);
    expect(e.issues[1]!.details).toMatchObject({ value: 'Lempira', length: 3 });
  });

  it('rejects line ends and control characters inside values', () => {
    const idoc = delvry07WithSerials({ items: 1, serialsPerItem: 0, handlingUnits: 0 });
    idoc.segments[0]!.fields.INCO2 = 'Ham\nburg';
    const e = thrown(() => writeFlat([idoc], registry));
    expect(e.issues.map((i) => i.code)).toEqual(['VALUE_INVALID_CHAR']);
  });

  it('writes an older segment version on request and rejects fields that version lacks', () => {
    const reg = new DefinitionRegistry([versioned]);
    const newest = lines(writeFlat([ztest({ A: 'a', B: 'b' })], reg))[1]!;
    expect(header(newest).segnam).toBe('Z2HEAD001');
    expect(newest.length).toBe(63 + 20);
    const old = lines(
      writeFlat([ztest({ A: 'a', B: 'b' })], reg, { segmentVersions: { Z1HEAD: 'Z2HEAD000' } }),
    )[1]!;
    expect(header(old).segnam).toBe('Z2HEAD000');
    expect(old.length).toBe(63 + 10);
    const e = thrown(() =>
      writeFlat([ztest({ A: 'a', C: 'c' })], reg, { segmentVersions: { Z1HEAD: 'Z2HEAD000' } }),
    );
    expect(e.issues.map((i) => i.code)).toEqual(['FIELD_NOT_IN_VERSION']);
    const unknown = thrown(() =>
      writeFlat([ztest({ A: 'a' })], reg, { segmentVersions: { Z1HEAD: 'Z2HEAD009' } }),
    );
    expect(unknown.code).toBe('IDOC_NO_DEFINITION_FOR_SEGMENT');
    // the version read is the version written back
    const read = parseFlat(
      writeFlat([ztest({ A: 'a' })], reg, { segmentVersions: { Z1HEAD: 'Z2HEAD000' } }),
      reg,
    );
    expect(header(lines(writeFlat(read.idocs, reg))[1]!).segnam).toBe('Z2HEAD000');
  });

  it('writes fields given out of definition order at their offsets', () => {
    const reg = new DefinitionRegistry([versioned]);
    const line = lines(writeFlat([ztest({ C: 'see', A: 'ay' })], reg))[1]!;
    expect(line.slice(63)).toBe('ay        see       ');
  });

  it('pads records by segment length, to 1063, or trims them', () => {
    const idoc = delvry07WithSerials({ items: 1, serialsPerItem: 1, handlingUnits: 0 });
    const seg = lines(writeFlat([idoc], registry, { padding: 'segment' }));
    expect(seg.map((l) => l.length)).toEqual([
      524,
      63 + 453,
      63 + 952,
      63 + 153,
      63 + 987,
      63 + 90,
      63 + 1000,
    ]);
    const full = lines(writeFlat([idoc], registry, { padding: 'full' }));
    expect(full.slice(1).every((l) => l.length === 1063)).toBe(true);
    expect(full[0]!.length).toBe(524);
    const trim = lines(writeFlat([idoc], registry, { padding: 'trim' }));
    expect(trim.every((l) => !l.endsWith(' '))).toBe(true);
    expect(trim[5]).toBe(seg[5]!.trimEnd());
  });

  it('uses the requested line end and final newline', () => {
    const idoc = mbgmcr03WithSerials({ items: 1, serialsPerItem: 1 });
    const crlf = writeFlat([idoc], registry, { lineEnding: '\r\n' });
    expect(crlf.split('\r\n')).toHaveLength(lines(crlf).length + 1);
    expect(crlf.endsWith('\r\n')).toBe(true);
    expect(writeFlat([idoc], registry, { finalNewline: false }).endsWith('\n')).toBe(false);
    expect(writeFlat([], registry)).toBe('');
  });

  describe('layout as read', () => {
    const text = fixture('delvry07-serials.idoc');

    it('keeps the header values as read while they describe the same tree', () => {
      const blank = lines(text)
        .map((l, i) => (i === 0 ? l : l.slice(0, 49) + ' '.repeat(12) + l.slice(61)))
        .join('\r\n');
      const { idocs } = parseFlat(blank + '\r\n', registry);
      idocs[0]!.segments[0]!.fields.INCO2 = 'Bremen';
      const out = writeFlat(idocs, registry);
      expect(out).toBe(blank.replace('EXWHamburg', 'EXWBremen ') + '\r\n');
      const computed = lines(writeFlat(idocs, registry, { headers: 'computed' }));
      expect(header(computed[1]!)).toMatchObject({ segnum: '000001', psgnum: '000000' });
    });

    it('renumbers when segments were added or removed', () => {
      const { idocs } = parseFlat(text, registry);
      const l20 = idocs[0]!.segments[0]!;
      l20.children.splice(3, 1); // drop the second item
      const out = lines(writeFlat(idocs, registry));
      const h = out.slice(1).map(header);
      expect(h.map((x) => x.segnum)).toEqual(h.map((_, i) => String(i + 1).padStart(6, '0')));
      expect(parseFlat(out.join('\n'), registry).issues).toEqual([]);
    });

    it('writes the new DOCNUM into the data records when the control record changed', () => {
      const { idocs } = parseFlat(text, registry);
      idocs[0]!.control.DOCNUM = '0000000000009999';
      const out = lines(writeFlat(idocs, registry));
      expect(out.slice(1).every((l) => header(l).docnum === '0000000000009999')).toBe(true);
    });

    it('keeps record lengths as read and grows a record whose value grew', () => {
      const short =
        lines(writeFlat([delvry07WithSerials()], registry, { padding: 'trim' })).join('\n') + '\n';
      const { idocs } = parseFlat(short, registry);
      expect(writeFlat(idocs, registry)).toBe(short);
      const enh = idocs[0]!.segments[1]!;
      enh.fields.DATA = 'serialised delivery, amended';
      const out = lines(writeFlat(idocs, registry));
      expect(out[out.length - 1]!.endsWith('amended')).toBe(true);
    });
  });

  describe('segments without definition', () => {
    it('writes raw SDATA as read and derives SEGNAM from the type', () => {
      const idoc: Idoc = {
        control: { IDOCTYP: 'ZUNKNOWN01', MESTYP: 'ZX' },
        segments: [{ type: 'Z1ABC', fields: {}, children: [], sdata: 'raw   data' }],
      };
      const line = lines(writeFlat([idoc], registry))[1]!;
      expect(line).toBe('Z2ABC'.padEnd(30) + ' '.repeat(19) + '000001000000' + '02' + 'raw   data');
    });

    it('refuses fields it cannot place', () => {
      const idoc: Idoc = {
        control: { IDOCTYP: 'DELVRY07', MESTYP: 'DESADV' },
        segments: [{ type: 'Z1NOPE', fields: { A: '1' }, children: [] }],
      };
      const e = thrown(() => writeFlat([idoc], registry));
      expect(e.code).toBe('IDOC_NO_DEFINITION_FOR_SEGMENT');
      expect(e.issues[0]!.path).toBe('idoc[0]/Z1NOPE[0]');
    });

    it('writes SDATA kept from a reader without definitions when a definition is now known', () => {
      const text = fixture('delvry07-serials.idoc');
      const raw = parseFlat(text, new DefinitionRegistry()).idocs;
      expect(writeFlat(raw, registry)).toBe(text);
      expect(writeFlat(raw, registry, { headers: 'computed', padding: 'segment' })).toBe(text);
    });
  });
});
