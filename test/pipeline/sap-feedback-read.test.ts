/**
 * Reading SAP's feedback IDocs (src/pipeline/sap-feedback-read.ts) and what a status code means
 * (src/pipeline/sap-feedback-codes.ts): ALEAUD01 as RBDSTATE writes it (E1ADHDR > E1STATE >
 * E1PRTOB), SYSTAT01 (E1STATS), the older STACOD, SAP's `&` placeholders, a port's own reading.
 * The IDocs are read from IDoc-XML by the real codec, as the gateway reads them.
 */
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { readIdocs } from '../../src/idoc/codec.js';
import { feedbackOutcome } from '../../src/pipeline/sap-feedback-codes.js';
import { documentOf, fillStatusText, readFeedback } from '../../src/pipeline/sap-feedback-read.js';

const definitions = loadDefinitions();

const control = (idoctyp: string, mestyp: string): string =>
  `<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40</TABNAM><DOCNUM>0000000000990001</DOCNUM><DIRECT>1</DIRECT>` +
  `<IDOCTYP>${idoctyp}</IDOCTYP><MESTYP>${mestyp}</MESTYP><SNDPOR>SAPS4H</SNDPOR><SNDPRT>LS</SNDPRT>` +
  `<SNDPRN>S4HCLNT100</SNDPRN><RCVPOR>IDOCGATE</RCVPOR><RCVPRT>LS</RCVPRT><RCVPRN>IDOCGATE</RCVPRN></EDI_DC40>`;

const read = (xml: string) => readFeedback(readIdocs(xml, definitions).idocs[0]!);

