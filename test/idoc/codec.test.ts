import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { IdocgateError } from '../../src/errors.js';
import { convertIdocs, readIdocs, writeIdocs } from '../../src/idoc/codec.js';
import { MAX_JSON_DEPTH, fromJson, parseJson, toCanonical, writeJson } from '../../src/idoc/codec-json.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { writeXml } from '../../src/idoc/xml-writer.js';
import { delvry07WithSerials, mbgmcr03WithSerials } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();
const delvry = delvry07WithSerials({ items: 2, serialsPerItem: 2 });
const mbgmcr = mbgmcr03WithSerials({ n: 2 });

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

describe('readIdocs', () => {
  it('detects and reads flat, XML and JSON into the same model', () => {
    const flat = writeFlat([delvry, mbgmcr], registry);
    const xml = writeXml([delvry]);
    const json = writeJson([delvry, mbgmcr]);
    const a = readIdocs(flat, registry);
    const b = readIdocs(Buffer.from(xml), registry);
    const c = readIdocs(json, registry);
    expect([a.format, b.format, c.format]).toEqual(['flat', 'xml', 'json']);
    expect(a.idocs.map(toCanonical)).toEqual([delvry, mbgmcr]);
    expect(toCanonical(b.idocs[0]!)).toEqual(delvry);
    expect(c.idocs).toEqual([delvry, mbgmcr]);
    expect(a.issues).toEqual([]);
  });

  it('honours --from over detection', () => {
    const json = writeJson([delvry]);
    expect(thrown(() => readIdocs(json, registry, { format: 'xml' })).code).toBe('IDOC_NOT_WELL_FORMED_XML');
    expect(readIdocs(json, registry, { format: 'json' }).idocs).toHaveLength(1);
  });

  it('refuses empty and unknown input with specific codes', () => {
    expect(thrown(() => readIdocs('', registry)).code).toBe('IDOC_EMPTY_INPUT');
    expect(thrown(() => readIdocs(new Uint8Array([0xef, 0xbb, 0xbf]), registry)).code).toBe(
      'IDOC_EMPTY_INPUT',
    );
    expect(thrown(() => readIdocs(' \r\n', registry, { format: 'flat' })).code).toBe('IDOC_EMPTY_INPUT');
    const e = thrown(() => readIdocs("UNB+UNOC:3+SENDER'", registry));
    expect(e.code).toBe('IDOC_FOREIGN_FORMAT');
    expect(e.message).toContain('starts with "UNB+UNOC:3+SENDER\'"');
  });

  it('reads Latin-1 flat bytes and honours a forced encoding', () => {
    const idoc: Idoc = {
      control: { ...delvry.control },
      segments: [{ type: 'E1EDL20', fields: { VBELN: '0080000001', INCO2: 'Köln' }, children: [] }],
    };
    const latin1 = Buffer.from(writeFlat([idoc], registry), 'latin1');
    expect(readIdocs(latin1, registry).idocs[0]!.segments[0]!.fields.INCO2).toBe('Köln');
    expect(readIdocs(latin1, registry, { encoding: 'latin1' }).idocs[0]!.segments[0]!.fields.INCO2).toBe(
      'Köln',
    );
    expect(thrown(() => readIdocs(latin1, registry, { encoding: 'utf-8' })).code).toBe('IDOC_BINARY_INPUT');
  });
});

