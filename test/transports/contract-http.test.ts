/**
 * The shared transport contract against real local HTTP servers: a fake SAP (XML-HTTP and
 * IDoc-SOAP services with basic auth and sap-client) and a fake WMS webhook (bearer token + HMAC).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { wrapInSoapEnvelope } from '../../src/transports/sap-soap.js';
import { verifyWebhookSignature } from '../../src/transports/webhook-signature.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { runTransportContract, steppingClock, type HarnessEnv, type ReceivedRequest } from './contract.js';
import { jsonDelivery, soapDelivery, xmlDelivery } from './payloads.js';

/** A port nothing listens on: bind, note the port, close. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const WRONG_PASSWORD = 'wrong-password-4711';

function sapHarnessEnv(
  sap: FakeSap,
  port: number,
  variant: 'xml' | 'soap',
): Omit<HarnessEnv, 'delivery' | 'expectedBytes' | 'checkReceived'> {
  const url = variant === 'xml' ? sap.url : sap.soapUrl;
  // The transport adds sap-client from `client`; give the URL without it to test that.
  const bare = new URL(url);
  bare.searchParams.delete('sap-client');
  return {
    options: {
      url: bare.href,
      client: sap.client,
      username: sap.username,
      password: sap.password,
      timeout: '5s',
    },
    secrets: [
      sap.password,
      Buffer.from(`${sap.username}:${sap.password}`).toString('base64'),
      WRONG_PASSWORD,
    ],
    received: () => sap.received,
    async induce(failure) {
      switch (failure) {
        case 'server-error':
          sap.setBehaviour({ failFirst: 1, status: variant === 'xml' ? 503 : 500 });
          return {};
        case 'client-error':
          sap.setBehaviour({ failFirst: 1, status: 400 });
          return {};
        case 'auth':
          return { password: WRONG_PASSWORD };
        case 'throttled':
          sap.setBehaviour({ failFirst: 1, status: 429, retryAfter: '7' });
          return {};
        case 'hang':
          sap.setBehaviour({ delayMs: 30_000 });
          return { timeout: 150 };
        case 'refused':
          return { url: `http://127.0.0.1:${port}${new URL(url).pathname}` };
      }
    },
    reset: () => sap.setBehaviour({}),
    teardown: () => sap.close(),
  };
}

function checkSapRequest(sap: FakeSap, request: ReceivedRequest): void {
  expect(request.headers['authorization']).toBe(
    `Basic ${Buffer.from(`${sap.username}:${sap.password}`).toString('base64')}`,
  );
  expect((request as unknown as { query: Record<string, string> }).query['sap-client']).toBe(sap.client);
}

runTransportContract({
  kind: 'sap-xml-http',
  async setup() {
    const sap = await startFakeSap();
    const port = await closedPort();
    return {
      ...sapHarnessEnv(sap, port, 'xml'),
      delivery: xmlDelivery,
      expectedBytes: (d) => Buffer.from(d.body as string, 'utf8'),
      checkReceived(request) {
        checkSapRequest(sap, request);
        expect(request.headers['content-type']).toBe('application/x-sap.idoc');
      },
    };
  },
});

runTransportContract({
  kind: 'sap-soap',
  async setup() {
    const sap = await startFakeSap();
    const port = await closedPort();
    return {
      ...sapHarnessEnv(sap, port, 'soap'),
      delivery: soapDelivery,
      // A bare IDoc-SOAP document is wrapped in an envelope (option envelope: auto); one the
      // pipeline encoded (src/idoc/soap.ts writeSoap) already is one and goes as it is.
      expectedBytes: (d) => {
        const body = d.body as string;
        return Buffer.from(body.includes(':Envelope') ? body : wrapInSoapEnvelope(body), 'utf8');
      },
      checkReceived(request, delivery) {
        checkSapRequest(sap, request);
        expect(request.headers['content-type']).toBe('text/xml; charset=utf-8');
        expect(request.headers['soapaction']).toBe('"http://sap.com/xi/WebService/soap1.1"');
        expect((request as unknown as { msgid: string }).msgid).toBe(delivery.arckey);
      },
    };
  },
});

const CLOCK_START = Date.UTC(2025, 0, 15, 12, 0, 0);
const TOKEN = 'wms-token-8c1f2e';
const HMAC_SECRET = 'hmac-secret-5d9a77';

runTransportContract({
  kind: 'webhook',
  async setup() {
    const hook: FakeWebhook = await startFakeWebhook({
      token: TOKEN,
      secret: HMAC_SECRET,
      nowMs: () => CLOCK_START,
    });
    const port = await closedPort();
    return {
      options: {
        url: hook.url,
        authHeader: { value: `Bearer ${TOKEN}` },
        hmac: { secret: HMAC_SECRET },
        timeout: 5000,
      },
      secrets: [TOKEN, HMAC_SECRET, 'wrong-token-0000'],
      deps: { clock: steppingClock(CLOCK_START) },
      delivery: jsonDelivery,
      expectedBytes: (d) => Buffer.from(d.body as string, 'utf8'),
      received: () => hook.received,
      checkReceived(request, delivery) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['idempotency-key']).toBe(delivery.messageId);
        expect(request.headers['authorization']).toBe(`Bearer ${TOKEN}`);
        const sig = request.headers['x-idocgate-signature'] as string;
        expect(verifyWebhookSignature(sig, request.body, HMAC_SECRET, { nowMs: CLOCK_START }).ok).toBe(true);
      },
      async induce(failure) {
        switch (failure) {
          case 'server-error':
            hook.setBehaviour({ failFirst: 1, status: 502 });
            return {};
          case 'client-error':
            hook.setBehaviour({ failFirst: 1, status: 422 });
            return {};
          case 'auth':
            return { authHeader: { value: 'Bearer wrong-token-0000' } };
          case 'throttled':
            hook.setBehaviour({ failFirst: 1, status: 429, retryAfter: '7' });
            return {};
          case 'hang':
            hook.setBehaviour({ delayMs: 30_000 });
            return { timeout: 150 };
          case 'refused':
            return { url: `http://127.0.0.1:${port}/wms/idoc-events` };
        }
      },
      reset: () => hook.setBehaviour({}),
      teardown: () => hook.close(),
    };
  },
});
