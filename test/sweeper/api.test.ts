/** The deliveries API through Fastify inject on a PGlite store: list by state, detail, discrepancies, preview, run. */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/api/auth.js';
import { deliveryRoutes, registerDeliveryMetrics } from '../../src/api/deliveries.js';
import { registerErrorHandling } from '../../src/api/errors.js';
import { Secrets } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { pgliteBackend } from '../store/backends.js';
import { LedgerHarness } from './harness.js';
import { delvry07, handheldReceipt, HOUR, TestClock } from './support.js';

const backend = pgliteBackend('sweeper-api');
let store: OpenedStore;
let app: FastifyInstance;
let h: LedgerHarness;
const registry = new Registry();
const operator = `Basic ${Buffer.from('support:demo-operator').toString('base64')}`;
const viewer = `Basic ${Buffer.from('auditor:demo-viewer').toString('base64')}`;

beforeAll(async () => {
  store = await backend.open();
  h = new LedgerHarness(store, new TestClock('2024-03-04T15:00:00Z'));
  const config = configSchema.parse({
    operators: {
      support: {
        role: 'operator',
        passwordHash: 'scrypt$16384$8$1$jkc4wyyHrbVgHRZfQ9DMSA$l4aefjdw1oLh3PlAhEJSTtzwvT2F2HmX6uwfl0tZ4Mc',
      },
      auditor: {
        role: 'viewer',
        passwordHash: 'scrypt$16384$8$1$21IpfgAvNPBY0d-JsDEAZA$9PNRy7UGdZ78h0a_XbmAiPH11P3cEnUhqIx9naqC8gs',
      },
    },
  });
  app = Fastify();
  registerErrorHandling(app);
  const pushback = {
    ledger: h.ledger,
    now: h.clock.now,
    sweep: (o?: { dryRun?: boolean }) => h.sweep(o ?? {}),
  };
  await app.register(async (f) =>
    deliveryRoutes(f, { auth: new Authenticator({ config, secrets: new Secrets(new Map()) }), pushback }),
  );
  registerDeliveryMetrics(registry, { ledger: h.ledger, now: h.clock.now });
  await h.fromSap(
    delvry07('82000001', [{ posnr: '10', matnr: '4711', qty: '2.000', serials: ['SN-A', 'SN-B'] }]),
  );
  await h.fromSap(delvry07('82000002', [{ posnr: '10', matnr: '4711', qty: '1.000' }]));
  await h.scan(
    handheldReceipt('api-1', '82000001', [{ article: '4711', quantity: 1, serialNumbers: ['SN-A'] }]),
  );
  await h.catchUp();
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await backend.cleanup();
});

const get = (url: string, auth = viewer) =>
  app.inject({ method: 'GET', url, headers: { authorization: auth } });

describe('deliveries API', () => {
  it('lists by state with counts; overdue once the grace period passed', async () => {
    let r = await get('/api/deliveries?state=partially-received');
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((d: { delivery: string }) => d.delivery)).toEqual(['82000001']);
    h.clock.advance(49 * HOUR);
    r = await get('/api/deliveries?state=overdue');
    expect(r.json().items.map((d: { delivery: string }) => d.delivery)).toEqual(['82000001', '82000002']);
    expect(r.json().counts).toMatchObject({ overdue: 2, open: 0 });
    expect((await get('/api/deliveries?state=lost')).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/deliveries' })).statusCode).toBe(401);
  });

  it('shows expected vs received per item and per serial', async () => {
    const r = await get('/api/deliveries/0082000001');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.items).toEqual([
      {
        position: '10',
        material: '4711',
        unit: 'PCE',
        expected: 2,
        received: 1,
        outstanding: 1,
        over: 0,
        missingSerials: ['SN-B'],
      },
    ]);
    expect(body.serials.map((s: { serial: string; received: boolean }) => [s.serial, s.received])).toEqual([
      ['SN-A', true],
      ['SN-B', false],
    ]);
    expect((await get('/api/deliveries/999')).statusCode).toBe(404);
  });

  it('previews for viewers, runs for operators only, then lists pushback IDocs and discrepancies', async () => {
    const preview = await get('/api/sweeper/preview');
    expect(preview.json().previews.map((p: { delivery: string }) => p.delivery)).toEqual([
      '82000001',
      '82000002',
    ]);
    expect(
      (await app.inject({ method: 'POST', url: '/api/sweeper/run', headers: { authorization: viewer } }))
        .statusCode,
    ).toBe(403);
    const run = await app.inject({
      method: 'POST',
      url: '/api/sweeper/run',
      headers: { authorization: operator },
    });
    expect(run.json()).toMatchObject({ pushedBack: 2, postings: 4 });
    const detail = (await get('/api/deliveries/82000001')).json();
    expect(detail.delivery.view).toBe('pushed-back');
    expect(
      detail.pushback.postings.map((p: { idempotencyKey: string; messageId: string }) => [
        p.idempotencyKey,
        typeof p.messageId,
      ]),
    ).toEqual([
      ['pushback:82000001:receipt', 'string'],
      ['pushback:82000001:transfer', 'string'],
    ]);
    const disc = (await get('/api/discrepancies?site=S0124')).json();
    expect(
      disc.items.map((d: { delivery: string; missingQuantity: number }) => [d.delivery, d.missingQuantity]),
    ).toEqual([
      ['82000002', 1],
      ['82000001', 1],
    ]);
    expect((await get('/api/sweeper/runs')).json().items[0]).toMatchObject({
      outcome: 'done',
      pushedBack: 2,
    });
  });

  it('exposes per-site gauges', async () => {
    const text = await registry.metrics();
    expect(text).toContain('idocgate_deliveries_pushed_back{site="S0124"} 2');
    expect(text).toContain('idocgate_deliveries_overdue{site="S0124"} 0');
    expect(text).toContain('idocgate_deliveries_pushed_back_quantity{site="S0124"} 2');
  });
});