describe('canonical JSON', () => {
  it('writes one IDoc as an object and several as an array, without layout hints', () => {
    const read = readIdocs(writeFlat([delvry], registry), registry).idocs;
    expect(read[0]!.flat).toBeDefined();
    const one = JSON.parse(writeJson(read)) as Record<string, unknown>;
    expect(Object.keys(one)).toEqual(['control', 'segments']);
    expect(JSON.stringify(one)).not.toContain('"flat"');
    const many = JSON.parse(writeJson([delvry, mbgmcr])) as unknown[];
    expect(many).toHaveLength(2);
    expect(writeJson([delvry], 0)).not.toContain('\n');
    expect(writeJson([])).toBe('[]\n');
  });

  it('keeps raw SDATA of segments without definition', () => {
    const idoc: Idoc = {
      control: { IDOCTYP: 'ORDERS05', MESTYP: 'ORDERS' },
      segments: [{ type: 'E1EDK01', fields: {}, children: [], sdata: 'EUR  1.00000' }],
    };
    expect(parseJson(writeJson([idoc]))).toEqual([idoc]);
  });

  it('reports every shape problem with a JSON pointer', () => {
    const bad = {
      control: { IDOCTYP: 'DELVRY07', MESTYPE: 'DESADV', DOCNUM: 4711 },
      segments: [
        { type: 'E1EDL20', fields: { VBELN: 80000001 }, children: [{ type: '', fields: {}, children: [] }] },
        { type: 'E1EDL24', fields: {}, children: 'none' },
        { type: 'E1EDL24', field: {}, children: [] },
      ],
    };
    const e = thrown(() => fromJson(bad));
    expect(e.code).toBe('PAYLOAD_INVALID');
    const paths = e.issues.map((i) => i.path).sort();
    expect(paths).toEqual(
      [
        '/control/DOCNUM',
        '/control/MESTYPE',
        '/segments/0/fields/VBELN',
        '/segments/0/children/0/type',
        '/segments/1/children',
        '/segments/2/field',
        '/segments/2/fields',
      ].sort(),
    );
    expect(e.issues.every((i) => i.code === 'JSON_SHAPE' && i.severity === 'error')).toBe(true);
  });

  it('reports paths inside an array of IDocs', () => {
    const e = thrown(() =>
      fromJson([delvry, { control: {}, segments: [{ type: 'X', fields: [], children: [] }] }]),
    );
    expect(e.issues.map((i) => i.path)).toEqual(['/1/segments/0/fields']);
  });

  it('refuses non-JSON, scalars and absurd nesting', () => {
    expect(thrown(() => parseJson('{"control":')).code).toBe('PAYLOAD_INVALID');
    expect(thrown(() => fromJson('DELVRY07')).issues[0]!.path).toBe('/');
    let seg: Segment = { type: 'Z1DEEP', fields: {}, children: [] };
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) seg = { type: 'Z1DEEP', fields: {}, children: [seg] };
    expect(thrown(() => fromJson({ control: {}, segments: [seg] })).code).toBe('IDOC_TOO_LARGE');
  });
});

describe('writeIdocs / convertIdocs', () => {
  it('keeps the layout within a format and drops it across formats', () => {
    const flat = writeFlat([delvry], registry, { padding: 'full', lineEnding: '\r\n' });
    expect(convertIdocs(flat, 'flat', registry).output).toBe(flat);
    const viaJson = convertIdocs(flat, 'json', registry);
    expect(viaJson.format).toBe('flat');
    const back = convertIdocs(viaJson.output, 'flat', registry).output;
    expect(back).toBe(writeFlat([delvry], registry));
    const xml = writeXml([delvry], { root: 'ZDELVRY07' });
    expect(convertIdocs(xml, 'xml', registry).output).toBe(xml);
    expect(convertIdocs(xml, 'json', registry).output).toBe(writeJson([delvry]));
  });

  it('refuses to write nothing except as JSON', () => {
    expect(thrown(() => writeIdocs([], 'flat', registry)).code).toBe('IDOC_EMPTY_INPUT');
    expect(writeIdocs([], 'json', registry)).toBe('[]\n');
  });

  it('passes writer errors through (a value too long for its flat field)', () => {
    const idoc: Idoc = {
      control: { ...delvry.control },
      segments: [{ type: 'E1EDL20', fields: { VBELN: '0080000001', INCO1: 'Lempira' }, children: [] }],
    };
    const e = thrown(() => writeIdocs([idoc], 'flat', registry));
    expect(e.code).toBe('IDOC_VALUE_TOO_LONG');
    expect(e.issues.map((i) => i.path)).toEqual(['idoc[0]/E1EDL20[0].INCO1']);
  });
});
