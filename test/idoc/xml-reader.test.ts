import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/errors.js';
import { IdocgateError } from '../../src/errors.js';
import { parseXml } from '../../src/idoc/xml-reader.js';

const DC = '<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><IDOCTYP>DELVRY07</IDOCTYP></EDI_DC40>';
const doc = (inner: string, root = 'DELVRY07') => `<${root}><IDOC BEGIN="1">${DC}${inner}</IDOC></${root}>`;

function failure(input: string | Uint8Array, opts?: Parameters<typeof parseXml>[1]): IdocgateError {
  try {
    parseXml(input, opts);
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected parseXml to throw');
}

function expectCode(input: string | Uint8Array, code: ErrorCode, message?: RegExp): void {
  const err = failure(input);
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
}

describe('parseXml: structure', () => {
  it('builds segments, fields and children in document order', () => {
    const { idocs, issues } = parseXml(
      doc(
        '<E1EDL20 SEGMENT="1"><VBELN>0080001234</VBELN><E1EDL24 SEGMENT="1"><POSNR>000010</POSNR>' +
          '<E1EDL11 SEGMENT="1"><SERNR>SN1</SERNR></E1EDL11><E1EDL11 SEGMENT="1"><SERNR>SN2</SERNR></E1EDL11>' +
          '</E1EDL24><VSTEL>1000</VSTEL></E1EDL20>',
      ),
    );
    expect(issues).toEqual([]);
    expect(idocs).toEqual([
      {
        control: { TABNAM: 'EDI_DC40', IDOCTYP: 'DELVRY07' },
        xml: { root: 'DELVRY07' },
        segments: [
          {
            type: 'E1EDL20',
            fields: { VBELN: '0080001234', VSTEL: '1000' },
            children: [
              {
                type: 'E1EDL24',
                fields: { POSNR: '000010' },
                children: [
                  { type: 'E1EDL11', fields: { SERNR: 'SN1' }, children: [] },
                  { type: 'E1EDL11', fields: { SERNR: 'SN2' }, children: [] },
                ],
              },
            ],
          },
        ],
      },
    ]);
  });

  it('reads several IDocs in one document', () => {
    const one = `<IDOC BEGIN="1">${DC}<E1EDL20 SEGMENT="1"><VBELN>1</VBELN></E1EDL20></IDOC>`;
    const { idocs } = parseXml(`<DELVRY07>${one}${one.replace('>1<', '>2<')}</DELVRY07>`);
    expect(idocs.map((d) => d.segments[0]!.fields.VBELN)).toEqual(['1', '2']);
  });

  it('keeps blanks, decodes entities and references, joins text and CDATA', () => {
    const { idocs } = parseXml(
      doc(
        '<E1EDL20 SEGMENT="1"><A>  5.000 </A><B>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;</B>' +
          '<C>x<![CDATA[<raw> & ]]>y</C><D/><E></E><F>line1\r\nline2</F></E1EDL20>',
      ),
    );
    expect(idocs[0]!.segments[0]!.fields).toEqual({
      A: '  5.000 ',
      B: `a & b <c> "d" 'e' AB`,
      C: 'x<raw> & y',
      D: '',
      E: '',
      F: 'line1\nline2',
    });
  });

  it('maps namespaced XML names to SAP names', () => {
    const { idocs } = parseXml(
      '<_-DSD_-ROUTEACCOUNT_CORDER002><IDOC BEGIN="1">' +
        DC.replace('DELVRY07', '/DSD/ROUTEACCOUNT_CORDER002') +
        '<_-SPE_-E1BP2017_GM_REF_EWM SEGMENT="1"><_-SPE_-FIELD>x</_-SPE_-FIELD></_-SPE_-E1BP2017_GM_REF_EWM></IDOC></_-DSD_-ROUTEACCOUNT_CORDER002>',
    );
    expect(idocs[0]!.xml).toEqual({ root: '_-DSD_-ROUTEACCOUNT_CORDER002' });
    expect(idocs[0]!.segments[0]).toEqual({
      type: '/SPE/E1BP2017_GM_REF_EWM',
      fields: { '/SPE/FIELD': 'x' },
      children: [],
    });
  });

  it('matches prefixed names on their local part and records the namespace', () => {
    const { idocs } = parseXml(
      '<p:DELVRY07 xmlns:p="urn:sap-com:document:sap:idoc:soap:messages"><p:IDOC BEGIN="1"><p:EDI_DC40 SEGMENT="1">' +
        '<p:IDOCTYP>DELVRY07</p:IDOCTYP></p:EDI_DC40><p:E1EDL20 SEGMENT="1"><p:VBELN>1</p:VBELN></p:E1EDL20></p:IDOC></p:DELVRY07>',
    );
    expect(idocs[0]!.xml).toEqual({
      root: 'DELVRY07',
      namespace: 'urn:sap-com:document:sap:idoc:soap:messages',
    });
    expect(idocs[0]!.segments[0]!.fields).toEqual({ VBELN: '1' });
  });

  it('reads the extension name as root without a warning, anything else with one', () => {
    const ext = parseXml(
      `<ZDELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><IDOCTYP>DELVRY07</IDOCTYP><CIMTYP>ZDELVRY07</CIMTYP></EDI_DC40></IDOC></ZDELVRY07>`,
    );
    expect(ext.issues).toEqual([]);
    const odd = parseXml(doc('', 'SOMETHING'));
    expect(odd.issues[0]).toMatchObject({
      code: 'XML_ROOT_NAME_MISMATCH',
      severity: 'warning',
      path: 'idoc[0]',
    });
  });

  it('reports oddities as warnings with positions instead of failing', () => {
    const { idocs, issues } = parseXml(
      '<DELVRY07>\n<IDOC BEGIN="1">' +
        DC.replace('</EDI_DC40>', '<NOPE>1</NOPE></EDI_DC40>') +
        '<E1EDL20 SEGMENT="1"><VBELN>1</VBELN><VBELN>2</VBELN>stray<E1EDL24><POSNR>10</POSNR></E1EDL24></E1EDL20>' +
        '</IDOC>\n<OTHER/></DELVRY07>',
    );
    expect(issues.map((i) => i.code)).toEqual([
      'XML_UNKNOWN_CONTROL_FIELD',
      'XML_DUPLICATE_FIELD',
      'XML_UNEXPECTED_TEXT',
      'XML_SEGMENT_ATTRIBUTE_MISSING',
      'XML_UNEXPECTED_ELEMENT',
    ]);
    expect(issues[0]!.details).toMatchObject({ line: 2 });
    expect(idocs[0]!.segments[0]!.fields.VBELN).toBe('2');
    expect(idocs[0]!.segments[0]!.children[0]).toEqual({
      type: 'E1EDL24',
      fields: { POSNR: '10' },
      children: [],
    });
  });

  it('ignores comments and processing instructions', () => {
    const { idocs } = parseXml(
      `<?xml version="1.0"?><!-- a --><?pi x?>${doc('<!-- b --><E1EDL20 SEGMENT="1"><?pi?><VBELN>1<!--c-->2</VBELN></E1EDL20>')}<!-- end -->`,
    );
    expect(idocs[0]!.segments[0]!.fields.VBELN).toBe('12');
  });
});

describe('parseXml: encodings', () => {
  const body = doc('<E1EDL20 SEGMENT="1"><INCO2>Müller ř €</INCO2></E1EDL20>');
  const value = (input: string | Uint8Array) => parseXml(input).idocs[0]!.segments[0]!.fields.INCO2;

  it('decodes UTF-8 bytes by default and strips a BOM', () => {
    expect(value(new TextEncoder().encode(body))).toBe('Müller ř €');
    expect(value(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]))).toBe('Müller ř €');
    expect(value(`\uFEFF${body}`)).toBe('Müller ř €');
  });

  it('decodes ISO-8859-1 bytes per the declaration', () => {
    const text = `<?xml version="1.0" encoding="iso-8859-1"?>${doc('<E1EDL20 SEGMENT="1"><INCO2>Müller</INCO2></E1EDL20>')}`;
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expect(value(bytes)).toBe('Müller');
  });

  it('decodes UTF-16 with a BOM', () => {
    const le = new Uint8Array(2 + body.length * 2);
    le[0] = 0xff;
    le[1] = 0xfe;
    for (let i = 0; i < body.length; i++) {
      le[2 + i * 2] = body.charCodeAt(i) & 0xff;
      le[3 + i * 2] = body.charCodeAt(i) >> 8;
    }
    expect(value(le)).toBe('Müller ř €');
  });

  it('names the byte of invalid UTF-8 and rejects unknown encodings', () => {
    const bad = new Uint8Array([
      ...new TextEncoder().encode('<A>'),
      0xc3,
      0x28,
      ...new TextEncoder().encode('</A>'),
    ]);
    expect(failure(bad).message).toMatch(/not valid utf-8 at byte 3/);
    expectCode(
      new TextEncoder().encode('<?xml version="1.0" encoding="x-nonsense"?><A/>'),
      'IDOC_NOT_WELL_FORMED_XML',
      /Unsupported XML encoding "x-nonsense"/,
    );
  });
});

