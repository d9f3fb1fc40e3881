import { describe, expect, it } from 'vitest';
import { detectFormat, sniffFormat } from '../../src/idoc/detect.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const withBom = (s: string): Uint8Array => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(s)]);
const utf16le = (s: string, bom: boolean): Uint8Array => {
  const b = Buffer.from(s, 'utf16le');
  return bom ? new Uint8Array([0xff, 0xfe, ...b]) : new Uint8Array(b);
};
const utf16be = (s: string): Uint8Array => {
  const le = Buffer.from(s, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return new Uint8Array([0xfe, 0xff, ...be]);
};

const FLAT = 'EDI_DC40  1000000000000004711758 30122  DELVRY07\n';
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n<DELVRY07><IDOC BEGIN="1"/></DELVRY07>';
const SOAP =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>';

describe('detectFormat', () => {
  it.each([
    ['flat', FLAT, 'flat'],
    ['flat with a Unicode control record name', 'EDI_DC40_U1000000000000004711', 'flat'],
    ['flat after blank lines', '\r\n\n  ' + FLAT, 'flat'],
    ['IDoc-XML', XML, 'xml'],
    ['IDoc-XML without declaration, tab-indented', '\t\n<ZDEBMAS07_SF>\n\t<IDOC BEGIN="1">', 'xml'],
    [
      'IDoc-XML with a default namespace',
      '<DELVRY07 xmlns="urn:sap-com:document:sap:idoc:soap:messages">',
      'xml',
    ],
    ['namespaced XML names', '<_-DSD_-ROUTEACCOUNT_CORDER002>', 'xml'],
    ['SOAP 1.1 envelope', SOAP, 'soap'],
    ['SOAP envelope after a declaration and a comment', `<?xml version="1.0"?><!-- x --> ${SOAP}`, 'soap'],
    [
      'SOAP envelope with a default namespace',
      '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope">',
      'soap',
    ],
    ['XML with a DOCTYPE (the XML reader refuses it)', '<!DOCTYPE x [<!ENTITY a "b">]><x/>', 'xml'],
    ['canonical JSON object', '  {"control":{},"segments":[]}', 'json'],
    ['canonical JSON array', '[{"control":{},"segments":[]}]', 'json'],
    ['empty', '', 'unknown'],
    ['whitespace only', ' \n\t ', 'unknown'],
    ['EDIFACT', "UNA:+.? 'UNB+UNOC:3", 'unknown'],
    ['CSV', 'DOCNUM;VBELN\n1;2', 'unknown'],
  ])('%s', (_label, input, expected) => {
    expect(detectFormat(input)).toBe(expected);
    expect(detectFormat(utf8(input))).toBe(expected);
  });

  it('skips byte order marks (UTF-8, UTF-16 LE/BE) and reads UTF-16 XML without one', () => {
    expect(detectFormat(withBom(FLAT))).toBe('flat');
    expect(detectFormat('\uFEFF' + XML)).toBe('xml');
    expect(detectFormat(withBom('{"control":{}}'))).toBe('json');
    expect(detectFormat(utf16le(SOAP, true))).toBe('soap');
    expect(detectFormat(utf16be(XML))).toBe('xml');
    expect(detectFormat(utf16le('<DELVRY07>', false))).toBe('xml');
  });

  it('names the root element and explains unknown input', () => {
    expect(sniffFormat(XML)).toMatchObject({ format: 'xml', root: 'DELVRY07' });
    expect(sniffFormat(SOAP)).toMatchObject({ format: 'soap', root: 'soapenv:Envelope' });
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    const d = sniffFormat(zip);
    expect(d.format).toBe('unknown');
    expect(d.reason).toBe('starts with "PK\\x03\\x04\\x14\\x00"');
    expect(sniffFormat('  ').reason).toMatch(/empty/);
  });

  it('looks only at the start: a huge input is not decoded as a whole', () => {
    const big = new Uint8Array(50_000_000);
    big.set(utf8(FLAT));
    expect(detectFormat(big)).toBe('flat');
  });
});

describe('detectFormat on broken markup', () => {
  it('calls text followed by tags XML (so the XML reader reports where it breaks), binary junk unknown', () => {
    expect(detectFormat('xml version="1.0" ?>\n- <ORDERS01>\n- <IDOC>')).toBe('xml');
    expect(detectFormat(new Uint8Array([0x01, 0x02, 0x3c, 0x41]))).toBe('unknown');
    expect(detectFormat("UNA:+.? 'UNB+UNOC:3+X'")).toBe('unknown');
  });
});
