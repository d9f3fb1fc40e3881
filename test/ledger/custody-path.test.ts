/**
 * The custody-path rule live in the serial ledger on PGlite: its sweep learns a model from the
 * ledger's own history once enough events are in (stored versioned in custody_models), then
 * scores only the events after it; normal traffic raises nothing, a unit turning up at a store
 * it was never sent to does — once, through the ledger's alert outbox; the threshold is the
 * config's, and the model is relearned when `retrainHours` have passed.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialRoutes } from '../../src/api/serials.js';
import { defaultLedgerConfig } from '../../src/config/ledger.js';
import { runSweeps } from '../../src/ledger/serials/catch-up.js';
import { custodyPathSettings, custodyThreshold } from '../../src/ledger/serials/rules/custody-path.js';
import { latestCustodyModel } from '../../src/store/serials/custody-models.js';
import { listAlerts, unnotifiedAlerts } from '../../src/store/serials/alerts.js';
import { createLedgerFeed } from '../../src/store/serials/feed.js';
import { pgliteBackend } from '../store/backends.js';
import { openLedger, type LedgerHarness } from './support.js';
import { generateTraffic, scan, TRAFFIC_LEDGER_CONFIG } from './traffic.js';

const backend = pgliteBackend('ledger_custody');
const DAY = 86_400_000;
const RULES = { custodyPath: { minEvents: 300, retrainHours: 24 * 200 } };

describe('custody-path rule in the serial ledger (PGlite)', () => {
  let h: LedgerHarness;
  const traffic = generateTraffic({ serials: 240, days: 45, seed: 7 });
  const mid = traffic[Math.floor(traffic.length / 2)]!.at;
  const last = traffic[traffic.length - 1]!.at;
  const custodyAlerts = async () =>
    (await listAlerts(h.store.db, { limit: 500 })).filter((a) => a.rule === 'custodyPath');

  beforeAll(async () => {
    h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: RULES });
  });
  afterAll(async () => {
    await h?.store.close();
    await backend.cleanup();
  });

  it('learns its model from the ledger once enough events are in, and stays silent on normal traffic', async () => {
    for (const m of traffic.filter((x) => x.at < mid)) await h.deliver(m);
    expect((await h.catchUp()).failed).toBe(0);
    await h.sweep(mid);
    const v1 = await latestCustodyModel(h.store.db);
    expect(v1?.version).toBe(1);
    expect(v1!.model.trainedUntil).toBe(mid.toISOString());
    expect(v1!.model.sites.length).toBeGreaterThanOrEqual(4);
    expect(v1!.model.threshold).toBe(0.003);
    for (const m of traffic.filter((x) => x.at >= mid)) await h.deliver(m);
    await h.catchUp();
    await h.sweep(new Date(last.getTime() + DAY));
    expect(await custodyAlerts()).toEqual([]);
    // the cursor moved past every event: the rule has scored the second half
    const { rows } = await h.store.db.query<{ last: string; max: string }>(
      'SELECT (SELECT last_event_id FROM custody_path_cursor)::text AS last, (SELECT max(id) FROM serial_events)::text AS max',
    );
    expect(rows[0]!.last).toBe(rows[0]!.max);
  });

  it('flags a unit turning up at a store it was never sent to, once, with the configured threshold', async () => {
    const stock = await h.store.db.query<{ serial: string; site: string }>(
      "SELECT serial, site FROM serial_state WHERE material = '4711' AND state = 'in-stock' AND site LIKE 'S%' ORDER BY serial LIMIT 2",
    );
    const [a, b] = stock.rows;
    const elsewhere = (site: string): string => (site === 'S0200' ? 'S0123' : 'S0200');
    const at = new Date(last.getTime() + 2 * DAY);
    // a: seen at another store while the ledger has it in stock: swept with a threshold so low
    // that nothing is flagged — the rule reads the config's threshold, not the model's
    await h.deliver({
      messageType: 'handheld-goods-movement',
      payload: scan(
        'CP-1',
        elsewhere(a!.site),
        { kind: 'vendor-repair-out', vendor: '300001' },
        '4711',
        [a!.serial],
        at,
      ),
    });
    await h.catchUp();
    const strict = defaultLedgerConfig({
      ...TRAFFIC_LEDGER_CONFIG,
      rules: { ...RULES, custodyPath: { ...RULES.custodyPath, threshold: 1e-30 } },
    });
    await runSweeps(
      createLedgerFeed(h.store.db, { sites: h.sites, config: strict, clock: () => at }),
      strict,
      at,
    );
    expect(await custodyAlerts()).toEqual([]);

    // b: the same with the default threshold: one alert, through the ledger's alert outbox
    const at2 = new Date(at.getTime() + 3_600_000);
    await h.deliver({
      messageType: 'handheld-goods-movement',
      payload: scan(
        'CP-2',
        elsewhere(b!.site),
        { kind: 'vendor-repair-out', vendor: '300001' },
        '4711',
        [b!.serial],
        at2,
      ),
    });
    await h.catchUp();
    await h.sweep(at2);
    await h.sweep(new Date(at2.getTime() + 3_600_000));
    const alerts = await custodyAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'custodyPath', severity: 'warning', serial: b!.serial });
    expect(alerts[0]!.summary).toContain(b!.serial);
    const evidence = alerts[0]!.evidence as { details: unknown; events: { messageId: string | null }[] };
    expect(evidence.details).toMatchObject({ modelVersion: 1, threshold: 0.003 });
    expect(evidence.events[0]?.messageId).toBeTruthy();
    expect((await unnotifiedAlerts(h.store.db, 500)).map((x) => x.id)).toContain(alerts[0]!.id);
  });

  it('the alert and the model are on the serial API', async () => {
    const app = Fastify();
    await app.register(async (scope) =>
      serialRoutes(scope, { db: h.store.db, ledger: h.config, clock: h.clock.now }),
    );
    try {
      const alerts = (
        await app.inject({ method: 'GET', url: '/api/serials/alerts?rule=custodyPath' })
      ).json() as { items: { rule: string }[] };
      const list = alerts.items;
      expect(list.map((a) => a.rule)).toEqual(['custodyPath']);
      const model = (await app.inject({ method: 'GET', url: '/api/serials/custody-model' })).json() as Record<
        string,
        unknown
      >;
      expect(model).toMatchObject({ version: 1, threshold: 0.003, enabled: true });
      expect((model['model'] as { miss: number }).miss).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('relearns the model when retrainHours have passed', async () => {
    await h.sweep(new Date(mid.getTime() + 201 * DAY));
    const v2 = await latestCustodyModel(h.store.db);
    expect(v2?.version).toBe(2);
    const { rows } = await h.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM custody_models');
    expect(rows[0]!.n).toBe(2);
  });
});

describe('custody-path threshold', () => {
  const defaults = custodyPathSettings.parse({});
  it('is the configured one while scans are rarely missed, the stricter one from the high miss rate on', () => {
    expect(defaults.threshold).toBe(0.003);
    expect(defaults.highMiss).toEqual({ rate: 0.1, threshold: 0.001 });
    expect(custodyThreshold(defaults, { miss: 0.03 })).toBe(0.003);
    expect(custodyThreshold(defaults, { miss: 0.0999 })).toBe(0.003);
    expect(custodyThreshold(defaults, { miss: 0.1 })).toBe(0.001);
    expect(custodyThreshold(defaults, { miss: 0.22 })).toBe(0.001);
    const own = custodyPathSettings.parse({ threshold: 0.005, highMiss: { rate: 0.3 } });
    expect(custodyThreshold(own, { miss: 0.22 })).toBe(0.005);
    expect(custodyThreshold(own, { miss: 0.3 })).toBe(0.001);
    expect(() => custodyPathSettings.parse({ highMiss: { rate: 1.5 } })).toThrow();
    expect(() => custodyPathSettings.parse({ highMiss: { treshold: 0.001 } })).toThrow();
  });
});
