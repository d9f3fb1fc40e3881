/**
 * Demand from the serial ledger and the stored forecast run, on PGlite and PostgreSQL: the daily
 * issues per article × site add up to the ledger's issue events, zero-stock days are censored,
 * the run is stored (one row per series and day, article totals bottom-up) and served by
 * GET /api/forecasts as JSON and CSV.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../../src/api/errors.js';
import { forecastCsv, forecastRoutes } from '../../src/api/forecasts.js';
import { addDays, buildDemand, type LedgerMovement } from '../../src/forecast/demand.js';
import { ALL_SITES, ARTICLE_METHOD, runForecasts } from '../../src/forecast/run.js';
import { computeStockSignals } from '../../src/forecast/stock-signals.js';
import { stockSignalPort } from '../../src/store/analytics/signals-repo.js';
import { forecastPort, ledgerMovements, listForecasts } from '../../src/store/analytics/forecast-repo.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

const mv = (
  serial: string,
  movement: string,
  day: number,
  fromSite: string | null,
  toSite: string | null,
  stateAfter: string,
): LedgerMovement => ({
  material: 'M1',
  serial,
  movement,
  fromSite,
  toSite,
  stateAfter,
  eventTime: new Date(Date.parse('2025-03-01T12:00:00Z') + day * 86_400_000),
});

describe('buildDemand', () => {
  it('counts issues per day and censors only the days the site had nothing all day', () => {
    // two units arrive at S1 on day 0, one sold day 1, one day 2; nothing on hand days 3-4;
    // a unit arrives day 5 (that day is not censored even without a sale), sold day 6
    const demand = buildDemand(
      [
        mv('a', 'received', 0, 'DC', 'S1', 'in-stock'),
        mv('a', 'issued', 1, 'S1', null, 'issued'),
        mv('b', 'received', 0, 'DC', 'S1', 'in-stock'),
        mv('b', 'issued', 2, 'S1', null, 'issued'),
        mv('c', 'received', -10, null, 'DC', 'in-stock'),
        mv('c', 'shipped', 4, 'DC', 'S1', 'in-transit'),
        mv('c', 'received', 5, null, 'S1', 'in-stock'),
        mv('c', 'issued', 6, null, null, 'issued'),
      ],
      '2025-03-01',
      '2025-03-08',
    );
    const s1 = demand.find((d) => d.site === 'S1');
    expect(demand.map((d) => d.site)).toEqual(['S1']); // DC never issued: no series
    expect(s1?.issues).toEqual([0, 1, 1, 0, 0, 0, 1, 0]);
    expect(s1?.onHand).toEqual([2, 1, 0, 0, 0, 1, 0, 0]);
    expect(s1?.censored).toEqual([false, false, false, true, true, false, false, true]);
  });
});

for (const backend of backends('forecast_ledger')) {
  describe.skipIf(!backend.available)(`forecast from the ledger on ${backend.name}`, () => {
    let h: LedgerHarness;
    const traffic = generateTraffic({ serials: 150, days: 60, seed: 5 });
    const asOf = new Date(traffic[traffic.length - 1]!.at.getTime() + 86_400_000).toISOString().slice(0, 10);

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of traffic) await h.deliver(m);
      expect((await h.catchUp()).failed).toBe(0);
    });
    afterAll(async () => {
      await h?.store.close();
      await backend.cleanup();
    });

    it('demand adds up to the issue events of the ledger, per material and site', async () => {
      const { rows } = await h.store.db.query<{ material: string; site: string; n: number }>(
        `SELECT material, from_site AS site, count(*)::int AS n FROM serial_events
          WHERE movement = 'issued' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      expect(rows.length).toBeGreaterThan(3);
      const demand = buildDemand(
        await ledgerMovements(h.store.db, new Date(`${asOf}T00:00:00Z`)),
        '2025-01-06',
        asOf,
      );
      expect(
        demand.map((d) => ({ material: d.material, site: d.site, n: d.issues.reduce((a, b) => a + b, 0) })),
      ).toEqual(rows);
      // on-hand never negative, and stores do run dry in this traffic
      for (const d of demand) expect(Math.min(...d.onHand)).toBeGreaterThanOrEqual(0);
      expect(demand.some((d) => d.censored.some(Boolean))).toBe(true);
    });

    it('stores a run and serves it as JSON and CSV', async () => {
      const r = await runForecasts(forecastPort(h.store.db), { asOf, horizon: 28, now: () => new Date() });
      expect(r.runId).not.toBeNull();
      const series = r.run?.series ?? [];
      const sites = series.filter((s) => s.site !== ALL_SITES);
      expect(sites.length).toBeGreaterThan(3);
      const { rows } = await h.store.db.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE grain = 'day')::int AS n, count(*) FILTER (WHERE grain = 'week')::int AS w
           FROM forecasts WHERE run_id = $1`,
        [r.runId],
      );
      expect(rows[0]?.n).toBe(series.length * 28);
      // weekly: the same series, 4 weeks each, fitted on weekly buckets
      const weekly = r.run?.weekly ?? [];
      expect(weekly.map((s) => `${s.material}|${s.site}`).sort()).toEqual(
        series.map((s) => `${s.material}|${s.site}`).sort(),
      );
      expect((rows[0] as unknown as { w: number }).w).toBe(weekly.length * 4);
      // the article total is the sum of its sites
      const total = series.find((s) => s.site === ALL_SITES && s.material === '4711');
      const parts = sites.filter((s) => s.material === '4711');
      expect(total?.mean[0]).toBeCloseTo(
        parts.reduce((a, s) => a + (s.mean[0] ?? 0), 0),
        9,
      );
      expect(parts.some((s) => s.censoredDays > 0)).toBe(true);

      const stored = await listForecasts(h.store.db, { article: '4711', site: 'S0123' });
      expect(stored).toHaveLength(28);
      expect(stored[0]?.day).toBe(asOf);
      for (const f of stored) expect(f.lower).toBeLessThanOrEqual(f.upper);

      const app = Fastify();
      registerErrorHandling(app);
      await app.register(async (scope) => forecastRoutes(scope, { db: h.store.db }));
      const json = await app.inject({ url: '/api/forecasts?article=4711&site=S0123' });
      expect(json.statusCode).toBe(200);
      expect((json.json() as { items: unknown[] }).items).toEqual(stored);
      const csv = await app.inject({ url: '/api/forecasts?article=4711&site=S0123&format=csv' });
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toBe(forecastCsv(stored));
      expect(csv.body.split('\r\n')[0]).toBe(
        'runId,grain,material,site,day,class,method,mean,lower,upper,level',
      );
      expect(csv.body.trim().split('\r\n')).toHaveLength(29);
      const bad = await app.inject({ url: '/api/forecasts?run=abc' });
      expect(bad.statusCode).toBe(400);
      // weekly rows: one per week from the as-of day, the week's first day
      const weeks = await app.inject({ url: '/api/forecasts?article=4711&site=S0123&grain=week' });
      expect(weeks.statusCode).toBe(200);
      const wItems = (
        weeks.json() as { items: { day: string; grain: string; mean: number; upper: number }[] }
      ).items;
      expect(wItems.map((w) => w.day)).toEqual([0, 7, 14, 21].map((d) => addDays(asOf, d)));
      expect(wItems.every((w) => w.grain === 'week' && w.upper >= w.mean)).toBe(true);
      const leaf = weekly.find((s) => s.material === '4711' && s.site === 'S0123')!;
      expect(wItems.map((w) => w.mean)).toEqual(leaf.mean);
      const wCsv = await app.inject({ url: '/api/forecasts?article=4711&site=S0123&grain=week&format=csv' });
      expect(wCsv.headers['content-disposition']).toContain('forecasts-weekly.csv');
      expect(wCsv.body.trim().split('\r\n')).toHaveLength(5);
      const wSeries = await app.inject({ url: '/api/forecast-series?grain=week' });
      expect((wSeries.json() as { items: { grain: string }[] }).items).toHaveLength(weekly.length);
      const badGrain = await app.inject({ url: '/api/forecasts?grain=month' });
      expect(badGrain.statusCode).toBe(400);
      expect((badGrain.json() as { code: string }).code).toBe('QUERY_INVALID');
      await app.close();
    });

    it('stores the article → variant → site totals, which add up, and stock signals skip them', async () => {
      const r = await runForecasts(forecastPort(h.store.db), {
        asOf,
        horizon: 7,
        articles: { TEE: ['4711', '4712'] },
      });
      const stored = await listForecasts(h.store.db, { runId: r.runId! });
      const sum = (rows: typeof stored): number => rows.reduce((a, f) => a + f.mean, 0);
      const article = stored.filter((f) => f.material === 'TEE');
      const total = article.filter((f) => f.site === ALL_SITES);
      expect(total).toHaveLength(7);
      const leaves = stored.filter((f) => ['4711', '4712'].includes(f.material) && f.site !== ALL_SITES);
      const variantTotals = stored.filter(
        (f) => ['4711', '4712'].includes(f.material) && f.site === ALL_SITES,
      );
      // the three levels give the same total demand over the horizon
      expect(sum(total)).toBeCloseTo(sum(article.filter((f) => f.site !== ALL_SITES)), 9);
      expect(sum(total)).toBeCloseTo(sum(variantTotals), 9);
      expect(sum(total)).toBeCloseTo(sum(leaves), 9);
      expect(new Set(article.map((f) => f.method))).toEqual(new Set([ARTICLE_METHOD]));
      const signals = await computeStockSignals(stockSignalPort(h.store.db));
      expect(signals.signals.length).toBeGreaterThan(0);
      expect(signals.signals.some((s) => s.material === 'TEE')).toBe(false);
    });
  });
}
