/**
 * Sent or not: a failed delivery is *in doubt* only when the whole request went out and its
 * answer was lost (docs/sap-feedback.md). Real HTTP on 127.0.0.1, through the sap-xml-http
 * transport: a receiver that reads the body and never answers, one that resets after reading,
 * 500 vs 503, and a port nobody listens on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/transports/registry.js';
import { TransportError } from '../../src/transports/transport-error.js';
import type { Transport } from '../../src/transports/types.js';
import { xmlDelivery } from './payloads.js';

type Mode = 'hang' | 'reset' | '500' | '503' | 'ok';
let mode: Mode = 'ok';
let bodies = 0;
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      bodies++;
      if (mode === 'hang') return; // read it all, never answer
      if (mode === 'reset') return void req.socket.destroy();
      res.writeHead(mode === 'ok' ? 200 : Number(mode), { 'content-type': 'text/plain' });
      res.end(mode === 'ok' ? '' : `status ${mode}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function transportTo(url: string): Promise<Transport> {
  return createTransport(
    'sap-xml-http',
    { kind: 'sap-xml-http', url, username: 'IDOCGATE', password: 'secret-pw', timeout: 300 },
    { clock: { now: () => Date.now() } },
  );
}

async function failure(url: string): Promise<TransportError> {
  const t = await transportTo(url);
  try {
    await t.send(xmlDelivery(1));
  } catch (e) {
    if (e instanceof TransportError) return e;
    throw e;
  } finally {
    await t.close?.();
  }
  throw new Error('the delivery did not fail');
}

describe('in doubt or not sent', () => {
  it('a timeout after the body went out is in doubt', async () => {
    mode = 'hang';
    const before = bodies;
    const e = await failure(`${base}/sap/bc/idoc_xml`);
    expect(bodies).toBe(before + 1);
    expect(e).toMatchObject({ code: 'TRANSPORT_TIMEOUT', inDoubt: true, verdict: 'transient' });
  });
  it('a reset after the body was read is in doubt', async () => {
    mode = 'reset';
    const e = await failure(`${base}/sap/bc/idoc_xml`);
    expect(e.inDoubt).toBe(true);
  });
  it('500 is in doubt, 503 is not sent', async () => {
    mode = '500';
    expect((await failure(`${base}/sap/bc/idoc_xml`)).inDoubt).toBe(true);
    mode = '503';
    expect((await failure(`${base}/sap/bc/idoc_xml`)).inDoubt).toBeUndefined();
  });
  it('a refused connection was never sent', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await failure(`http://127.0.0.1:${port}/sap/bc/idoc_xml`);
    expect(e).toMatchObject({ code: 'TRANSPORT_CONNECTION_REFUSED' });
    expect(e.inDoubt).toBeUndefined();
  });
  it('the transports say whether their receiver drops duplicates and takes packets', async () => {
    const xml = await transportTo(`${base}/sap/bc/idoc_xml`);
    expect([xml.receiverDropsDuplicates ?? false, xml.acceptsPackets]).toEqual([false, true]);
    const soap = await createTransport(
      'sap-soap',
      { kind: 'sap-soap', url: `${base}/sap/bc/srt/idoc`, username: 'IDOCGATE', password: 'secret-pw' },
      { clock: { now: () => Date.now() } },
    );
    expect([soap.receiverDropsDuplicates, soap.acceptsPackets ?? false]).toEqual([true, false]);
    await xml.close?.();
    await soap.close?.();
  });
});
