/**
 * Per-delivery at-risk scores are recorded where the gateway scores them (migration 0070): the
 * at-risk API and a delivery's risk over HTTP, the Prometheus gauges, the webhook alert job — the
 * score, model version, reason codes and scored-at time as the scorer returned them, once per
 * delivery, model version and score. Then exported as the `risk_scores` Parquet dataset exactly
 * once and read back with DuckDB. Simulated ledgers on PGlite, a model trained on them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/api/auth.js';
import { registerErrorHandling } from '../../src/api/errors.js';
import { intelligenceRoutes, registerRiskMetrics } from '../../src/api/intelligence.js';
import { metricsRoutes, PromMetrics } from '../../src/api/metrics.js';
import { Secrets } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { startFakeWebhook } from '../../src/demo/fake-webhook.js';
import { runExport } from '../../src/export/run.js';
import { scoreInTransit } from '../../src/intelligence/at-risk.js';
import { trainAndStore } from '../../src/intelligence/service.js';
import { storeDirect } from '../../src/intelligence/simulator/direct.js';
import { toGatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { simulate } from '../../src/intelligence/simulator/simulate.js';
import { loadMappings } from '../../src/mapping/load.js';
import { silentLogger } from '../../src/logger.js';
import { exportSource } from '../../src/store/analytics/export-source.js';
import { createIntelligenceStore } from '../../src/store/analytics/intelligence-repo.js';
import { openStore, type OpenedStore } from '../../src/store/open-store.js';
import { openParquetSink } from '../../src/store/analytics/parquet-sink.js';
import { createRiskScoreLog, listRiskScores } from '../../src/store/analytics/risk-scores-repo.js';
import { startRiskAlerts } from '../../src/wiring/risk-alerts.js';
import { openSimLedgers, simTables, type SimLedgers } from '../../src/wiring/sim-ledgers.js';

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
const config = configSchema.parse({
  operators: {
    auditor: {
      role: 'viewer',
      passwordHash: 'scrypt$16384$8$1$21IpfgAvNPBY0d-JsDEAZA$9PNRy7UGdZ78h0a_XbmAiPH11P3cEnUhqIx9naqC8gs',
    },
  },
});
const authorization = `Basic ${Buffer.from('auditor:demo-viewer').toString('base64')}`;

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

describe('recorded at-risk scores', () => {
  it('the at-risk API and a delivery’s risk record what they answered, once', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    let clock = NOW;
    await app.register(async (scope) =>
      intelligenceRoutes(scope, {
        auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
        port: createIntelligenceStore(store.db),
        ledger: config.ledger,
        now: () => clock,
        scoreLog: createRiskScoreLog(store.db),
      }),
    );
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/deliveries/at-risk',
        headers: { authorization },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as {
        modelVersion: number;
        deliveries: { delivery: string; probability: number; goodsIssueAt: string; reasons: unknown }[];
      };
      expect(body.deliveries.length).toBeGreaterThan(3);
      const stored = await listRiskScores(store.db);
      expect(stored).toHaveLength(body.deliveries.length);
      const byDelivery = new Map(stored.map((s) => [s.delivery, s]));
      for (const d of body.deliveries) {
        const s = byDelivery.get(d.delivery)!;
        expect(s.probability).toBe(d.probability);
        expect(s.modelVersion).toBe(body.modelVersion);
        expect(s.reasons).toEqual(d.reasons);
        expect(s.asOf.toISOString()).toBe(d.goodsIssueAt);
        expect(s.scoredAt.getTime()).toBe(NOW);
        expect(s.scoredBy).toBe('at-risk-api');
      }
      // scored again later with the same model and the same result: nothing new
      clock = NOW + 60_000;
      await app.inject({ method: 'GET', url: '/api/deliveries/at-risk', headers: { authorization } });
      const top = body.deliveries[0]!;
      const one = await app.inject({
        method: 'GET',
        url: `/api/deliveries/${top.delivery}/risk`,
        headers: { authorization },
      });
      expect(one.statusCode).toBe(200);
      expect((one.json() as { probability: number }).probability).toBe(top.probability);
      const again = await listRiskScores(store.db);
      expect(again).toEqual(stored);
    } finally {
      await app.close();
    }
  });

  it('a delivery’s risk of a delivery no longer in transit is recorded by the delivery API', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(async (scope) =>
      intelligenceRoutes(scope, {
        auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
        port: createIntelligenceStore(store.db),
        ledger: config.ledger,
        now: () => NOW,
        scoreLog: createRiskScoreLog(store.db),
      }),
    );
    try {
      const inTransit = new Set((await listRiskScores(store.db)).map((s) => s.delivery));
      const done = sim.truth.find(
        (t) => t.goodsIssueAt.getTime() < NOW - 5 * 86_400_000 && !inTransit.has(t.delivery),
      )!;
      const res = await app.inject({
        method: 'GET',
        url: `/api/deliveries/${done.delivery}/risk`,
        headers: { authorization },
      });
      expect(res.statusCode).toBe(200);
      const answer = res.json() as { probability: number; modelVersion: number };
      const rows = await listRiskScores(store.db, done.delivery);
      expect(rows.map((r) => [r.probability, r.modelVersion, r.scoredBy])).toEqual([
        [answer.probability, answer.modelVersion, 'delivery-api'],
      ]);
    } finally {
      await app.close();
    }
  });

  it('the gauges and the alert job record their scores (a new model version adds rows)', async () => {
    const before = (await listRiskScores(store.db)).length;
    // a second model version: the same deliveries scored by it are new rows
    const trained = await trainAndStore(createIntelligenceStore(store.db), {
      now: new Date(NOW),
      by: 'test',
      lambda: 3,
    });
    expect(trained.version).toBe(2);
    const port = createIntelligenceStore(store.db);
    const scored = await scoreInTransit(port, new Date(NOW));
    const metrics = new PromMetrics();
    registerRiskMetrics(metrics.registry, {
      port,
      now: () => NOW,
      threshold: 0.3,
      scoreLog: createRiskScoreLog(store.db),
    });
    const app = Fastify();
    await app.register(metricsRoutes, { metrics });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      expect(await (await fetch(`${address}/metrics`)).text()).toContain('idocgate_risk_model_version 2');
    } finally {
      await app.close();
    }
    const v2 = (await listRiskScores(store.db)).filter((s) => s.modelVersion === 2);
    expect(v2.map((s) => s.delivery).sort()).toEqual(scored.deliveries.map((d) => d.delivery).sort());
    expect(v2.every((s) => s.scoredBy === 'metrics')).toBe(true);
    expect((await listRiskScores(store.db)).length).toBe(before + scored.deliveries.length);

    // the alert job ticks an hour later: what is in transit then (a delivery may have come due
    // in that hour), all of it scored by the same model already
    const later = await scoreInTransit(port, new Date(NOW + 3_600_000));
    expect(later.deliveries.length).toBeGreaterThan(0);
    const scoredSet = new Set(scored.deliveries.map((d) => d.delivery));
    expect(later.deliveries.every((d) => scoredSet.has(d.delivery))).toBe(true);
    const webhook = await startFakeWebhook({});
    const alerts = await startRiskAlerts({
      atRisk: { threshold: 0, webhook: { url: webhook.url }, every: 60_000 },
      db: store.db,
      logger: silentLogger,
      now: () => NOW + 3_600_000,
      scheduler: false,
    });
    try {
      expect(await alerts!.tick()).toBe(later.deliveries.length);
    } finally {
      await alerts?.close();
      await webhook.close();
    }
    // same model, same scores: the alert job adds nothing
    expect((await listRiskScores(store.db)).length).toBe(before + scored.deliveries.length);
  });

  it('exports the recorded scores as Parquet exactly once; DuckDB reads back the database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idocgate-risk-lake-'));
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    try {
      const sink = await openParquetSink(dir);
      try {
        const first = await runExport(
          exportSource(store.db, { settleMs: 0, clock: () => new Date(NOW + 7_200_000) }),
          sink,
          {
            datasets: ['risk_scores'],
            batchSize: 7,
          },
        );
        expect(first[0]!.rows).toBe((await listRiskScores(store.db)).length);
        expect(first[0]!.batches).toBeGreaterThan(1);
        const again = await runExport(
          exportSource(store.db, { settleMs: 0, clock: () => new Date(NOW + 7_200_000) }),
          sink,
          {
            datasets: ['risk_scores'],
          },
        );
        expect(again[0]!.rows).toBe(0);
      } finally {
        sink.close();
      }
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, sum(probability)::DOUBLE AS p,
                sum(model_version)::INTEGER AS v, sum(json_array_length(reasons))::INTEGER AS reasons,
                count(*) FILTER (WHERE CAST(dt AS VARCHAR) <> strftime(scored_at, '%Y-%m-%d'))::INTEGER AS misplaced,
                sum(epoch_ms(scored_at))::DOUBLE AS scored, sum(epoch_ms(as_of))::DOUBLE AS as_of
           FROM read_parquet('${join(dir, 'risk_scores', '*', '*.parquet')}', hive_partitioning = true)`,
      );
      const lake = r.getRowObjectsJS()[0] as Record<string, number>;
      const { rows } = await store.db.query<Record<string, number>>(
        `SELECT count(*)::int AS n, sum(probability)::float8 AS p, sum(model_version)::int AS v,
                sum(jsonb_array_length(reasons))::int AS reasons,
                sum(extract(epoch FROM scored_at) * 1000)::float8 AS scored,
                sum(extract(epoch FROM as_of) * 1000)::float8 AS as_of FROM risk_scores`,
      );
      const db = rows[0]!;
      expect(lake.n).toBe(db.n);
      expect(lake.d).toBe(db.n);
      expect(lake.misplaced).toBe(0);
      expect(lake.v).toBe(db.v);
      expect(lake.reasons).toBe(db.reasons);
      expect(lake.reasons).toBeGreaterThan(0);
      expect(lake.p).toBeCloseTo(db.p!, 9);
      expect(lake.scored).toBe(db.scored);
      expect(lake.as_of).toBe(db.as_of);
    } finally {
      conn.closeSync();
      duck.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
