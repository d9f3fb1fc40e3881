import { describe, expect, it } from 'vitest';
import { DefinitionRegistry } from '../../src/definitions/registry.js';
import type { IdocDefinition } from '../../src/definitions/types.js';
import type { Issue } from '../../src/errors.js';
import type { ControlRecord, Idoc, Segment } from '../../src/idoc/model.js';
import { validateIdoc, validateIdocs } from '../../src/idoc/validate.js';

/** A small definition exercising every data type the validator checks. */
const ZTEST01: IdocDefinition = {
  basicType: 'ZTEST01',
  messageTypes: { ZTEST: 'test' },
  segments: [
    {
      type: 'E1HEAD',
      parent: null,
      min: 1,
      max: 1,
      level: 2,
      versions: [{ name: 'E2HEAD001', fieldCount: 4 }],
      fields: [
        { name: 'DOCNO', offset: 0, length: 10, dataType: 'CHAR' },
        { name: 'DOCDAT', offset: 10, length: 8, dataType: 'DATS' },
        { name: 'DOCTIM', offset: 18, length: 6, dataType: 'TIMS' },
        { name: 'COUNT', offset: 24, length: 5, dataType: 'NUMC' },
      ],
    },
    {
      type: 'E1ITEM',
      parent: 'E1HEAD',
      min: 1,
      max: 3,
      level: 3,
      versions: [{ name: 'E2ITEM002', fieldCount: 4 }],
      fields: [
        { name: 'POSNR', offset: 0, length: 6, dataType: 'NUMC' },
        { name: 'MENGE', offset: 6, length: 15, dataType: 'QUAN' },
        { name: 'PRICE', offset: 21, length: 12, dataType: 'DEC' },
        { name: 'ROW', offset: 33, length: 11, dataType: 'INT4' },
      ],
    },
    {
      type: 'E1SERIAL',
      parent: 'E1ITEM',
      min: 0,
      max: null,
      level: 4,
      versions: [{ name: 'E2SERIAL', fieldCount: 1 }],
      fields: [{ name: 'SERNR', offset: 0, length: 18, dataType: 'CHAR' }],
    },
    {
      type: 'E1TRAILER',
      parent: null,
      min: 0,
      max: 1,
      level: 1,
      versions: [{ name: 'E2TRAILER000', fieldCount: 1 }],
      fields: [{ name: 'TOTAL', offset: 0, length: 6, dataType: 'CHAR' }],
    },
  ],
};

const ZTEST01_EXT: IdocDefinition = {
  ...ZTEST01,
  extension: 'ZTEST01X',
  segments: [
    ...ZTEST01.segments,
    {
      type: 'Z1ITEMX',
      parent: 'E1ITEM',
      min: 0,
      max: 1,
      level: 4,
      versions: [{ name: 'Z2ITEMX000', fieldCount: 1 }],
      fields: [{ name: 'ZFIELD', offset: 0, length: 5, dataType: 'CHAR' }],
    },
  ],
};

const registry = new DefinitionRegistry([ZTEST01, ZTEST01_EXT]);

function seg(type: string, fields: Record<string, string> = {}, children: Segment[] = []): Segment {
  return { type, fields, children };
}

function control(over: ControlRecord = {}): ControlRecord {
  return {
    TABNAM: 'EDI_DC40',
    DOCNUM: '0000000000000042',
    DIRECT: '1',
    IDOCTYP: 'ZTEST01',
    MESTYP: 'ZTEST',
    ...over,
  };
}

function validIdoc(): Idoc {
  return {
    control: control(),
    segments: [
      seg('E1HEAD', { DOCNO: 'A1', DOCDAT: '20240229', DOCTIM: '235959', COUNT: '00002' }, [
        seg('E1ITEM', { POSNR: '000010', MENGE: '       5.000', PRICE: '12.50-', ROW: '7' }, [
          seg('E1SERIAL', { SERNR: 'SN1' }),
          seg('E1SERIAL', { SERNR: 'SN2' }),
        ]),
        seg('E1ITEM', { POSNR: '000020', MENGE: '1' }),
      ]),
    ],
  };
}

function codes(issues: readonly Issue[]): string[] {
  return issues.map((i) => i.code);
}

