/**
 * Characters as ABAP counts them: the flat reader, the flat writer and validation count UTF-16
 * code units, so a character outside the BMP (an emoji) takes two positions, as in SAP's UCS-2
 * (ABAP Keyword Documentation: such characters "occupy four bytes and hence are handled as two
 * characters by ABAP"). Also: the reader's fast path for screened plain text gives exactly what
 * the careful path gives.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { IdocgateError } from '../../src/errors.js';
import { isPlainText } from '../../src/idoc/flat-chars.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { buildIdoc } from '../../src/idoc/flat-records.js';
import { readFlatStream } from '../../src/idoc/flat-stream.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { walkSegments, type Idoc, type Segment } from '../../src/idoc/model.js';
import { validateIdoc } from '../../src/idoc/validate.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { delvry07WithSerials, mbgmcr03WithSerials, withoutHints } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();
const EMOJI = '\u{1F4E6}'; // PACKAGE: two UTF-16 units, two characters for ABAP

const segs = (idoc: Idoc): Segment[] => [...walkSegments(idoc.segments)].map((w) => w.segment);

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

/** A DELVRY07 whose first item has MATNR (18 characters) and ARKTX (40) set to the given values. */
function withItemText(matnr: string, arktx: string): Idoc {
  const idoc = withoutHints(delvry07WithSerials({ items: 2, serialsPerItem: 1, handlingUnits: 0 }));
  const item = segs(idoc).find((s) => s.type === 'E1EDL24')!;
  item.fields.MATNR = matnr;
  item.fields.ARKTX = arktx;
  return idoc;
}

describe('character helpers', () => {
  it('isPlainText accepts Latin-1 text with LF/CRLF and refuses what trimEnd or the junk check care about', () => {
    expect(isPlainText('EDI_DC40  100 abc  \nE2X  Müller \r\n')).toBe(true);
    for (const bad of [
      'a\tb',
      'a\u00a0b',
      'a\u0000b',
      'a\u000bb',
      'a\rb\n',
      'trailing CR\r',
      `x${EMOJI}`,
      'Ł',
    ])
      expect(isPlainText(bad), JSON.stringify(bad)).toBe(false);
  });
});

describe('values with characters outside the BMP', () => {
  it('an emoji takes two positions: a value of 18 code units fills an 18-character field, read back in place', () => {
    const matnr = `M${EMOJI}${'X'.repeat(15)}`; // 17 code points, 18 UTF-16 units = 18 ABAP characters
    expect(matnr.length).toBe(18);
    const idoc = withItemText(matnr, `Box ${EMOJI} scanner`);
    expect(validateIdoc(idoc, registry).filter((i) => i.code === 'VALUE_TOO_LONG')).toEqual([]);
    const text = writeFlat([idoc], registry);
    const itemLine = text.split('\n').find((l) => l.startsWith('E2EDL24'))!;
    // MATNR sits after POSNR (6) at SDATA offset 6; ARKTX starts right after its 18 positions
    const at = 63 + 6;
    expect(itemLine.slice(at, at + 18)).toBe(matnr);
    const back = parseFlat(text, registry);
    expect(back.issues).toEqual([]);
    const item = segs(back.idocs[0]!).find((s) => s.type === 'E1EDL24')!;
    expect(item.fields.MATNR).toBe(matnr);
    expect(item.fields.ARKTX).toBe(`Box ${EMOJI} scanner`);
    expect(item.fields.WERKS).toBe('1000'); // the field after them is where the definition says
    expect(item.flat?.recordLength).toBe(itemLine.length);
    expect(writeFlat(back.idocs, registry)).toBe(text); // byte-identical round trip
  });

  it('17 code points of which one is an emoji are 18 characters; one more is too long, with the same count', () => {
    const matnr = `M${EMOJI}${'X'.repeat(16)}`; // 19 ABAP characters
    const idoc = withItemText(matnr, 'x');
    const issues = validateIdoc(idoc, registry).filter((i) => i.code === 'VALUE_TOO_LONG');
    expect(issues.map((i) => i.message)).toEqual([
      `E1EDL24.MATNR "${matnr}" is 19 characters, the field holds 18`,
    ]);
    const e = thrown(() => writeFlat([idoc], registry));
    expect(e.code).toBe('IDOC_VALUE_TOO_LONG');
    expect(e.issues?.map((i) => [i.code, i.message])).toEqual([
      ['VALUE_TOO_LONG', `value "${matnr}" has 19 characters, the field 18`],
    ]);
  });

  it('a field written by SAP with an emoji is read at SAP positions (the next field starts two later)', () => {
    // What SAP writes: MATNR "M" + emoji + 16 blanks (18 UCS-2 positions), then ARKTX.
    const idoc = withItemText(`M${EMOJI}`, 'Scanner');
    const text = writeFlat([idoc], registry);
    const itemLine = text.split('\n').find((l) => l.startsWith('E2EDL24'))!;
    expect(itemLine.slice(69, 87)).toBe(`M${EMOJI}${' '.repeat(15)}`);
    const item = segs(parseFlat(text, registry).idocs[0]!).find((s) => s.type === 'E1EDL24')!;
    expect([item.fields.MATNR, item.fields.ARKTX]).toEqual([`M${EMOJI}`, 'Scanner']);
  });

  it('control record values and SDATA of segments without definition count characters the same way', () => {
    const idoc = withItemText('MAT', 'x');
    idoc.control.SNDLAD = `${EMOJI}`.repeat(35); // 70 characters
    const text = writeFlat([idoc], registry);
    const control = text.split('\n')[0]!;
    expect(control.length).toBe(524);
    expect(parseFlat(text, registry).idocs[0]!.control.SNDLAD).toBe(idoc.control.SNDLAD);
    idoc.control.SNDLAD += 'x';
    expect(thrown(() => writeFlat([idoc], registry)).code).toBe('IDOC_VALUE_TOO_LONG');
    expect(validateIdoc(idoc, registry).map((i) => i.code)).toContain('CONTROL_VALUE_TOO_LONG');
  });

  it('readFlatStream gives the same IDocs when chunks split the emoji bytes', async () => {
    const text = writeFlat([withItemText(`M${EMOJI}`, `${EMOJI} box`), mbgmcr03WithSerials()], registry);
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(Buffer.from(EMOJI, 'utf8')) + 2; // inside the 4-byte sequence
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, at);
      yield bytes.subarray(at);
    }
    const streamed: Idoc[] = [];
    for await (const idoc of readFlatStream(chunks(), registry)) streamed.push(idoc);
    expect(streamed).toEqual(parseFlat(bytes, registry).idocs);
  });
});

