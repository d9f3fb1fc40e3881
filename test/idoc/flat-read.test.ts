import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { DefinitionRegistry } from '../../src/definitions/registry.js';
import type { IdocDefinition } from '../../src/definitions/types.js';
import { IdocgateError } from '../../src/errors.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { walkSegments, type Idoc, type Segment } from '../../src/idoc/model.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { delvry07WithSerials, mbgmcr03WithSerials, withoutHints } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();
const empty = new DefinitionRegistry();
const golden = readFileSync(join(PROJECT_ROOT, 'fixtures/flat/delvry07-serials.idoc'), 'utf8');

const segs = (idoc: Idoc): Segment[] => [...walkSegments(idoc.segments)].map((w) => w.segment);
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

/** Replaces columns [start, start+len) of every data record. */
function editHeaders(text: string, start: number, value: (line: string, i: number) => string): string {
  return lines(text)
    .map((l, i) => (l.startsWith('EDI_DC40') ? l : l.slice(0, start) + value(l, i) + l.slice(start + 6)))
    .join('\n');
}

describe('parseFlat', () => {
  it('reads a DELVRY07 with items, serials and handling units into the hand-built model', () => {
    const { idocs, issues } = parseFlat(golden, registry);
    expect(issues).toEqual([]);
    expect(idocs).toHaveLength(1);
    expect(withoutHints(idocs[0]!)).toEqual(delvry07WithSerials());
    const l20 = idocs[0]!.segments[0]!;
    const item = l20.children.find((s) => s.type === 'E1EDL24')!;
    expect(item.children.map((s) => s.fields.SERNR)).toEqual(['SN0000010010001', 'SN0000010010002']);
    const hu = l20.children.find((s) => s.type === 'E1EDL37')!;
    expect(hu.children[0]!.type).toBe('E1EDL44');
    expect(hu.children[0]!.children.map((s) => s.type)).toEqual(['E1EDL46', 'E1EDL46']);
    expect(idocs[0]!.flat).toMatchObject({ lineEnding: '\n', controlLength: 524, tabnam: 'EDI_DC40' });
    expect(item.flat).toMatchObject({
      segnam: 'E2EDL24007',
      hlevel: '03',
      segnum: '000004',
      psgnum: '000001',
    });
  });

  it('reads several IDocs per file', () => {
    const text = writeFlat([delvry07WithSerials({ n: 1 }), mbgmcr03WithSerials({ n: 2 })], registry);
    const { idocs } = parseFlat(text, registry);
    expect(idocs.map((i) => i.control.IDOCTYP)).toEqual(['DELVRY07', 'MBGMCR03']);
    expect(idocs.map(withoutHints)).toEqual([delvry07WithSerials({ n: 1 }), mbgmcr03WithSerials({ n: 2 })]);
  });

  it('reads CRLF, LF, mixed line ends and a missing final newline alike', () => {
    const model = delvry07WithSerials();
    const ls = lines(golden);
    const variants = [
      ls.join('\r\n') + '\r\n',
      ls.join('\n'),
      ls.map((l, i) => l + (i % 2 ? '\r\n' : '\n')).join(''),
      ls.join('\r\n'),
    ];
    for (const v of variants) expect(withoutHints(parseFlat(v, registry).idocs[0]!)).toEqual(model);
    expect(parseFlat(variants[0]!, registry).idocs[0]!.flat!.lineEnding).toBe('\r\n');
    expect(parseFlat(variants[1]!, registry).idocs[0]!.flat!.finalNewline).toBe(false);
  });

  it('pads trimmed records (and a trimmed control record) and accepts fully padded ones', () => {
    const model = delvry07WithSerials();
    const trimmed = writeFlat([model], registry, { padding: 'trim' });
    const full = writeFlat([model], registry, { padding: 'full' });
    expect(Math.max(...lines(trimmed).map((l) => l.length))).toBeLessThan(524);
    expect(
      lines(full)
        .slice(1)
        .every((l) => l.length === 1063),
    ).toBe(true);
    for (const t of [trimmed, full]) expect(withoutHints(parseFlat(t, registry).idocs[0]!)).toEqual(model);
    expect(parseFlat(trimmed, registry).idocs[0]!.flat!.controlLength).toBe(lines(trimmed)[0]!.length);
  });

  it('resolves definition names, un-versioned names and type names to the same segment', () => {
    for (const name of ['E2EDL24007', 'E2EDL24', 'E1EDL24']) {
      const text = lines(golden)
        .map((l) => (l.startsWith('E2EDL24007') ? name.padEnd(30) + l.slice(30) : l))
        .join('\n');
      const item = parseFlat(text, registry).idocs[0]!.segments[0]!.children[2]!;
      expect(item.type).toBe('E1EDL24');
      expect(item.fields.MATNR).toBe('MAT-00001');
      expect(item.flat!.segnam).toBe(name);
    }
  });

  it('splits namespaced segments through their definition', () => {
    const def: IdocDefinition = {
      basicType: 'INVOIC02',
      extension: '/RB04/YP3_INVOIC02_XML',
      messageTypes: { INVOIC: 'invoice' },
      segments: [
        {
          type: '/RB04/YP3_E1EDK01_XML',
          parent: null,
          min: 0,
          max: 1,
          level: 2,
          versions: [{ name: '/RB04/YP3_E1EDK01_XML001', fieldCount: 2 }],
          fields: [
            { name: 'KEY', offset: 0, length: 4, dataType: 'CHAR' },
            { name: 'VALUE', offset: 4, length: 10, dataType: 'CHAR' },
          ],
        },
      ],
    };
    const reg = new DefinitionRegistry([def]);
    const control =
      'EDI_DC40  011'.padEnd(39) + 'INVOIC02'.padEnd(30) + '/RB04/YP3_INVOIC02_XML'.padEnd(30) + 'INVOIC';
    const data =
      '/RB04/YP3_E1EDK01_XML001'.padEnd(30) + '011' + ''.padEnd(16) + '000001000000' + '02' + 'AB   x y';
    const { idocs, issues } = parseFlat(`${control}\n${data}\n`, reg);
    expect(issues).toEqual([]);
    expect(idocs[0]!.segments[0]).toMatchObject({
      type: '/RB04/YP3_E1EDK01_XML',
      fields: { KEY: 'AB', VALUE: ' x y' },
    });
  });

  it('keeps segments without definition with their type and raw SDATA', () => {
    const zline =
      'Z2ZSERIAL001'.padEnd(30) + '100' + '0000000000000001' + '000024000001' + '03' + 'ZX  42   ';
    const ls = lines(golden);
    const text = [...ls.slice(0, 23), zline, ...ls.slice(23)].join('\n') + '\n';
    const { idocs, issues } = parseFlat(text, registry);
    const z = segs(idocs[0]!).find((s) => s.type === 'Z1ZSERIAL')!;
    expect(z).toMatchObject({ fields: {}, sdata: 'ZX  42' });
    expect(idocs[0]!.segments[0]!.children).toContain(z);
    expect(issues.map((i) => [i.code, i.severity, i.details?.line])).toEqual([
      ['SEGMENT_UNKNOWN', 'warning', 24],
    ]);
    expect(writeFlat(idocs, registry)).toBe(text);

    const raw = parseFlat(golden, empty);
    expect(raw.issues.map((i) => i.code)).toEqual(['NO_DEFINITION']);
    const first = raw.idocs[0]!.segments[0]!;
    expect(first.type).toBe('E1EDL20');
    expect(first.sdata).toMatch(/^0080000001/);
    expect(first.children.length).toBe(6);
  });

  it('keeps leading blanks and drops trailing blanks and blank fields', () => {
    const idoc = delvry07WithSerials({ items: 1, serialsPerItem: 0, handlingUnits: 0 });
    idoc.segments[0]!.fields.INCO2 = '  Hamburg';
    const out = parseFlat(writeFlat([idoc], registry), registry).idocs[0]!;
    expect(out.segments[0]!.fields.INCO2).toBe('  Hamburg');
    expect(Object.keys(out.segments[0]!.fields)).not.toContain('ROUTE');
  });

  it('keeps SDATA beyond the definition and reports it', () => {
    const ls = lines(golden);
    ls[2] = ls[2]!.padEnd(1050) + 'EXTRA';
    const text = ls.join('\n') + '\n';
    const { idocs, issues } = parseFlat(text, registry);
    expect(issues.map((i) => i.code)).toEqual(['SDATA_BEYOND_DEFINITION']);
    expect(idocs[0]!.segments[0]!.children[0]!.sdata).toMatch(/EXTRA$/);
    expect(writeFlat(idocs, registry)).toBe(text);
  });

  describe('hierarchy', () => {
    it('builds the tree from the definition when SEGNUM/PSGNUM are blank everywhere', () => {
      const text = editHeaders(
        editHeaders(golden, 49, () => '      '),
        55,
        () => '      ',
      );
      const { idocs, issues } = parseFlat(text, registry);
      expect(withoutHints(idocs[0]!)).toEqual(delvry07WithSerials());
      expect(issues.map((i) => [i.code, i.severity])).toEqual([['SEGNUM_BLANK', 'warning']]);
      expect(writeFlat(idocs, registry)).toBe(text);
    });

    it('falls back to the definition for self, forward and dangling PSGNUMs and reports each', () => {
      const ls = lines(golden);
      const setPsg = (i: number, v: string): void => {
        ls[i] = ls[i]!.slice(0, 55) + v + ls[i]!.slice(61);
      };
      setPsg(5, '000005'); // E1EDL11 (SEGNUM 5) -> itself
      setPsg(8, '000010'); // E1EDL11 (SEGNUM 8) -> later E1EDL24
      setPsg(15, '000777'); // E1EDL46 -> nothing
      ls[9] = ls[9]!.slice(0, 49) + '      ' + ls[9]!.slice(55); // E1EDL11 with blank SEGNUM
      const { idocs, issues } = parseFlat(ls.join('\n'), registry);
      expect(withoutHints(idocs[0]!)).toEqual(delvry07WithSerials());
      expect(issues.map((i) => [i.code, i.severity, i.details?.line])).toEqual([
        ['PSGNUM_INVALID', 'error', 6],
        ['PSGNUM_INVALID', 'error', 9],
        ['SEGNUM_BLANK', 'error', 10],
        ['PSGNUM_INVALID', 'error', 16],
      ]);
      expect(issues[0]!.path).toBe('idoc[0]/record[4]');
    });

    it('without a definition places a segment with a broken PSGNUM under the nearest lower HLEVEL', () => {
      const ls = lines(golden);
      ls[5] = ls[5]!.slice(0, 55) + '000005' + ls[5]!.slice(61);
      const { idocs } = parseFlat(ls.join('\n'), empty);
      const item = idocs[0]!.segments[0]!.children[2]!;
      expect(item.type).toBe('E1EDL24');
      expect(item.children).toHaveLength(2);
    });
  });

  describe('unreadable input', () => {
    it('rejects data before the first control record', () => {
      const e = thrown(() => parseFlat(lines(golden).slice(1, 3).join('\n') + '\n' + golden, registry));
      expect(e.code).toBe('IDOC_NO_CONTROL_RECORD');
      expect(e.issues[0]!.details).toMatchObject({ line: 1, records: 2 });
    });

    it('rejects records shorter than the data header, naming every line', () => {
      const ls = lines(golden);
      ls[3] = ls[3]!.slice(0, 40);
      ls[7] = ls[7]!.slice(0, 62);
      const e = thrown(() => parseFlat(ls.join('\n'), registry));
      expect(e.code).toBe('IDOC_RECORD_TRUNCATED');
      expect(e.issues.map((i) => i.details?.line)).toEqual([4, 8]);
    });

    it('rejects records longer than 1063 characters and data after the control record', () => {
      const ls = lines(golden);
      ls[2] = ls[2]!.padEnd(1064, ' ');
      ls[0] = ls[0]!.padEnd(600) + 'X';
      const e = thrown(() => parseFlat(ls.join('\n'), registry));
      expect(e.code).toBe('IDOC_RECORD_TOO_LONG');
      expect(e.issues.map((i) => i.details?.line)).toEqual([1, 3]);
    });

    it('rejects empty and blank input', () => {
      expect(thrown(() => parseFlat('', registry)).code).toBe('IDOC_EMPTY_INPUT');
      expect(thrown(() => parseFlat(new Uint8Array(0), registry)).code).toBe('IDOC_EMPTY_INPUT');
      expect(thrown(() => parseFlat('\n  \r\n', registry)).code).toBe('IDOC_EMPTY_INPUT');
    });

    it('rejects binary input naming line and column', () => {
      const ls = lines(golden);
      ls[3] = ls[3]!.slice(0, 70) + '\u0000' + ls[3]!.slice(71);
      const e = thrown(() => parseFlat(Buffer.from(ls.join('\n'), 'utf8'), registry));
      expect(e.code).toBe('IDOC_BINARY_INPUT');
      expect(e.issues[0]!.details).toMatchObject({ line: 4, column: 71 });
      // every part of a record is checked: header, values, blank fields, padding, raw SDATA
      const put = (i: number, col: number, ch: string): string[] => {
        const copy = [...ls.slice(0, 3), lines(golden)[3]!, ...ls.slice(4)];
        copy[i] = copy[i]!.slice(0, col - 1) + ch + copy[i]!.slice(col);
        return copy;
      };
      for (const [i, col] of [
        [0, 200], // control record
        [4, 5], // SEGNAM column
        [4, 52], // SEGNUM column
        [4, 100], // inside a blank field
        [4, 1040], // in the padding after the last value
        [1, 64], // first value
      ] as const) {
        const text = put(i, col, '\u0007').join('\n');
        for (const reg of [registry, empty]) {
          const err = thrown(() => parseFlat(text, reg));
          expect(err.code).toBe('IDOC_BINARY_INPUT');
          expect(err.issues[0]!.details).toMatchObject({ line: i + 1, column: col });
        }
      }
      const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
      expect(thrown(() => parseFlat(zip, registry)).code).toBe('IDOC_BINARY_INPUT');
    });

    it('enforces the size limits', () => {
      const two = writeFlat([delvry07WithSerials({ n: 1 }), delvry07WithSerials({ n: 2 })], registry);
      const count = lines(two).length / 2 - 1;
      expect(parseFlat(two, registry, { maxRecordsPerIdoc: count }).idocs).toHaveLength(2);
      const e = thrown(() => parseFlat(two, registry, { maxRecordsPerIdoc: count - 1 }));
      expect(e.code).toBe('IDOC_TOO_LARGE');
      expect(thrown(() => parseFlat(two, registry, { maxInputSize: two.length - 1 })).code).toBe(
        'IDOC_TOO_LARGE',
      );
      expect(parseFlat(two, registry, { maxInputSize: two.length }).idocs).toHaveLength(2);
    });
  });

  describe('text', () => {
    const idoc = delvry07WithSerials({ items: 1, serialsPerItem: 1, handlingUnits: 0 });
    idoc.segments[0]!.children[2]!.fields.ARKTX = 'Gerät für Größe Ø 5';
    const text = writeFlat([idoc], registry);

    it('reads Latin-1 bytes with umlauts', () => {
      const bytes = Buffer.from(text, 'latin1');
      const { idocs } = parseFlat(bytes, registry);
      const item = idocs[0]!.segments[0]!.children[2]!;
      expect(item.fields.ARKTX).toBe('Gerät für Größe Ø 5');
      expect(item.fields.WERKS).toBe('1000'); // offsets after the umlauts are intact
      expect(writeFlat(idocs, registry)).toBe(text);
    });

    it('counts UTF-8 multi-byte characters as one character', () => {
      const bytes = Buffer.from(text.replace('Ø 5', '€ 5'), 'utf8');
      expect(bytes.length).toBeGreaterThan(text.length);
      const { idocs } = parseFlat(bytes, registry);
      const item = idocs[0]!.segments[0]!.children[2]!;
      expect(item.fields.ARKTX).toBe('Gerät für Größe € 5');
      expect(item.fields.WERKS).toBe('1000');
      expect(item.flat!.recordLength).toBe(63 + 987);
    });

    it('refuses invalid UTF-8 when UTF-8 is demanded, and reads it as Latin-1 on auto', () => {
      const bytes = Buffer.from(text, 'latin1');
      expect(thrown(() => parseFlat(bytes, registry, { encoding: 'utf-8' })).code).toBe('IDOC_BINARY_INPUT');
      expect(parseFlat(bytes, registry, { encoding: 'latin1' }).idocs).toHaveLength(1);
    });

    it('strips a UTF-8 byte order mark', () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
      expect(parseFlat(bytes, registry).idocs[0]!.control.TABNAM).toBe('EDI_DC40');
    });
  });
});