describe('validateIdoc', () => {
  it('accepts a valid IDoc', () => {
    const idoc = validIdoc();
    expect(validateIdoc(idoc, registry)).toEqual([]);
  });

  it('IDOC_TYPE_UNKNOWN: no segment checks, but the control record is still checked', () => {
    const idoc = validIdoc();
    idoc.control = control({ IDOCTYP: 'NOPE01', MESTYP: '', SNDPRN: 'A_PARTNER_NAME_TOO_LONG' });
    idoc.segments.push(seg('WHATEVER'));
    const issues = validateIdoc(idoc, registry, { index: 4 });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['CONTROL_FIELD_MISSING', 'idoc[4]/EDI_DC40.MESTYP'],
      ['CONTROL_VALUE_TOO_LONG', 'idoc[4]/EDI_DC40.SNDPRN'],
      ['IDOC_TYPE_UNKNOWN', 'idoc[4]'],
    ]);
    expect(issues[2]).toMatchObject({
      code: 'IDOC_TYPE_UNKNOWN',
      severity: 'error',
      path: 'idoc[4]',
      details: { idoc: 4, docnum: '0000000000000042', idoctyp: 'NOPE01' },
    });
  });

  it('IDOC_TYPE_UNKNOWN alone when the control record is fine', () => {
    const idoc = validIdoc();
    idoc.control = control({ IDOCTYP: 'NOPE01' });
    expect(validateIdoc(idoc, registry).map((i) => i.code)).toEqual(['IDOC_TYPE_UNKNOWN']);
  });

  it('SEGMENT_UNKNOWN: base segment error, customer segment warning without extension definition', () => {
    const idoc = validIdoc();
    idoc.segments[0]!.children[0]!.children.push(seg('Z1ITEMX', { ZFIELD: 'x' }));
    idoc.segments[0]!.children.push(seg('E1BOGUS', {}, [seg('E1ITEM')]));
    const issues = validateIdoc(idoc, registry);
    expect(issues.map((i) => [i.code, i.severity, i.path, i.details?.['segnum']])).toEqual([
      ['SEGMENT_UNKNOWN', 'warning', 'idoc[0]/E1HEAD[0]/E1ITEM[0]/Z1ITEMX[0]', 5],
      ['SEGMENT_UNKNOWN', 'error', 'idoc[0]/E1HEAD[0]/E1BOGUS[0]', 7],
    ]);
  });

  it('with an extension definition, its segments are known and unknown Z segments are errors', () => {
    const idoc = validIdoc();
    idoc.control.CIMTYP = 'ZTEST01X';
    idoc.segments[0]!.children[0]!.children.push(seg('Z1ITEMX', { ZFIELD: 'x' }), seg('Z1OTHER'));
    expect(validateIdoc(idoc, registry).map((i) => [i.code, i.severity])).toEqual([
      ['SEGMENT_UNKNOWN', 'error'],
    ]);
  });

  it('SEGMENT_WRONG_PARENT and occurrence per parent instance', () => {
    const idoc: Idoc = {
      control: control(),
      segments: [
        seg('E1HEAD', { DOCNO: '1' }, [
          seg('E1ITEM', {}, [seg('E1TRAILER')]),
          seg('E1ITEM'),
          seg('E1ITEM'),
          seg('E1ITEM'),
          seg('E1ITEM'),
        ]),
        seg('E1SERIAL'),
        seg('E1HEAD'),
      ],
    };
    const issues = validateIdoc(idoc, registry);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['SEGMENT_WRONG_PARENT', 'idoc[0]/E1HEAD[0]/E1ITEM[0]/E1TRAILER[0]'],
      ['OCCURRENCE_ABOVE_MAX', 'idoc[0]/E1HEAD[0]'],
      ['SEGMENT_WRONG_PARENT', 'idoc[0]/E1SERIAL[0]'],
      ['OCCURRENCE_BELOW_MIN', 'idoc[0]/E1HEAD[1]'],
      ['OCCURRENCE_ABOVE_MAX', 'idoc[0]'],
    ]);
    expect(issues[1]?.details).toMatchObject({
      segment: 'E1ITEM',
      parent: 'E1HEAD',
      count: 5,
      max: 3,
      segnum: 1,
      firstExcessIndex: 3,
    });
    expect(issues[2]?.details).toMatchObject({ expectedParent: 'E1ITEM', segnum: 8 });
    expect(issues[3]?.details).toMatchObject({ segment: 'E1ITEM', count: 0, min: 1, segnum: 9 });
    expect(issues[4]?.details).toMatchObject({
      segment: 'E1HEAD',
      parent: null,
      count: 2,
      max: 1,
      segnum: null,
    });
  });

  it('top-level minimum is checked per IDoc', () => {
    const issues = validateIdoc({ control: control(), segments: [] }, registry);
    expect(issues.map((i) => [i.code, i.path, i.details?.['segment']])).toEqual([
      ['OCCURRENCE_BELOW_MIN', 'idoc[0]', 'E1HEAD'],
    ]);
  });

  it('FIELD_UNKNOWN, VALUE_TOO_LONG and the typed value checks', () => {
    const idoc: Idoc = {
      control: control(),
      segments: [
        seg(
          'E1HEAD',
          { DOCNO: 'ABCDEFGHIJK', DOCDAT: '20230229', DOCTIM: '240000', COUNT: '12a', COLOR: 'red' },
          [
            seg('E1ITEM', { POSNR: ' 10', MENGE: '1,5', PRICE: '-3', ROW: '1.5' }),
            seg('E1ITEM', { POSNR: '{0}', MENGE: '{5}', PRICE: '', ROW: '   ' }),
          ],
        ),
      ],
    };
    const issues = validateIdoc(idoc, registry);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['VALUE_TOO_LONG', 'idoc[0]/E1HEAD[0].DOCNO'],
      ['BAD_DATS', 'idoc[0]/E1HEAD[0].DOCDAT'],
      ['BAD_TIMS', 'idoc[0]/E1HEAD[0].DOCTIM'],
      ['BAD_NUMC', 'idoc[0]/E1HEAD[0].COUNT'],
      ['FIELD_UNKNOWN', 'idoc[0]/E1HEAD[0].COLOR'],
      ['BAD_QUAN', 'idoc[0]/E1HEAD[0]/E1ITEM[0].MENGE'],
      ['BAD_DEC', 'idoc[0]/E1HEAD[0]/E1ITEM[0].PRICE'],
      ['BAD_DEC', 'idoc[0]/E1HEAD[0]/E1ITEM[0].ROW'],
      ['BAD_NUMC', 'idoc[0]/E1HEAD[0]/E1ITEM[1].POSNR'],
      ['BAD_QUAN', 'idoc[0]/E1HEAD[0]/E1ITEM[1].MENGE'],
    ]);
    expect(issues[0]?.details).toEqual({
      idoc: 0,
      docnum: '0000000000000042',
      segnum: 1,
      segment: 'E1HEAD',
      field: 'DOCNO',
      value: 'ABCDEFGHIJK',
      maxLength: 10,
    });
    expect(issues.every((i) => i.severity === 'error')).toBe(true);
  });

  it('counts characters as ABAP does: a character outside the BMP is two', () => {
    const idoc = validIdoc();
    idoc.segments[0]!.fields['DOCNO'] = '😀😀😀😀😀'; // 5 emoji = 10 ABAP characters
    expect(validateIdoc(idoc, registry)).toEqual([]);
    idoc.segments[0]!.fields['DOCNO'] = 'ä😀😀😀😀😀';
    expect(codes(validateIdoc(idoc, registry))).toEqual(['VALUE_TOO_LONG']);
  });

  it('flat hints: DOCNUM_MISMATCH, HLEVEL_MISMATCH, SEGNUM from the file, SEGMENT_RAW_ONLY', () => {
    const flat = (segnum: string, hlevel: string, docnum = '0000000000000042') => ({
      recordLength: 1063,
      segnam: 'E2X',
      mandt: '100',
      docnum,
      segnum,
      psgnum: '000000',
      hlevel,
    });
    const head = seg('E1HEAD', { DOCNO: '1' });
    head.flat = flat('000001', '02');
    const item: Segment = {
      type: 'E1ITEM',
      fields: {},
      children: [],
      sdata: '000010',
      flat: flat('000007', '04', '0000000000000043'),
    };
    head.children.push(item);
    const issues = validateIdoc({ control: control(), segments: [head] }, registry);
    expect(issues.map((i) => [i.code, i.severity, i.details?.['segnum']])).toEqual([
      ['DOCNUM_MISMATCH', 'error', 7],
      ['HLEVEL_MISMATCH', 'warning', 7],
      ['SEGMENT_RAW_ONLY', 'warning', 7],
    ]);
  });

  it('control record: missing fields, DOCNUM only when outbound, over-long values are warnings', () => {
    const base = validIdoc();
    const run = (c: ControlRecord) => validateIdoc({ ...base, control: c }, registry);
    expect(run(control({ MESTYP: '  ', DOCNUM: '' })).map((i) => [i.code, i.path])).toEqual([
      ['CONTROL_FIELD_MISSING', 'idoc[0]/EDI_DC40.MESTYP'],
      ['CONTROL_FIELD_MISSING', 'idoc[0]/EDI_DC40.DOCNUM'],
    ]);
    expect(run(control({ DIRECT: '2', DOCNUM: '' }))).toEqual([]);
    const long = run(control({ DOCREL: '755_IBG' }));
    expect(long.map((i) => [i.code, i.severity, i.details?.['field']])).toEqual([
      ['CONTROL_VALUE_TOO_LONG', 'warning', 'DOCREL'],
    ]);
    const noType = run({ DOCNUM: '1', DIRECT: '1' });
    expect(codes(noType)).toEqual(['CONTROL_FIELD_MISSING', 'CONTROL_FIELD_MISSING']);
  });

  it('MESSAGE_TYPE_UNKNOWN is a warning', () => {
    const idoc = validIdoc();
    idoc.control.MESTYP = 'ZWIM_TEST';
    expect(validateIdoc(idoc, registry).map((i) => [i.code, i.severity])).toEqual([
      ['MESSAGE_TYPE_UNKNOWN', 'warning'],
    ]);
  });

  it('validateIdocs returns the issues of every IDoc with its index', () => {
    const good = validIdoc();
    const bad = validIdoc();
    bad.segments[0]!.fields['DOCDAT'] = '20241301';
    bad.control.DOCNUM = '0000000000000099';
    const issues = validateIdocs([good, bad, good], registry);
    expect(issues.map((i) => [i.code, i.path, i.details?.['idoc'], i.details?.['docnum']])).toEqual([
      ['BAD_DATS', 'idoc[1]/E1HEAD[0].DOCDAT', 1, '0000000000000099'],
    ]);
  });

  it('resolves flat definition names used as segment types', () => {
    const idoc = validIdoc();
    idoc.segments[0]!.type = 'E2HEAD001';
    expect(validateIdoc(idoc, registry)).toEqual([]);
  });
});
