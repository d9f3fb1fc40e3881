import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import type { Idoc } from '../../src/idoc/model.js';
import { parseXml } from '../../src/idoc/xml-reader.js';
import { writeXml } from '../../src/idoc/xml-writer.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/xml');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');
const model = (name: string) => JSON.parse(fixture(name)) as Idoc;

function failure(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

const minimal: Idoc = {
  control: { IDOCTYP: 'DELVRY07', MESTYP: 'DESADV' },
  segments: [{ type: 'E1EDL20', fields: { VBELN: '1' }, children: [] }],
};

describe('writeXml golden files', () => {
  for (const name of ['delvry07-serials', 'mbgmcr03-serials']) {
    it(`writes ${name} exactly and reads it back to the same model`, () => {
      const m = model(`${name}.model.json`);
      const golden = fixture(`${name}.xml`);
      expect(writeXml(m)).toBe(golden);
      const back = parseXml(golden).idocs[0]!;
      const { xml, ...rest } = back;
      expect(rest).toEqual(m);
      expect(xml).toEqual({ root: m.control.IDOCTYP });
    });
  }

  it('the DELVRY07 golden file has serial numbers under the items', () => {
    const d = parseXml(fixture('delvry07-serials.xml')).idocs[0]!;
    const items = d.segments[0]!.children.filter((s) => s.type === 'E1EDL24');
    expect(items.map((i) => i.children.map((s) => s.fields.SERNR))).toEqual([
      ['SN-P100-0001', 'SN-P100-0002', 'SN-P100-0003'],
      ['SN-S7-0001', 'SN-S7-0002'],
    ]);
  });
});

describe('writeXml', () => {
  it('names the root after CIMTYP, else IDOCTYP, else the root read', () => {
    expect(writeXml(minimal)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<DELVRY07>\n/);
    expect(writeXml({ ...minimal, control: { ...minimal.control, CIMTYP: 'ZDELVRY07' } })).toContain(
      '<ZDELVRY07>',
    );
    expect(writeXml({ ...minimal, xml: { root: 'ZIM_LOISMO' } })).toContain('<ZIM_LOISMO>');
    expect(writeXml(minimal, { root: '/DSD/X' })).toContain('<_-DSD_-X>');
    expect(failure(() => writeXml({ control: {}, segments: [] })).code).toBe('IDOC_INVALID');
  });

  it('adds TABNAM EDI_DC40 first for IDocs not read from XML', () => {
    expect(writeXml(minimal, { indent: 0, declaration: false })).toBe(
      '<DELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><IDOCTYP>DELVRY07</IDOCTYP>' +
        '<MESTYP>DESADV</MESTYP></EDI_DC40><E1EDL20 SEGMENT="1"><VBELN>1</VBELN></E1EDL20></IDOC></DELVRY07>',
    );
  });

  it('writes several IDocs, namespace, encoding and indentation as asked', () => {
    const xml = writeXml([minimal, minimal], {
      indent: 4,
      encoding: 'ISO-8859-1',
      namespace: 'urn:sap-com:document:sap:idoc:soap:messages',
    });
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="ISO-8859-1"\?>\n<DELVRY07 xmlns="urn:sap-com:document:sap:idoc:soap:messages">\n {4}<IDOC BEGIN="1">\n {8}<EDI_DC40/,
    );
    expect(parseXml(xml).idocs).toHaveLength(2);
    expect(writeXml(minimal, { declaration: false })).toMatch(/^<DELVRY07>/);
    expect(
      writeXml({ ...minimal, xml: { root: 'DELVRY07', namespace: 'urn:x' } }, { namespace: null }),
    ).toContain('<DELVRY07>');
  });

  it('escapes markup, keeps blanks and CR, and writes empty values and segments', () => {
    const idoc: Idoc = {
      control: { IDOCTYP: 'DELVRY07' },
      segments: [
        {
          type: 'E1EDL20',
          fields: { A: `a&b<c>"d"'e'`, B: '  1.000 ', C: '', D: 'x\r\ny\tz', E: 'ü € 😀' },
          children: [{ type: 'E1EDL22', fields: {}, children: [] }],
        },
      ],
    };
    const xml = writeXml(idoc, { indent: 0 });
    expect(xml).toContain(
      '<A>a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;</A><B>  1.000 </B><C/><D>x&#13;\ny\tz</D>',
    );
    expect(xml).toContain('<E1EDL22 SEGMENT="1"></E1EDL22>');
    const { xml: _hints, ...back } = parseXml(xml).idocs[0]!;
    expect(back).toEqual({ ...idoc, control: { TABNAM: 'EDI_DC40', IDOCTYP: 'DELVRY07' } });
  });

  it('writes characters beyond a declared 8-bit encoding as references', () => {
    const idoc: Idoc = {
      control: { IDOCTYP: 'X' },
      segments: [{ type: 'S', fields: { A: 'ü € 😀' }, children: [] }],
    };
    expect(writeXml(idoc, { encoding: 'ISO-8859-1' })).toContain('<A>ü &#x20AC; &#x1F600;</A>');
    expect(writeXml(idoc, { encoding: 'US-ASCII' })).toContain('<A>&#xFC; &#x20AC; &#x1F600;</A>');
  });

  it('refuses what XML 1.0 cannot carry', () => {
    const bad = (v: string): Idoc => ({
      control: { IDOCTYP: 'X' },
      segments: [{ type: 'S', fields: { F: v }, children: [] }],
    });
    const err = failure(() => writeXml(bad('a\u0001b')));
    expect(err.code).toBe('IDOC_XML_UNREPRESENTABLE');
    expect(err.message).toMatch(/idoc\[0\]\/S\[0\]\.F contains U\+0001/);
    expect(failure(() => writeXml(bad('\uDC00'))).code).toBe('IDOC_XML_UNREPRESENTABLE');
    expect(failure(() => writeXml(bad('\uFFFF'))).code).toBe('IDOC_XML_UNREPRESENTABLE');
    const badName: Idoc = {
      control: { IDOCTYP: 'X' },
      segments: [{ type: 'S', fields: { 'A B': '1' }, children: [] }],
    };
    expect(failure(() => writeXml(badName)).message).toMatch(
      /"A B" at idoc\[0\]\/S\[0\] is not a valid XML name/,
    );
  });

  it('refuses segments that only have raw SDATA, naming them', () => {
    const flat: Idoc = {
      control: { IDOCTYP: 'DELVRY07' },
      segments: [
        {
          type: 'E1EDL20',
          fields: { VBELN: '1' },
          children: [{ type: 'Z1UNKNOWN', fields: {}, sdata: 'ABC   123', children: [] }],
        },
      ],
    };
    const err = failure(() => writeXml(flat));
    expect(err.code).toBe('IDOC_NO_DEFINITION_FOR_SEGMENT');
    expect(err.message).toContain('Z1UNKNOWN (idoc[0]/E1EDL20[0]/Z1UNKNOWN[0])');
  });
});
