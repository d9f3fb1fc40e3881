/**
 * The epcis-capture transport passes the shared transport contract against a fake EPCIS
 * repository (a local HTTP server at /epcis/capture), and alert notification goes through the
 * webhook transport to a fake receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyAlerts } from '../../src/ledger/serials/notify.js';
import { createTransport } from '../../src/transports/registry.js';
import type { OutboundDelivery } from '../../src/transports/types.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { runTransportContract, steppingClock } from '../transports/contract.js';

const TOKEN = 'epcis-token-77aa';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
const doc = (n: number): OutboundDelivery => ({
  body: JSON.stringify({ type: 'EPCISDocument', schemaVersion: '2.0', n }),
  contentType: 'application/ld+json',
  messageId: `epcis-${n}`,
});

runTransportContract({
  kind: 'epcis-capture',
  async setup() {
    const repo: FakeWebhook = await startFakeWebhook({ token: TOKEN, path: '/epcis/capture' });
    const port = await closedPort();
    const base = repo.url.replace(/\/epcis\/capture$/, '/epcis');
    return {
      options: { url: base, authHeader: { value: `Bearer ${TOKEN}` }, timeout: 5000 },
      secrets: [TOKEN, 'wrong-token-1111'],
      delivery: doc,
      expectedBytes: (d) => Buffer.from(d.body as string, 'utf8'),
      received: () => repo.received,
      checkReceived(request) {
        expect(request.headers['content-type']).toBe('application/ld+json');
        expect(request.headers['gs1-epcis-version']).toBe('2.0.0');
        expect(request.headers['gs1-capture-error-behaviour']).toBe('rollback');
      },
      async induce(failure) {
        switch (failure) {
          case 'server-error':
            repo.setBehaviour({ failFirst: 1, status: 503 });
            return {};
          case 'client-error':
            repo.setBehaviour({ failFirst: 1, status: 400 });
            return {};
          case 'auth':
            return { authHeader: { value: 'Bearer wrong-token-1111' } };
          case 'throttled':
            repo.setBehaviour({ failFirst: 1, status: 429, retryAfter: '7' });
            return {};
          case 'hang':
            repo.setBehaviour({ delayMs: 30_000 });
            return { timeout: 150 };
          case 'refused':
            return { url: `http://127.0.0.1:${port}/epcis` };
        }
      },
      reset: () => repo.setBehaviour({}),
      teardown: () => repo.close(),
    };
  },
});

describe('alert notification', () => {
  let hook: FakeWebhook;
  beforeAll(async () => {
    hook = await startFakeWebhook({ path: '/alerts' });
  });
  afterAll(async () => hook.close());

  it('sends unnotified alerts once, marks them, and retries after a failure', async () => {
    const pending = [
      { id: 1, rule: 'twoPlaces' },
      { id: 2, rule: 'receivedTwice' },
    ];
    const marked: number[] = [];
    const outbox = {
      unnotified: async () => pending.filter((a) => !marked.includes(a.id)),
      markNotified: async (ids: readonly number[]) => {
        marked.push(...ids);
      },
    };
    const transport = await createTransport(
      'webhook',
      { url: hook.url.replace('/wms/idoc-events', '/alerts') },
      { clock: steppingClock() },
    );
    try {
      hook.setBehaviour({ failFirst: 1, status: 503 });
      await expect(notifyAlerts(outbox, transport, () => new Date())).rejects.toThrow();
      expect(marked).toEqual([]);
      hook.setBehaviour({});
      expect(await notifyAlerts(outbox, transport, () => new Date())).toBe(2);
      expect(marked).toEqual([1, 2]);
      expect(await notifyAlerts(outbox, transport, () => new Date())).toBe(0);
      const last = hook.received[hook.received.length - 1]!;
      expect(last.json).toMatchObject({ type: 'idocgate.serial-alerts', alerts: [{ id: 1 }, { id: 2 }] });
    } finally {
      await transport.close?.();
    }
  });
});
