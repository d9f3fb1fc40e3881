/**
 * The simulator drives the real gateway (SAP edge, partner edge, workers, fake SAP) into the real
 * ledgers on PGlite; the bench's direct path gives the same ledger rows on the same run.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/api/auth.js';
import { registerErrorHandling } from '../../src/api/errors.js';
import { intelligenceRoutes } from '../../src/api/intelligence.js';
import { Secrets } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { trainAndStore } from '../../src/intelligence/service.js';
import { createIntelligenceStore } from '../../src/store/analytics/intelligence-repo.js';
import { storeDirectAll } from '../../src/intelligence/simulator/direct.js';
import { toGatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { simulate, type Simulation } from '../../src/intelligence/simulator/simulate.js';
import { openSimLedgers } from '../../src/wiring/sim-ledgers.js';
import { definitions, mappings } from '../pipeline/harness.js';
import { pgliteBackend } from '../store/backends.js';
import { startSimGateway, type SimGateway } from './gateway.js';
import { pdfText } from './pdf-text.js';
import { ledgerRows } from '../support/ledger-rows.js';

let sim: Simulation;
let gw: SimGateway;

beforeAll(async () => {
  // lossy lanes and stores, so that a short run has partial receipts of every kind
  sim = simulate({
    seed: 7,
    days: 5,
    network: 'sites-yaml',
    knobs: {
      deliveriesPerDcPerDay: 3,
      carrierLoss: { typical: 0.05, bad: 0.3, badShare: 0.5 },
      storeMisscan: { typical: 0.05, bad: 0.3, badShare: 0.5 },
      shortPick: { typical: 0.1, bad: 0.2, badShare: 0.5 },
    },
  });
  gw = await startSimGateway(sim.network, 'intel-gw');
}, 60_000);
afterAll(async () => {
  await gw?.close();
});

describe('simulator through the gateway', () => {
  it('fills the delivery and serial ledgers; the direct path gives the same rows', async () => {
    const messages = sim.events.map(toGatewayMessage);
    expect(messages.length).toBeGreaterThan(10);
    await gw.drive(messages);
    await gw.catchUp();
    const viaGateway = (await ledgerRows(gw.store)) as {
      deliveries: { delivery: string; carrier: string | null; state: string; goods_issue_at: Date | null }[];
      receipts: unknown[];
      events: { movement: string }[];
    };
    expect(viaGateway.deliveries).toHaveLength(sim.truth.length);
    expect(viaGateway.deliveries.every((d) => ['open', 'partial', 'closed'].includes(d.state))).toBe(true);
    expect(viaGateway.deliveries.every((d) => d.goods_issue_at !== null)).toBe(true);
    // the carrier SAP named on the DELVRY07 (E1ADRM1 SP) reached the ledger through the SAP edge
    const carrierOf = new Map(sim.truth.map((t) => [t.delivery, t.carrier.replace(/^0+/, '')]));
    for (const d of viaGateway.deliveries) expect(d.carrier, d.delivery).toBe(carrierOf.get(d.delivery));
    expect(viaGateway.receipts.length).toBeGreaterThan(0);
    const movements = new Set(viaGateway.events.map((e) => e.movement));
    for (const m of ['announced', 'packed', 'shipped', 'received']) expect(movements).toContain(m);
    // the WMS confirmations and scans went on to SAP as IDocs
    expect(gw.sap.received.length).toBeGreaterThan(0);

    const backend = pgliteBackend('intel-direct');
    const store = await backend.open();
    try {
      const ledgers = await openSimLedgers({
        store,
        network: sim.network,
        definitions,
        tables: mappings.tables,
      });
      await storeDirectAll(store, messages);
      await ledgers.catchUp();
      await ledgers.close();
      expect(await ledgerRows(store)).toEqual(viaGateway);
    } finally {
      await store.close();
      await backend.cleanup();
    }
  }, 180_000);
});

describe('risk and claim API on the gateway-driven ledgers', () => {
  const viewer = `Basic ${Buffer.from('auditor:demo-viewer').toString('base64')}`;
  const config = configSchema.parse({
    operators: {
      auditor: {
        role: 'viewer',
        passwordHash: 'scrypt$16384$8$1$21IpfgAvNPBY0d-JsDEAZA$9PNRy7UGdZ78h0a_XbmAiPH11P3cEnUhqIx9naqC8gs',
      },
    },
  });

  it('scores a goods-issued delivery with reason codes and serves its freight-claim packet', async () => {
    const port = createIntelligenceStore(gw.store.db);
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(async (f) =>
      intelligenceRoutes(f, {
        auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
        port,
        ledger: gw.config.ledger,
      }),
    );
    try {
      const get = async (url: string) =>
        app.inject({ method: 'GET', url, headers: { authorization: viewer } });
      const some = sim.truth[0]!.delivery;
      expect((await get(`/api/deliveries/${some}/risk`)).json()).toMatchObject({ risk: null });
      expect((await get('/api/models/risk')).json()).toMatchObject({ model: null });

      const trained = await trainAndStore(port, {
        now: new Date(Date.parse('2025-01-06T00:00:00Z') + 30 * 86_400_000),
        by: 'test',
        minDeliveries: 10,
      });
      if (trained.version === null) throw new Error(trained.reason);
      expect(trained.version).toBe(1);
      const risk = (await get(`/api/deliveries/${some}/risk`)).json() as Record<string, unknown>;
      expect(risk).toMatchObject({ delivery: some, modelVersion: 1 });
      expect(risk['probability']).toBeGreaterThan(0);
      expect(risk['probability']).toBeLessThan(1);
      expect(Array.isArray(risk['reasons'])).toBe(true);
      expect((await get('/api/models/risk')).json()).toMatchObject({ version: 1, kind: 'logistic-l2' });

      const lost = sim.truth.find((t) => t.missing.length > 0)!;
      const claim = (await get(`/api/deliveries/${lost.delivery}/claim`)).json() as {
        carrier: string | null;
        missing: number;
        missingSerials: { serial: string; attribution: string }[];
        evidence: { epcisEvents: { type: string }[] };
      };
      expect(claim.missing).toBe(lost.missing.length);
      // the claim goes to the carrier SAP named on the announcement (E1ADRM1 SP, ALPHA output form)
      const carrier = lost.carrier.replace(/^0+/, '');
      expect(claim.carrier).toBe(carrier);
      expect(claim.missingSerials.map((m) => m.serial).sort()).toEqual(
        lost.missing.map((m) => m.serial).sort(),
      );
      expect(claim.evidence.epcisEvents.length).toBeGreaterThan(0);
      const page = await get(`/api/deliveries/${lost.delivery}/claim?format=html`);
      expect(page.headers['content-type']).toContain('text/html');
      for (const m of lost.missing) expect(page.body).toContain(m.serial);
      expect(page.body).toContain(`carrier ${carrier}`);
      const pdf = await get(`/api/deliveries/${lost.delivery}/claim?format=pdf`);
      expect(pdf.statusCode).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toContain(`claim-${lost.delivery}.pdf`);
      const { text } = pdfText(pdf.rawPayload);
      expect(text).toContain(`Freight claim: delivery ${lost.delivery}`);
      expect(text.replace(/\s+/g, ' ')).toContain(`liability of carrier ${carrier}`);
      for (const m of lost.missing) expect(text).toContain(m.serial);

      expect((await get('/api/deliveries/99999999/risk')).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: `/api/deliveries/${some}/risk` })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
