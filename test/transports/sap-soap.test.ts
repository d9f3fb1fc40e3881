import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/transports/registry.js';
import { checkSoapDelivery, soapMessageId, wrapInSoapEnvelope } from '../../src/transports/sap-soap.js';
import { classifySoapFault, parseSoapFault } from '../../src/transports/soap-fault.js';
import type { Transport } from '../../src/transports/types.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { steppingClock } from './contract.js';
import { idocXml, soapDelivery } from './payloads.js';

describe('soapMessageId', () => {
  it('keeps the digits of a UUID, hashes anything else, always 32 upper-case hex', () => {
    expect(soapMessageId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(
      'urn:sap.com:msgid=0F8FAD5BD9CB469FA16570867728950E',
    );
    const hashed = soapMessageId('msg-42');
    expect(hashed).toMatch(/^urn:sap\.com:msgid=[0-9A-F]{32}$/);
    expect(soapMessageId('msg-42')).toBe(hashed);
    expect(soapMessageId('msg-43')).not.toBe(hashed);
  });
});

describe('parseSoapFault / classifySoapFault', () => {
  it('reads SOAP 1.1 faults with entities', () => {
    const fault = parseSoapFault(
      '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body><soap-env:Fault>' +
        '<faultcode>soap-env:Server</faultcode><faultstring xml:lang="en">Table &lt;EDIDC&gt; locked</faultstring>' +
        '</soap-env:Fault></soap-env:Body></soap-env:Envelope>',
    );
    expect(fault).toEqual({ code: 'Server', reason: 'Table <EDIDC> locked' });
    expect(classifySoapFault(fault!)).toBe('TRANSPORT_SOAP_FAULT_TRANSIENT');
  });

  it('reads SOAP 1.2 faults', () => {
    const fault = parseSoapFault(
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
        '<env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">bad IDoc</env:Text></env:Reason>' +
        '</env:Fault></env:Body></env:Envelope>',
    );
    expect(fault).toEqual({ code: 'Sender', reason: 'bad IDoc' });
    expect(classifySoapFault(fault!)).toBe('TRANSPORT_SOAP_FAULT');
  });

  it('returns undefined when there is no fault', () => {
    expect(parseSoapFault('<soap-env:Envelope><soap-env:Body/></soap-env:Envelope>')).toBeUndefined();
  });

  it.each([
    ['Server', 'EA728 MULTIPLE_IDOCS_NOT_ALLOWED', 'TRANSPORT_SOAP_FAULT'],
    ['Server', 'SOAP_MSGID_INITIAL', 'TRANSPORT_SOAP_FAULT'],
    ['Server', 'No partner profile found for LS WMS01', 'TRANSPORT_SOAP_FAULT'],
    ['Server', 'internal error', 'TRANSPORT_SOAP_FAULT_TRANSIENT'],
    ['Client', 'No free work process, try again', 'TRANSPORT_SOAP_FAULT_TRANSIENT'],
    ['Client', 'something else', 'TRANSPORT_SOAP_FAULT'],
  ])('%s fault "%s" -> %s', (code, reason, expected) => {
    expect(classifySoapFault({ code, reason })).toBe(expected);
  });
});

describe('checkSoapDelivery', () => {
  it('refuses deliveries without the exactly-once message id or namespace', () => {
    const good = soapDelivery(1);
    expect(() => checkSoapDelivery(good, good.body as string)).not.toThrow();
    const noArckey = { ...good, arckey: undefined } as unknown as typeof good;
    expect(() => checkSoapDelivery(noArckey, good.body as string)).toThrow(/ARCKEY/);
    expect(() =>
      checkSoapDelivery({ ...good, arckey: 'urn:sap.com:msgid=ABC' }, good.body as string),
    ).toThrow(/does not contain ARCKEY/);
    const plain = idocXml(1, { arckey: good.arckey! });
    expect(() => checkSoapDelivery(good, plain)).toThrow(/namespace/);
  });

  it('wraps without the XML declaration', () => {
    const wrapped = wrapInSoapEnvelope('<?xml version="1.0"?>\n<A/>');
    expect(wrapped).toContain('<soapenv:Body><A/></soapenv:Body>');
    expect(wrapped.match(/<\?xml/g)).toHaveLength(1);
  });
});

describe('sap-soap against the fake SAP', () => {
  let sap: FakeSap;
  let transport: Transport;
  beforeAll(async () => {
    sap = await startFakeSap();
    transport = await createTransport(
      'sap-soap',
      { url: sap.soapUrl, username: sap.username, password: sap.password },
      { clock: steppingClock() },
    );
  });
  afterAll(async () => {
    await transport.close?.();
    await sap.close();
  });

  it('a retried message carries the same ARCKEY, so SAP sees a duplicate (and answers 200)', async () => {
    const d = soapDelivery(77);
    const first = await transport.send(d);
    const second = await transport.send(d);
    expect(first.remoteReference).toBe(d.arckey);
    expect(second.status).toBe(200);
    const mine = sap.received.filter((r) => r.msgid === d.arckey);
    expect(mine.map((r) => r.duplicate)).toEqual([false, true]);
  });

  it('a delivery without ARCKEY is refused before anything is sent (permanent)', async () => {
    const before = sap.received.length;
    const d = soapDelivery(78);
    const err = await transport.send({ ...d, arckey: '' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_DELIVERY_INVALID', verdict: 'permanent' });
    expect(sap.received.length).toBe(before);
  });

  it('SAP rejecting two IDocs in one request is a permanent SOAP fault', async () => {
    const d = soapDelivery(79);
    const body = (d.body as string).replace('</IDOC>', '</IDOC><IDOC BEGIN="1"></IDOC>');
    const err = await transport.send({ ...d, body }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_SOAP_FAULT', verdict: 'permanent', status: 500 });
    expect((err as Error).message).toContain('MULTIPLE_IDOCS_NOT_ALLOWED');
  });

  const conformance = path.resolve(import.meta.dirname, '../../../shared/conformance');
  const sample = path.join(
    conformance,
    'samples/DELVRY07/cpi-snapshot-tpm-desadv-soap-default-namespace.xml',
  );
  if (!existsSync(sample)) {
    console.warn(
      `conformance suite skipped: ${conformance} is absent (sap-soap real-sample delivery not run)`,
    );
  }
  it.skipIf(!existsSync(sample))(
    'delivers a real IDoc-SOAP sample byte for byte inside the envelope',
    async () => {
      const bytes = readFileSync(sample);
      const text = bytes.toString('utf8');
      const arckey = /<ARCKEY>([^<]+)<\/ARCKEY>/.exec(text)?.[1];
      expect(arckey).toMatch(/^urn:sap\.com:msgid=/);
      const receipt = await transport.send({
        body: bytes,
        contentType: 'text/xml',
        messageId: 'conformance-1',
        arckey: arckey!,
      });
      expect(receipt.status).toBe(200);
      const got = sap.received[sap.received.length - 1]!;
      expect(got.body.toString('utf8')).toBe(wrapInSoapEnvelope(text));
    },
  );
});
