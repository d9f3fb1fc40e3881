/**
 * Surfaces of the at-risk score on simulated ledgers (direct path, PGlite): the deliveries in
 * transit scored as of their goods issue, the Prometheus gauges over real HTTP, the webhook
 * alert through the real `webhook` transport to a real HTTP receiver (told once; a failed send
 * is sent again), and the sweeper preview's list of deliveries likely to need a pushback.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/api/auth.js';
import { deliveryRoutes } from '../../src/api/deliveries.js';
import { registerErrorHandling } from '../../src/api/errors.js';
import { registerRiskMetrics } from '../../src/api/intelligence.js';
import { metricsRoutes, PromMetrics } from '../../src/api/metrics.js';
import { configSchema } from '../../src/config/schema.js';
import { defaultSweeperConfig } from '../../src/config/sweeper.js';
import { Secrets } from '../../src/config/load.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { startFakeWebhook } from '../../src/demo/fake-webhook.js';
import { atRiskInTransit, scoreInTransit } from '../../src/intelligence/at-risk.js';
import { startRiskAlerts } from '../../src/wiring/risk-alerts.js';
import { scoreDelivery, trainAndStore } from '../../src/intelligence/service.js';
import { openSimLedgers, simTables, type SimLedgers } from '../../src/wiring/sim-ledgers.js';
import { storeDirect } from '../../src/intelligence/simulator/direct.js';
import { toGatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { simulate } from '../../src/intelligence/simulator/simulate.js';
import { loadMappings } from '../../src/mapping/load.js';
import { silentLogger } from '../../src/pipeline/deps.js';
import { createIntelligenceStore } from '../../src/store/analytics/intelligence-repo.js';
import { openStore, type OpenedStore } from '../../src/store/open-store.js';

const START = Date.parse('2025-01-06T00:00:00Z');
const NOW = START + 18 * 86_400_000 + 12 * 3_600_000;
const definitions = loadDefinitions();
const mappings = loadMappings(undefined, { definitions });
const sim = simulate({
  seed: 4,
  days: 40,
  network: { dcs: 2, stores: 4 },
  knobs: { deliveriesPerDcPerDay: 5 },
});

let store: OpenedStore;
let ledgers: SimLedgers;
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  ledgers = await openSimLedgers({
    store,
    network: sim.network,
    definitions,
    tables: simTables(sim.network, mappings.tables),
    batchSize: 2000,
    now: () => NOW,
  });
  for (const e of sim.events) if (e.at.getTime() <= NOW) await storeDirect(store, toGatewayMessage(e));
  await ledgers.catchUp();
  const trained = await trainAndStore(createIntelligenceStore(store.db), { now: new Date(NOW), by: 'test' });
  if (trained.version === null) throw new Error(trained.reason);
}, 240_000);
afterAll(async () => {
  await ledgers?.close();
  await store?.close();
});

describe('at-risk deliveries in transit', () => {
  it('scores exactly the goods-issued deliveries not due and not fully received, as the API does', async () => {
    const port = createIntelligenceStore(store.db);
    const s = await scoreInTransit(port, new Date(NOW));
    expect(s.modelVersion).toBe(1);
    // due = goods issue + the simulated sweeper's 48 h grace period
    const expected = sim.truth
      .filter((t) => t.goodsIssueAt.getTime() <= NOW && t.goodsIssueAt.getTime() + 48 * 3_600_000 > NOW)
      .filter((t) => {
        const got = new Set(
          sim.events.flatMap((e) =>
            e.kind === 'receipt' && e.delivery === t.delivery && e.at.getTime() <= NOW
              ? e.items.flatMap((it) => it.serials)
              : [],
          ),
        );
        const all = sim.events.find((e) => e.kind === 'announce' && e.delivery === t.delivery);
        return all?.kind === 'announce' && all.items.some((it) => it.serials.some((x) => !got.has(x)));
      })
      .map((t) => t.delivery)
      .sort();
    expect(expected.length).toBeGreaterThan(3);
    expect(s.deliveries.map((d) => d.delivery).sort()).toEqual(expected);
    const top = s.deliveries[0]!;
    const api = await scoreDelivery(port, top.delivery);
    expect(api && 'probability' in api ? api.probability : null).toBeCloseTo(top.probability, 10);
    for (let i = 1; i < s.deliveries.length; i++)
      expect(s.deliveries[i - 1]!.probability).toBeGreaterThanOrEqual(s.deliveries[i]!.probability);
  });

  it('the at-risk gauges over real HTTP count the deliveries at or above the threshold per site', async () => {
    const port = createIntelligenceStore(store.db);
    const scored = (await scoreInTransit(port, new Date(NOW))).deliveries;
    const threshold = scored[Math.floor(scored.length / 2)]!.probability;
    const metrics = new PromMetrics();
    registerRiskMetrics(metrics.registry, { port, now: () => NOW, threshold });
    const app = Fastify();
    await app.register(metricsRoutes, { metrics });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const text = await (await fetch(`${address}/metrics`)).text();
      const bySite = new Map<string, number>();
      for (const d of scored)
        if (d.probability >= threshold)
          bySite.set(d.destinationSite, (bySite.get(d.destinationSite) ?? 0) + 1);
      for (const [site, n] of bySite)
        expect(text).toContain(`idocgate_deliveries_at_risk{site="${site}"} ${n}`);
      const atRisk = [...text.matchAll(/^idocgate_deliveries_at_risk\{site="[^"]+"\} (\d+)$/gm)];
      expect(atRisk.reduce((a, m) => a + Number(m[1]), 0)).toBe(
        scored.filter((d) => d.probability >= threshold).length,
      );
      expect(text).toContain(`idocgate_deliveries_in_transit_scored ${scored.length}`);
      expect(text).toContain('idocgate_risk_model_version 1');
    } finally {
      await app.close();
    }
  });

  it('tells the webhook once per at-risk delivery; a failed send is sent again on the next tick', async () => {
    const port = createIntelligenceStore(store.db);
    const scored = (await scoreInTransit(port, new Date(NOW))).deliveries;
    const threshold = scored[Math.min(2, scored.length - 1)]!.probability;
    const want = scored.filter((d) => d.probability >= threshold).map((d) => d.delivery);
    const failing = await startFakeWebhook({ failFirst: 1, status: 503 });
    const alerts = await startRiskAlerts({
      atRisk: { threshold, webhook: { url: failing.url }, every: 60_000 },
      db: store.db,
      logger: silentLogger,
      now: () => NOW,
      scheduler: false,
    });
    try {
      await expect(alerts!.tick()).rejects.toThrow();
      expect(await alerts!.tick()).toBe(want.length);
      expect(await alerts!.tick()).toBe(0);
      const ok = failing.received.filter((r) => r.status < 300);
      expect(ok).toHaveLength(1);
      const body = ok[0]!.json as {
        type: string;
        threshold: number;
        deliveries: { delivery: string; reasons: unknown[] }[];
      };
      expect(body.type).toBe('idocgate.at-risk-deliveries');
      expect(body.threshold).toBe(threshold);
      expect(body.deliveries.map((d) => d.delivery)).toEqual(want);
      expect(body.deliveries[0]!.reasons.length).toBeGreaterThan(0);
    } finally {
      await alerts?.close();
      await failing.close();
    }
  });

  it('the sweeper preview lists the at-risk deliveries likely to need a pushback', async () => {
    const port = createIntelligenceStore(store.db);
    const threshold = 0.2;
    const config = configSchema.parse({
      operators: {
        auditor: {
          role: 'viewer',
          passwordHash: 'scrypt$16384$8$1$21IpfgAvNPBY0d-JsDEAZA$9PNRy7UGdZ78h0a_XbmAiPH11P3cEnUhqIx9naqC8gs',
        },
      },
    });
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(async (scope) =>
      deliveryRoutes(scope, {
        auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
        pushback: ledgers.pushback,
        atRisk: async (at) => ({ threshold, ...(await atRiskInTransit(port, at, threshold)) }),
      }),
    );
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/sweeper/preview',
        headers: { authorization: `Basic ${Buffer.from('auditor:demo-viewer').toString('base64')}` },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        dryRun: boolean;
        atRisk: { threshold: number; deliveries: { delivery: string; probability: number }[] };
      };
      expect(body.dryRun).toBe(true);
      const want = (await scoreInTransit(port, new Date(NOW))).deliveries.filter(
        (d) => d.probability >= threshold,
      );
      expect(body.atRisk.threshold).toBe(threshold);
      expect(body.atRisk.deliveries.map((d) => d.delivery)).toEqual(want.map((d) => d.delivery));
      expect(body.atRisk.deliveries.every((d) => d.probability >= threshold)).toBe(true);
    } finally {
      await app.close();
    }
    expect(defaultSweeperConfig({}).atRisk).toEqual({ threshold: 0.3, every: 300_000 });
  });
});
