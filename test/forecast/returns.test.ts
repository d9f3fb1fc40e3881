/**
 * Returns rate and vendor-repair turnaround from serial events, on PGlite and PostgreSQL: a
 * hand-made history with known answers (rows written into serial_events), then the generated
 * traffic's repair cycles (541/542 within 5-20 days at vendor 300001) through GET /api/returns.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastRoutes } from '../../src/api/forecasts.js';
import { repairTurnarounds, returnsRates } from '../../src/store/analytics/returns-repo.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

for (const backend of backends('forecast_returns')) {
  describe.skipIf(!backend.available)(`returns and repairs on ${backend.name}`, () => {
    let h: LedgerHarness;

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of generateTraffic({ serials: 150, days: 60, seed: 6 })) await h.deliver(m);
      await h.catchUp();
      // material X9: 4 sold, 1 returned; A out 2 days to V1, B out 4 days to V1 and again (still
      // out), C out 10 days to V2
      const ev: [string, string, string | null, string][] = [
        ['A', 'issued', null, '2025-05-01T10:00Z'],
        ['B', 'issued', null, '2025-05-01T11:00Z'],
        ['C', 'issued', null, '2025-05-02T10:00Z'],
        ['D', 'issued', null, '2025-05-02T11:00Z'],
        ['D', 'returned', null, '2025-05-03T10:00Z'],
        ['A', 'out-to-vendor', 'V1', '2025-05-10T00:00Z'],
        ['A', 'back-from-vendor', 'V1', '2025-05-12T00:00Z'],
        ['B', 'out-to-vendor', 'V1', '2025-05-10T00:00Z'],
        ['B', 'back-from-vendor', 'V1', '2025-05-14T00:00Z'],
        ['B', 'out-to-vendor', 'V1', '2025-05-20T00:00Z'],
        ['C', 'out-to-vendor', 'V2', '2025-05-10T00:00Z'],
        ['C', 'back-from-vendor', 'V2', '2025-05-20T00:00Z'],
      ];
      for (const [serial, movement, partner, t] of ev)
        await h.store.db.query(
          `INSERT INTO serial_events (fingerprint, material, serial, movement, state_after, partner, event_time, recorded_at)
           VALUES (md5($1)::uuid, 'X9', $2, $3, 'in-stock', $4, $5, now())`,
          [`${serial}${movement}${t}`, serial, movement, partner, t],
        );
    });
    afterAll(async () => {
      await h?.store.close();
      await backend.cleanup();
    });

    it('computes the hand-made answers', async () => {
      expect(await returnsRates(h.store.db, { material: 'X9' })).toEqual([
        { material: 'X9', issued: 4, returned: 1, rate: 0.25 },
      ]);
      // V1: 2 and 4 days back, one still out: p50 3, p90 2 + 0.9 · 2 = 3.8
      expect(await repairTurnarounds(h.store.db, { material: 'X9' })).toEqual([
        { material: 'X9', vendor: 'V1', sent: 3, back: 2, open: 1, p50Days: 3, p90Days: 3.8, maxDays: 4 },
        { material: 'X9', vendor: 'V2', sent: 1, back: 1, open: 0, p50Days: 10, p90Days: 10, maxDays: 10 },
      ]);
      // the window is on the 541's event time
      expect(
        (await repairTurnarounds(h.store.db, { material: 'X9', from: new Date('2025-05-15T00:00Z') }))[0],
      ).toMatchObject({ vendor: 'V1', sent: 1, back: 0, open: 1, p50Days: null });
    });

    it('serves the traffic repair cycles (5-20 days at vendor 300001) through the API', async () => {
      const app = Fastify();
      await app.register(async (scope) => forecastRoutes(scope, { db: h.store.db }));
      try {
        const r = (await app.inject({ url: '/api/returns?article=4711' })).json() as {
          returns: { material: string; issued: number; returned: number }[];
          repairs: { vendor: string; back: number; p50Days: number; maxDays: number }[];
        };
        expect(r.returns).toHaveLength(1);
        expect(r.returns[0]!.issued).toBeGreaterThan(0);
        const v = r.repairs.find((x) => x.vendor === '300001');
        expect(v?.back).toBeGreaterThan(0);
        expect(v!.p50Days).toBeGreaterThanOrEqual(5);
        expect(v!.maxDays).toBeLessThanOrEqual(20.5);
      } finally {
        await app.close();
      }
    });
  });
}
