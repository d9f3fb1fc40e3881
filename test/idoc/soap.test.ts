import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import type { Idoc } from '../../src/idoc/model.js';
import {
  IDOC_SOAP_NAMESPACE,
  parseSoap,
  soapContentType,
  soapFaultHttpStatus,
  writeSoap,
  writeSoapFault,
  writeSoapResponse,
} from '../../src/idoc/soap.js';
import { parseXml } from '../../src/idoc/xml-reader.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/xml');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), 'utf8');
const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const S12 = 'http://www.w3.org/2003/05/soap-envelope';
const DC = (arckey = '') =>
  `<EDI_DC40 SEGMENT="1"><IDOCTYP>DELVRY07</IDOCTYP>${arckey ? `<ARCKEY>${arckey}</ARCKEY>` : ''}</EDI_DC40>`;
const MSGID = 'urn:sap.com:msgid=0004AC1D9437ABE8B888385A1202C905';

function failure(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

describe('writeSoap / parseSoap', () => {
  const model = JSON.parse(fixture('delvry07-serials.model.json')) as Idoc;

  it('writes the golden SOAP request and reads it back', () => {
    const soap = writeSoap(model, { messageId: '6045bd96453b1fd0afbec32670d20000' });
    expect(soap).toBe(fixture('delvry07-soap-request.xml'));
    const r = parseSoap(soap);
    expect(r.soapVersion).toBe('1.1');
    expect(r.issues).toEqual([]);
    expect(r.messageIds).toEqual(['6045BD96453B1FD0AFBEC32670D20000']);
    const { xml, control, ...rest } = r.idocs[0]!;
    expect(xml).toEqual({ root: 'DELVRY07', namespace: IDOC_SOAP_NAMESPACE });
    expect(rest.segments).toEqual(model.segments);
    // ARCKEY is added in SAP field order (before SERIAL), the rest is unchanged.
    expect(Object.keys(control).slice(-2)).toEqual(['ARCKEY', 'SERIAL']);
    expect({ ...control, ARCKEY: undefined }).toEqual({ ...model.control, ARCKEY: undefined });
    expect(model.control.ARCKEY).toBeUndefined(); // input not changed
  });

  it('generates a message id only when ARCKEY is blank, via the injected generator', () => {
    const ids = ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'];
    const soap = writeSoap(model, { soapVersion: '1.2', newMessageId: () => ids.shift()! });
    expect(soap).toContain(`<soap:Envelope xmlns:soap="${S12}">`);
    expect(parseSoap(soap).messageIds).toEqual(['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    const kept = writeSoap(
      { ...model, control: { ...model.control, ARCKEY: MSGID } },
      { newMessageId: () => 'x' },
    );
    expect(kept).toContain(`<ARCKEY>${MSGID}</ARCKEY>`);
    expect(parseSoap(writeSoap(model)).messageIds[0]).toMatch(/^[0-9A-F]{32}$/);
    expect(() => writeSoap(model, { messageId: 'not-hex' })).toThrow(RangeError);
  });

  it('reads envelopes with prefixes declared on the Envelope, SOAP 1.2 and a Header', () => {
    const xml =
      `<env:Envelope xmlns:env="${S12}" xmlns:urn="${IDOC_SOAP_NAMESPACE}"><env:Header><wsa:MessageID xmlns:wsa="urn:w">1</wsa:MessageID></env:Header>` +
      `<env:Body><urn:DELVRY07><urn:IDOC BEGIN="1">${DC(MSGID).replace(/<(\/?)([A-Z])/g, '<$1urn:$2')}` +
      `<urn:E1EDL20 SEGMENT="1"><urn:VBELN>42</urn:VBELN></urn:E1EDL20></urn:IDOC></urn:DELVRY07></env:Body></env:Envelope>`;
    const r = parseSoap(xml);
    expect(r.soapVersion).toBe('1.2');
    expect(r.issues).toEqual([]);
    expect(r.idocs[0]!.segments[0]!.fields).toEqual({ VBELN: '42' });
    expect(r.idocs[0]!.xml).toEqual({ root: 'DELVRY07', namespace: IDOC_SOAP_NAMESPACE });
  });

  it('reports SAP rule EA728 as issues: one IDoc per request, message id required', () => {
    const body = `<DELVRY07 xmlns="${IDOC_SOAP_NAMESPACE}"><IDOC BEGIN="1">${DC()}</IDOC><IDOC BEGIN="1">${DC(MSGID)}</IDOC></DELVRY07>`;
    const r = parseSoap(`<s:Envelope xmlns:s="${S11}"><s:Body>${body}</s:Body></s:Envelope>`);
    expect(r.idocs).toHaveLength(2);
    expect(r.issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ['MULTIPLE_IDOCS_NOT_ALLOWED', 'error', undefined],
      ['SOAP_MSGID_INITIAL', 'error', 'idoc[0]/EDI_DC40.ARCKEY'],
    ]);
    // Without the IDoc-SOAP namespace the rules do not apply.
    const plain = body.replace(` xmlns="${IDOC_SOAP_NAMESPACE}"`, '');
    expect(parseSoap(`<s:Envelope xmlns:s="${S11}"><s:Body>${plain}</s:Body></s:Envelope>`).issues).toEqual(
      [],
    );
  });

  it.each([
    ['<DELVRY07/>', /not a SOAP Envelope/],
    ['<s:Envelope xmlns:s="urn:other"><s:Body/></s:Envelope>', /unknown namespace "urn:other"/],
    [`<s:Envelope xmlns:s="${S11}"><s:Body></s:Body></s:Envelope>`, /no Body content/],
    [`<s:Envelope xmlns:s="${S11}"><s:Body/><s:Body/></s:Envelope>`, /two Body elements/],
    [`<s:Envelope xmlns:s="${S11}"><x/></s:Envelope>`, /only Header and Body/],
    [`<s:Envelope xmlns:s="${S11}"><s:Body><s:Fault/></s:Body></s:Envelope>`, /holds a Fault/],
    [`<s:Envelope xmlns:s="${S11}"><s:Body><A/><B/></s:Body></s:Envelope>`, /more than one element/],
  ])('rejects %j', (xml, message) => {
    const err = failure(() => parseSoap(xml));
    expect(err.code).toBe('IDOC_SOAP_FAULT');
    expect(err.message).toMatch(message);
  });

  it('passes IDoc-XML and XML errors through', () => {
    expect(
      failure(() => parseSoap(`<s:Envelope xmlns:s="${S11}"><s:Body><DELVRY07/></s:Body></s:Envelope>`)).code,
    ).toBe('IDOC_NO_IDOC_ELEMENT');
    expect(failure(() => parseSoap(`<s:Envelope xmlns:s="${S11}"><s:Body>`)).code).toBe(
      'IDOC_NOT_WELL_FORMED_XML',
    );
  });
});

describe('SOAP answers', () => {
  it('acknowledges with an empty Body', () => {
    const ok = writeSoapResponse();
    expect(ok).toContain(`<soap:Envelope xmlns:soap="${S11}">`);
    expect(ok).toMatch(/<soap:Body>\s*<\/soap:Body>/);
    expect(parseXmlIsEnvelope(ok)).toBe(true);
    expect(soapContentType('1.1')).toBe('text/xml; charset=utf-8');
    expect(soapContentType('1.2')).toBe('application/soap+xml; charset=utf-8');
  });

  it('writes faults with Client/Server (1.1) or Sender/Receiver (1.2) from the error catalogue', () => {
    const f11 = writeSoapFault('IDOC_NOT_WELL_FORMED_XML', 'bad <xml> & more');
    expect(f11).toContain(
      '<faultcode>soap:Client</faultcode><faultstring>bad &lt;xml&gt; &amp; more</faultstring>',
    );
    expect(f11).toContain('<idocgate:code>IDOC_NOT_WELL_FORMED_XML</idocgate:code>');
    expect(writeSoapFault('REDIS_UNAVAILABLE', 'later')).toContain('<faultcode>soap:Server</faultcode>');
    const f12 = writeSoapFault('IDOC_SOAP_FAULT', 'x', { soapVersion: '1.2' });
    expect(f12).toContain('<soap:Value>soap:Sender</soap:Value>');
    expect(soapFaultHttpStatus('IDOC_SOAP_FAULT', '1.1')).toBe(500);
    expect(soapFaultHttpStatus('IDOC_SOAP_FAULT', '1.2')).toBe(400);
    expect(soapFaultHttpStatus('SOMETHING_ELSE', '1.2')).toBe(500);
    expect(parseXmlIsEnvelope(f12)).toBe(true);
  });
});

/** The answers are well-formed SOAP envelopes (parseXml recognises and refuses them as such). */
function parseXmlIsEnvelope(xml: string): boolean {
  const err = failure(() => parseXml(xml));
  return err.code === 'IDOC_FOREIGN_FORMAT' && /SOAP envelope/.test(err.message);
}
