/**
 * Small hand-written IDoc payloads for transport tests (transports never encode IDocs, so the
 * tests give them already-encoded bodies). The non-ASCII text checks that bytes arrive unchanged.
 */
import { IDOC_SOAP_NAMESPACE, soapMessageId } from '../../src/transports/sap-soap.js';
import type { OutboundDelivery } from '../../src/transports/types.js';

export function docnumFor(n: number): string {
  return String(n).padStart(16, '0');
}

export function idocXml(n: number, options: { namespace?: string; arckey?: string } = {}): string {
  const ns = options.namespace !== undefined ? ` xmlns="${options.namespace}"` : '';
  const arckey = options.arckey !== undefined ? `<ARCKEY>${options.arckey}</ARCKEY>` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<DELVRY07${ns}><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">` +
    `<TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>${docnumFor(n)}</DOCNUM><DIRECT>2</DIRECT>` +
    `<IDOCTYP>DELVRY07</IDOCTYP><MESTYP>WHSCON</MESTYP><SNDPOR>IDOCGATE</SNDPOR><SNDPRT>LS</SNDPRT>` +
    `<SNDPRN>WMS01</SNDPRN><RCVPOR>SAPQ01</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>Q01CLNT100</RCVPRN>${arckey}` +
    `</EDI_DC40><E1EDL20 SEGMENT="1"><VBELN>0080${String(n).padStart(6, '0')}</VBELN>` +
    `<E1EDL22 SEGMENT="1"><VSTEL_BEZ>Versandstelle Süd – Größe</VSTEL_BEZ></E1EDL22></E1EDL20>` +
    `</IDOC></DELVRY07>`
  );
}

export function xmlDelivery(n: number): OutboundDelivery {
  return {
    body: idocXml(n),
    contentType: 'application/xml',
    messageId: `msg-xml-${n}`,
    docnum: docnumFor(n),
    partner: 'sap-q01',
    control: { DOCNUM: docnumFor(n), MESTYP: 'WHSCON', IDOCTYP: 'DELVRY07' },
  };
}

export function soapDelivery(n: number): OutboundDelivery {
  const messageId = `0f8fad5b-d9cb-469f-a165-70867728${String(n).padStart(4, '0')}`;
  const arckey = soapMessageId(messageId);
  return {
    body: idocXml(n, { namespace: IDOC_SOAP_NAMESPACE, arckey }),
    contentType: 'text/xml',
    messageId,
    arckey,
    docnum: docnumFor(n),
    partner: 'sap-q01',
  };
}

export function jsonDelivery(n: number): OutboundDelivery {
  return {
    body: JSON.stringify({
      type: 'WHSORD',
      delivery: `0080${String(n).padStart(6, '0')}`,
      note: 'Größe – Süd',
      serials: ['SN-1', 'SN-2'],
    }),
    contentType: 'application/json',
    messageId: `msg-json-${n}`,
    partner: 'wms',
  };
}

function place(width: number, fields: readonly (readonly [number, string])[]): string {
  const chars = Array<string>(width).fill(' ');
  for (const [offset, value] of fields) for (let i = 0; i < value.length; i++) chars[offset + i] = value[i]!;
  return chars.join('').trimEnd();
}

/** A flat DELVRY07 with one control record and two data records (trailing blanks trimmed). */
export function flatIdoc(n: number): string {
  const docnum = docnumFor(n);
  const control = place(524, [
    [0, 'EDI_DC40'],
    [10, '100'],
    [13, docnum],
    [35, '2'],
    [39, 'DELVRY07'],
    [99, 'WHSCON'],
    [148, 'IDOCGATE'],
    [158, 'LS'],
    [162, 'WMS01'],
  ]);
  const header = place(1063, [
    [0, 'E2EDL20004'],
    [30, '100'],
    [33, docnum],
    [49, '000001'],
    [55, '000000'],
    [61, '02'],
    [63, `0080${String(n).padStart(6, '0')}`],
    [73, '3010'],
  ]);
  const child = place(1063, [
    [0, 'E2EDL22001'],
    [30, '100'],
    [33, docnum],
    [49, '000002'],
    [55, '000001'],
    [61, '03'],
    [63, 'Versandstelle Süd'],
  ]);
  return `${control}\r\n${header}\r\n${child}\r\n`;
}

export function flatDelivery(n: number): OutboundDelivery {
  return {
    body: flatIdoc(n),
    contentType: 'text/plain',
    messageId: `msg-flat-${n}`,
    docnum: docnumFor(n),
    control: { DOCNUM: docnumFor(n), MESTYP: 'WHSCON' },
  };
}