describe('fast path for plain text', () => {
  const files = [
    join(PROJECT_ROOT, 'fixtures/flat/delvry07-serials.idoc'),
    join(PROJECT_ROOT, 'fixtures/flat/mbgmcr03-serials.idoc'),
    join(PROJECT_ROOT, 'fixtures/golden/delvry07-serials.idoc'),
    join(PROJECT_ROOT, 'fixtures/golden/mbgmcr03-serials.idoc'),
  ];
  const conformance = join(PROJECT_ROOT, '../shared/conformance/samples');
  if (existsSync(conformance)) {
    for (const dir of readdirSync(conformance)) {
      for (const f of readdirSync(join(conformance, dir))) {
        if (/\.(idoc|txt|edi|dat)$/i.test(f)) files.push(join(conformance, dir, f));
      }
    }
  }
  const generated = writeFlat(
    [delvry07WithSerials({ n: 7, items: 4, serialsPerItem: 3 }), mbgmcr03WithSerials({ n: 8 })],
    registry,
    { lineEnding: '\r\n' },
  );

  it('builds the same IDoc with and without the per-character checks', () => {
    const texts = [generated, ...files.map((f) => readFileSync(f, 'latin1'))];
    let compared = 0;
    for (const text of texts) {
      if (!text.startsWith('EDI_DC40') || !isPlainText(text)) continue;
      const all = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      const starts = all.flatMap((l, i) => (l.startsWith('EDI_DC40') ? [i] : []));
      for (let k = 0; k < starts.length; k++) {
        const lines = all.slice(starts[k], starts[k + 1] ?? all.length).filter((l) => l.trim() !== '');
        const input = { index: k, lines, lineNos: lines.map((_, i) => i + 1), lineEnding: '\n' as const };
        const finalNewline = true;
        expect(buildIdoc({ ...input, finalNewline, plain: true }, registry)).toEqual(
          buildIdoc({ ...input, finalNewline, plain: false }, registry),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });

  it('text that is not plain (a tab, a NO-BREAK SPACE) is read with every character checked', () => {
    const base = writeFlat([withItemText('MAT', 'x')], registry);
    const tab = base.replace('MAT ', 'MA\tT');
    const item = (t: string): Segment =>
      segs(parseFlat(t, registry).idocs[0]!).find((s) => s.type === 'E1EDL24')!;
    expect(item(tab).fields.MATNR).toBe('MA\tT');
    // a NO-BREAK SPACE at the end of a value is a character, not a blank to trim
    expect(item(base.replace('MAT ', 'MAT\u00a0')).fields.MATNR).toBe('MAT\u00a0');
    const nul = base.replace('MAT ', 'MAT\u0000');
    expect(thrown(() => parseFlat(nul, registry)).code).toBe('IDOC_BINARY_INPUT');
  });
});