describe("reading SAP's feedback", () => {
  it('ALEAUD01: one report per E1STATE, the gateway DOCNUM, SAP message, SAP IDoc number and object', () => {
    const xml =
      `<ALEAUD01><IDOC BEGIN="1">${control('ALEAUD01', 'ALEAUD')}` +
      `<E1ADHDR SEGMENT="1"><MESTYP>MBGMCR</MESTYP><MESTYP_LNG>MBGMCR</MESTYP_LNG>` +
      `<E1STATE SEGMENT="1"><DOCNUM>4711</DOCNUM><STATUS>53</STATUS><STATXT>Document &amp; posted</STATXT>` +
      `<STAPA1>4900000123</STAPA1><STATYP>S</STATYP><STAMID>M7</STAMID><STAMNO>060</STAMNO>` +
      `<E1PRTOB SEGMENT="1"><DOCNUM>900001</DOCNUM><OBJTYPE>BUS2017</OBJTYPE><OBJKEY>49000001232026</OBJKEY></E1PRTOB>` +
      `</E1STATE>` +
      `<E1STATE SEGMENT="1"><DOCNUM>0000000000004712</DOCNUM><STATUS>51</STATUS>` +
      `<STATXT>Deficit of SL Unrestricted-use stock &amp;1 &amp;2</STATXT><STAPA1>short</STAPA1>` +
      `<STAPA1_LNG>4711-long-material</STAPA1_LNG><STAPA2>0001</STAPA2><STATYP>E</STATYP>` +
      `<STAMID>M7</STAMID><STAMNO>021</STAMNO></E1STATE>` +
      `</E1ADHDR></IDOC></ALEAUD01>`;
    const [posted, error, ...rest] = read(xml);
    expect(rest).toEqual([]);
    expect(posted).toMatchObject({
      docnum: '0000000000004711',
      status: '53',
      text: 'Document 4900000123 posted',
      message: { type: 'S', id: 'M7', number: '060' },
      sapDocnum: '0000000000900001',
      messageType: 'MBGMCR',
    });
    expect(documentOf(posted!)).toBe('BUS2017 49000001232026');
    // the _LNG parameter wins over the 20-character one (release 4.0 fields)
    expect(error).toMatchObject({
      docnum: '0000000000004712',
      status: '51',
      text: 'Deficit of SL Unrestricted-use stock 4711-long-material 0001',
      message: { type: 'E', id: 'M7', number: '021' },
    });
    expect(documentOf(error!)).toBeUndefined();
  });

  it('the older STACOD (SAP + class + number) gives the message when STAMID/STAMNO are empty', () => {
    const xml =
      `<ALEAUD01><IDOC BEGIN="1">${control('ALEAUD01', 'ALEAUD')}` +
      `<E1ADHDR SEGMENT="1"><MESTYP>MBGMCR</MESTYP>` +
      `<E1STATE SEGMENT="1"><DOCNUM>4713</DOCNUM><STATUS>51</STATUS><STACOD>SAPM7021</STACOD>` +
      `<STATXT>Deficit</STATXT><STATYP>E</STATYP></E1STATE>` +
      `<E1STATE SEGMENT="1"><DOCNUM>4714</DOCNUM><STATUS>51</STATUS><STACOD>EDI12345</STACOD>` +
      `<STATXT>not an SAP message</STATXT></E1STATE>` +
      `</E1ADHDR></IDOC></ALEAUD01>`;
    const [sap, other] = read(xml);
    expect(sap!.message).toEqual({ type: 'E', id: 'M7', number: '021' });
    expect(other!.message).toBeUndefined();
  });

  it('SYSTAT01: E1STATS with its DOCNUM, ARCKEY and parameters', () => {
    const xml =
      `<SYSTAT01><IDOC BEGIN="1">${control('SYSTAT01', 'STATUS')}` +
      `<E1STATS SEGMENT="1"><TABNAM>EDI_DS40</TABNAM><DOCNUM>4715</DOCNUM><LOGDAT>20261207</LOGDAT>` +
      `<LOGTIM>120000</LOGTIM><STATUS>51</STATUS><STATXT>Material &amp; does not exist</STATXT>` +
      `<STAPA1>4797</STAPA1><ARCKEY>urn:sap.com:msgid=0123456789ABCDEF0123456789ABCDEF</ARCKEY>` +
      `<STATYP>E</STATYP><STAMID>M3</STAMID><STAMNO>305</STAMNO></E1STATS>` +
      `</IDOC></SYSTAT01>`;
    expect(read(xml)).toEqual([
      {
        docnum: '0000000000004715',
        status: '51',
        text: 'Material 4797 does not exist',
        message: { type: 'E', id: 'M3', number: '305' },
        objects: [],
        arckey: 'urn:sap.com:msgid=0123456789ABCDEF0123456789ABCDEF',
      },
    ]);
  });

  it('an entry without DOCNUM or STATUS is no report', () => {
    const xml =
      `<ALEAUD01><IDOC BEGIN="1">${control('ALEAUD01', 'ALEAUD')}` +
      `<E1ADHDR SEGMENT="1"><MESTYP>MBGMCR</MESTYP><E1STATE SEGMENT="1"><STATUS>53</STATUS></E1STATE>` +
      `<E1STATE SEGMENT="1"><DOCNUM>1</DOCNUM></E1STATE></E1ADHDR></IDOC></ALEAUD01>`;
    expect(read(xml)).toEqual([]);
  });

  it("fills SAP's placeholders as ABAP's MESSAGE does: &1..&4 by number, & by position, the rest appended", () => {
    expect(fillStatusText('Stock &2 of &1', ['4711', '0001'])).toBe('Stock 0001 of 4711');
    expect(fillStatusText('& & &', ['a', 'b', 'c'])).toBe('a b c');
    expect(fillStatusText('Document posted', ['4900000123'])).toBe('Document posted 4900000123');
    expect(fillStatusText('Period &1 not open', [])).toBe('Period not open');
  });
});

describe('what a status code means', () => {
  it("53 posted; 51 and SAP's other error codes sap-error; steps and unknown codes progress", () => {
    expect(feedbackOutcome('53')).toBe('posted');
    for (const code of ['51', '52', '56', '60', '63', '65', '68'])
      expect(feedbackOutcome(code)).toBe('sap-error');
    for (const code of ['50', '62', '64', '66', '75']) expect(feedbackOutcome(code)).toBe('progress');
    // an outbound code in a misdirected report is never taken as posted
    expect(feedbackOutcome('03')).toBe('progress');
    expect(feedbackOutcome('12')).toBe('progress');
    expect(feedbackOutcome('3')).toBe('progress');
  });
  it("a port's own reading of a code comes first (ports.<name>.feedback.codes)", () => {
    expect(feedbackOutcome('52', { '52': 'posted' })).toBe('posted');
    expect(feedbackOutcome('53', { '52': 'posted' })).toBe('posted');
  });
});