describe('parseXml: errors', () => {
  it.each([
    ['<A><B></A></B>', /end tag <\/A> does not match start tag <B>/],
    ['<A>', /truncated/],
    ['<A></A><B/>', /second root/],
    ['text<A/>', /text before the root/],
    ['<A a="1" a="2"/>', /attribute a repeated/],
    ['<A a=1/>', /must be quoted/],
    ['<A>&nbsp;</A>', /undeclared entity &nbsp;/],
    ['<A>a & b</A>', /'&' must start/],
    ['<A>&#0;</A>', /not an XML character/],
    ['<A>]]></A>', /']]>' is not allowed/],
    ['<A>\u0001</A>', /U\+0001 is not allowed/],
    ['<A>\uD800</A>', /U\+D800/],
    ['<A><!-- a -- b --></A>', /'--' is not allowed/],
    ['<A><?xml version="1.0"?></A>', /only allowed at the very start/],
    ['<1A/>', /must start a tag/],
    ['<?xml version="2.0"?><A/>', /malformed XML declaration/],
  ])('%j is not well-formed', (input, message) => {
    expectCode(input, 'IDOC_NOT_WELL_FORMED_XML', message);
  });

  it('gives line and column', () => {
    expect(failure('<A>\n  <B>\n  </C>\n</A>').message).toMatch(/line 3, column 3/);
  });

  it('refuses DOCTYPE and entity declarations (no entity expansion)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expectCode(bomb, 'IDOC_XML_DTD_FORBIDDEN', /line 1, column 22/);
    expectCode('<!DOCTYPE DELVRY07 SYSTEM "file:///etc/passwd"><DELVRY07/>', 'IDOC_XML_DTD_FORBIDDEN');
  });

  it('names documents that are no IDoc-XML', () => {
    expectCode(
      '<DELVRY03></DELVRY03>',
      'IDOC_NO_IDOC_ELEMENT',
      /No <IDOC> element under the root element <DELVRY03>/,
    );
    expectCode(`<IDOC BEGIN="1">${DC}</IDOC>`, 'IDOC_NO_IDOC_ELEMENT', /root element is <IDOC>/);
    expectCode(
      '<DELVRY07><IDOC BEGIN="1"><E1EDL20 SEGMENT="1"/></IDOC></DELVRY07>',
      'IDOC_NO_CONTROL_RECORD',
    );
    expectCode(
      '<idoc:Document xmlns:idoc="http://sap.fusesource.org/idoc" iDocType="DELVRY03"/>',
      'IDOC_FOREIGN_FORMAT',
      /camel-sap/,
    );
    expectCode(
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
      'IDOC_FOREIGN_FORMAT',
      /SOAP envelope/,
    );
    expectCode('  \n ', 'IDOC_EMPTY_INPUT');
    expectCode(new Uint8Array(0), 'IDOC_EMPTY_INPUT');
  });

  it('fails fast on deep nesting, many elements and big input', () => {
    const deep = '<A>'.repeat(100_000) + '</A>'.repeat(100_000);
    const err = failure(deep);
    expect(err.code).toBe('IDOC_TOO_LARGE');
    expect(err.message).toMatch(/deeper than 64 levels/);
    expect(failure('<A>' + '<B/>'.repeat(200) + '</A>', { limits: { maxElements: 100 } }).message).toMatch(
      /more than 100 elements/,
    );
    expect(failure(doc(''), { limits: { maxBytes: 20 } }).code).toBe('IDOC_TOO_LARGE');
    expect(failure(new TextEncoder().encode(doc('')), { limits: { maxBytes: 20 } }).message).toMatch(/bytes/);
    // root > IDOC > EDI_DC40 > TABNAM is 4 levels deep.
    expect(parseXml(doc(''), { limits: { maxDepth: 4 } }).idocs).toHaveLength(1);
    expect(failure(doc(''), { limits: { maxDepth: 3 } }).code).toBe('IDOC_TOO_LARGE');
  });
});
