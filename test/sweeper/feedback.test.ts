/**
 * The pushback on a port whose SAP reports back (ALE audit): the transfer back (301) goes to SAP
 * only after SAP *posted* the receipt (101, status 53). SAP rejects the receipt (51): the transfer
 * stays blocked behind it, the receipt waits as `sap-error` with SAP's message, the delivery's
 * postings say so; the stock is fixed and the receipt replayed: 53, then the transfer goes.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Authenticator } from '../../src/api/auth.js';
import { deliveryRoutes } from '../../src/api/deliveries.js';
import { Secrets } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import type { PushbackRuntime } from '../../src/wiring/pushback.js';
import type { Harness } from '../pipeline/harness.js';
import { partialStoDelivery, pushbacksAt, startPushbackHarness, WAIT } from './flow.js';
import { TestClock } from './support.js';

let h: Harness;
let pushback: PushbackRuntime;
const clock = new TestClock('2024-03-05T12:00:00Z');
let rejectReceipts = true;

beforeAll(async () => {
  ({ h, pushback } = await startPushbackHarness('pushback_feedback', clock, { feedback: true }));
  h.sap.setBehaviour({
    reject: (idoc) =>
      rejectReceipts && /<MOVE_TYPE>101<\/MOVE_TYPE>/.test(idoc.xml) && idoc.xml.includes('PUSHBACK')
        ? {
            text: 'Deficit of SL Unrestricted-use stock &1 &2',
            id: 'M7',
            number: '021',
            params: ['4711', 'S0124'],
          }
        : undefined,
  });
});
afterAll(async () => {
  await pushback?.close();
  await h?.close();
});

const statusOf = async (id: string): Promise<string | undefined> => (await h.store.get(id))?.status;

describe('pushback with SAP feedback', () => {
  it('51 on the receipt blocks the transfer; fix + replay: 53, then the transfer posts', async () => {
    const delivery = '80007101';
    await partialStoDelivery(h, '910101', delivery, { scanSettled: 'posted' });
    await pushback.catchUp();
    clock.advance(5 * 24 * 3_600_000);
    const run = await pushback.sweep();
    expect(run.pushedBack).toBe(1);
    const steps = (await pushback.ledger.getDelivery(delivery))!.pushback!.steps;
    const [receipt, transfer] = steps.map((s) => s.messageId!);
    await vi.waitFor(async () => expect(await statusOf(receipt!)).toBe('sap-error'), WAIT);
    const rejected = await h.store.get(receipt!);
    expect(rejected?.lastError).toMatchObject({ code: 'SAP/M7/021' });
    expect(rejected?.lastError?.text).toContain('Deficit of SL Unrestricted-use stock 4711 S0124');
    // the transfer waits behind the rejected receipt; SAP never saw it
    await new Promise((r) => setTimeout(r, 300));
    expect(await statusOf(transfer!)).toBe('blocked');
    expect(pushbacksAt(h, delivery).map((x) => x.move)).toEqual(['101']);
    const blocked = await h.store.blockedKeys();
    expect(blocked.find((k) => k.head.id === receipt)).toMatchObject({ waiting: 1 });
    // support sees it on the delivery: the receipt rejected by SAP, the transfer blocked
    const api = Fastify();
    const config = configSchema.parse({
      operators: {
        support: {
          role: 'operator',
          passwordHash: 'scrypt$16384$8$1$jkc4wyyHrbVgHRZfQ9DMSA$l4aefjdw1oLh3PlAhEJSTtzwvT2F2HmX6uwfl0tZ4Mc',
        },
      },
    });
    await api.register(async (f) =>
      deliveryRoutes(f, {
        auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
        pushback,
        messages: h.store,
      }),
    );
    const res = await api.inject({
      url: `/api/deliveries/${delivery}`,
      headers: { authorization: `Basic ${Buffer.from('support:demo-operator').toString('base64')}` },
    });
    expect(res.statusCode).toBe(200);
    const postings = (
      res.json() as { pushback: { postings: { status: string; error: { code: string } | null }[] } }
    ).pushback.postings;
    expect(postings.map((p) => p.status)).toEqual(['sap-error', 'blocked']);
    expect(postings[0]?.error?.code).toBe('SAP/M7/021');
    expect((res.json() as { discrepancy: { missingSerials: number } | null }).discrepancy).toMatchObject({
      missingSerials: 1,
    });
    await api.close();

    // stock corrected in SAP; support replays the receipt
    rejectReceipts = false;
    await h.runtime.replay(receipt!, { actor: 'ops', reason: 'stock corrected in SAP' });
    await vi.waitFor(async () => expect(await statusOf(transfer!)).toBe('posted'), WAIT);
    expect(await statusOf(receipt!)).toBe('posted');
    expect(pushbacksAt(h, delivery).map((x) => x.move)).toEqual(['101', '101', '301']);
    expect(h.sap.idocs.filter((i) => i.xml.includes(`PUSHBACK ${delivery}`)).map((i) => i.status)).toEqual([
      '51',
      '53',
      '53',
    ]);
  });
});
