/**
 * Stock signals: lead times per lane, order-up-to levels, projected stock-outs and overstock,
 * by hand on small inputs; then from the stores (delivery ledger lead times, serial ledger stock,
 * the latest forecast run) through GET /api/stock-signals and /api/lead-times on PGlite and
 * PostgreSQL.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../src/api/errors.js';
import { forecastRoutes, signalsCsv } from '../../src/api/forecasts.js';
import { runForecasts } from '../../src/forecast/run.js';
import { leadTimes, stockSignal, type StockSignal } from '../../src/forecast/signals.js';
import { forecastPort } from '../../src/store/analytics/forecast-repo.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

const at = (iso: string): Date => new Date(iso);

describe('lead times and stock signals', () => {
  it('lead time per lane: goods issue to first receipt, p50 / p90 / max in days', () => {
    const lanes = leadTimes([
      {
        originSite: 'DC01',
        destSite: 'S1',
        goodsIssueAt: at('2025-01-01T10:00Z'),
        firstReceiptAt: at('2025-01-02T10:00Z'),
      },
      {
        originSite: 'DC01',
        destSite: 'S1',
        goodsIssueAt: at('2025-01-01T10:00Z'),
        firstReceiptAt: at('2025-01-03T10:00Z'),
      },
      {
        originSite: 'DC01',
        destSite: 'S1',
        goodsIssueAt: at('2025-01-01T10:00Z'),
        firstReceiptAt: at('2025-01-05T10:00Z'),
      },
      {
        originSite: 'DC01',
        destSite: 'S2',
        goodsIssueAt: at('2025-01-01T00:00Z'),
        firstReceiptAt: at('2025-01-01T12:00Z'),
      },
      // a receipt dated before the goods issue is not a lead time
      {
        originSite: 'DC01',
        destSite: 'S2',
        goodsIssueAt: at('2025-01-02T00:00Z'),
        firstReceiptAt: at('2025-01-01T00:00Z'),
      },
    ]);
    // days 1, 2, 4: p50 2, p90 = 2 + 0.8 · (4 - 2) = 3.6 (type 7)
    expect(lanes).toEqual([
      { originSite: 'DC01', destSite: 'S1', deliveries: 3, p50Days: 2, p90Days: 3.6, maxDays: 4 },
      { originSite: 'DC01', destSite: 'S2', deliveries: 1, p50Days: 0.5, p90Days: 0.5, maxDays: 0.5 },
    ]);
  });

  it('order-up-to level, suggested order, stock-out day and overstock by hand', () => {
    const mean = new Array<number>(14).fill(2);
    const upper = new Array<number>(14).fill(5); // half-width 3 per day
    // lead 3 days (p90 2.2 rounded up) + review 7 = 10 days: S = 20 + √(10 · 9) = 29.49 -> 30
    const s = stockSignal({
      material: 'M',
      site: 'S1',
      asOf: '2025-03-01',
      mean,
      upper,
      onHand: 5,
      inTransit: 2,
      leadTimeDays: 2.2,
    });
    expect(s).toMatchObject({
      coverDays: 10,
      orderUpTo: 30,
      suggestedOrder: 23,
      overstock: false,
      excess: 0,
    });
    // 7 units, 2 a day: 7 - 2·4 < 0 on the 4th day
    expect(s.stockOutDay).toBe('2025-03-04');
    // horizon 95 %: 28 + √(14 · 9) = 39.2: 50 units are 10 too many
    const over = stockSignal({
      material: 'M',
      site: 'S1',
      asOf: '2025-03-01',
      mean,
      upper,
      onHand: 50,
      inTransit: 0,
      leadTimeDays: null,
    });
    expect(over).toMatchObject({
      coverDays: 9,
      overstock: true,
      excess: 10,
      stockOutDay: null,
      suggestedOrder: 0,
    });
  });
});

for (const backend of backends('forecast_signals')) {
  describe.skipIf(!backend.available)(`stock signals from the stores on ${backend.name}`, () => {
    let h: LedgerHarness;
    const traffic = generateTraffic({ serials: 120, days: 40, seed: 8 });
    const asOf = new Date(traffic[traffic.length - 1]!.at.getTime() + 86_400_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of traffic) await h.deliver(m);
      await h.catchUp();
      // two deliveries DC01 -> S0123 received after 1 and 3 days (the delivery ledger's tables)
      await h.store.db.query(
        `INSERT INTO delivery_ledger (delivery, sap_delivery, origin_site, dest_site, goods_issue_at, due_at, state,
                                      created_at, updated_at)
         VALUES ('L1', 'L1', 'DC01', 'S0123', '2025-02-01T08:00Z', 'infinity', 'closed', now(), now()),
                ('L2', 'L2', 'DC01', 'S0123', '2025-02-05T08:00Z', 'infinity', 'closed', now(), now())`,
      );
      await h.store.db.query(
        `INSERT INTO delivery_ledger_receipts (delivery, message_id, line, source, quantity, event_at, recorded_at, late)
         VALUES ('L1', gen_random_uuid(), 1, 'handheld', 1, '2025-02-02T08:00Z', now(), false),
                ('L1', gen_random_uuid(), 1, 'handheld', 1, '2025-02-04T08:00Z', now(), false),
                ('L2', gen_random_uuid(), 1, 'handheld', 1, '2025-02-08T08:00Z', now(), false),
                ('L2', gen_random_uuid(), 1, 'handheld', 1, '2025-02-06T08:00Z', now(), true)`,
      );
      await runForecasts(forecastPort(h.store.db), { asOf, horizon: 28 });
    });
    afterAll(async () => {
      await h?.store.close();
      await backend.cleanup();
    });

    it('serves lead times and signals built from the ledgers and the latest run', async () => {
      const app = Fastify();
      registerErrorHandling(app);
      await app.register(async (scope) => forecastRoutes(scope, { db: h.store.db }));
      try {
        const lt = (await app.inject({ url: '/api/lead-times' })).json() as { items: unknown[] };
        // first counted receipt: L1 after 1 day (not the later line), L2 after 3 (the late line is ignored)
        expect(lt.items).toEqual([
          { originSite: 'DC01', destSite: 'S0123', deliveries: 2, p50Days: 2, p90Days: 2.8, maxDays: 3 },
        ]);
        const res = await app.inject({ url: '/api/stock-signals?site=S0123' });
        const body = res.json() as { asOf: string; items: StockSignal[] };
        expect(body.asOf).toBe(asOf);
        expect(body.items.length).toBeGreaterThan(0);
        const { rows } = await h.store.db.query<{ material: string; n: number }>(
          `SELECT material, count(*)::int AS n FROM serial_state WHERE site = 'S0123' AND state = 'in-stock'
            GROUP BY material ORDER BY material`,
        );
        for (const s of body.items) {
          expect(s.site).toBe('S0123');
          expect(s.leadTimeDays).toBe(2.8);
          expect(s.coverDays).toBe(10);
          expect(s.onHand).toBe(rows.find((r) => r.material === s.material)?.n ?? 0);
          expect(s.suggestedOrder).toBe(Math.max(0, s.orderUpTo - s.onHand - s.inTransit));
        }
        const csv = await app.inject({ url: '/api/stock-signals?site=S0123&format=csv' });
        expect(csv.body).toBe(signalsCsv(body.items));
        expect((await app.inject({ url: '/api/stock-signals?reviewDays=0' })).statusCode).toBe(400);
        // the projection of one pair: its signal is the list's, its stock falls by the forecast mean
        const one = body.items[0]!;
        const proj = (
          await app.inject({ url: `/api/stock-projection?article=${one.material}&site=S0123` })
        ).json() as { signal: StockSignal; items: { projected: number; mean: number }[] };
        expect(proj.signal).toEqual(one);
        expect(proj.items).toHaveLength(28);
        expect(proj.items[0]!.projected).toBeCloseTo(one.onHand + one.inTransit - proj.items[0]!.mean, 9);
        const none = await app.inject({ url: '/api/stock-projection?article=NOPE&site=S0123' });
        expect([none.statusCode, (none.json() as { code: string }).code]).toEqual([
          404,
          'FORECAST_NOT_FOUND',
        ]);
        expect((await app.inject({ url: '/api/stock-projection?site=S0123' })).statusCode).toBe(400);
        expect(
          (await app.inject({ url: '/api/demand?article=4711&site=S0123&from=2025-13-01' })).statusCode,
        ).toBe(400);
      } finally {
        await app.close();
      }
    });
  });
}
