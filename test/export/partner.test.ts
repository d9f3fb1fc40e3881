/**
 * Partner data products: a partner sees its own articles only and no cell of fewer than k units
 * (property-based over random cells), and the cells built from the serial ledger (PGlite and
 * PostgreSQL) add up to the ledger's own counts for the published cells.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerCsv, partnerProduct, type PartnerCell } from '../../src/export/partner.js';
import { partnerCells } from '../../src/store/analytics/partner-repo.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

const cell = fc.record({
  material: fc.constantFrom('A1', 'A2', 'B1', 'B2'),
  site: fc.constantFrom('S1', 'S2', 'S3'),
  week: fc.constantFrom('2025-W01', '2025-W02'),
  sold: fc.integer({ min: 0, max: 40 }),
  returned: fc.integer({ min: 0, max: 5 }),
  repairs: fc.integer({ min: 0, max: 5 }),
});

describe('partnerProduct', () => {
  it('never shows another partner’s article nor a cell under k units, and drops nothing else', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (cells, k) => {
        const p = partnerProduct({ partner: 'OEMA', materials: ['A1', 'A2'], k }, cells);
        for (const c of p.cells) {
          expect(['A1', 'A2']).toContain(c.material);
          expect(c.sold).toBeGreaterThanOrEqual(k);
        }
        const own = cells.filter((c) => c.material.startsWith('A'));
        expect(p.cells.length).toBe(own.filter((c) => c.sold >= k).length);
        expect(p.suppressed).toBe(own.filter((c) => c.sold < k).length);
        expect(partnerCsv(p)).not.toMatch(/B[12]/);
      }),
    );
  });

  it('defaults k to 10', () => {
    const cells: PartnerCell[] = [
      { material: 'A1', site: 'S1', week: '2025-W01', sold: 9, returned: 1, repairs: 0 },
      { material: 'A1', site: 'S2', week: '2025-W01', sold: 10, returned: 1, repairs: 0 },
    ];
    expect(partnerProduct({ partner: 'OEMA', materials: ['A1'] }, cells)).toMatchObject({
      k: 10,
      suppressed: 1,
      cells: [{ site: 'S2', sold: 10 }],
    });
  });
});

for (const backend of backends('export_partner')) {
  describe.skipIf(!backend.available)(`partner cells from the ledger on ${backend.name}`, () => {
    let h: LedgerHarness;
    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of generateTraffic({ serials: 240, days: 70, seed: 12 })) await h.deliver(m);
      await h.catchUp();
    });
    afterAll(async () => {
      await h?.store.close();
      await backend.cleanup();
    });

    it('reads only the partner’s articles; published cells match the ledger', async () => {
      const cells = await partnerCells(h.store.db, ['4711']);
      expect(cells.length).toBeGreaterThan(0);
      expect(new Set(cells.map((c) => c.material))).toEqual(new Set(['4711']));
      const k = 3;
      const p = partnerProduct({ partner: 'OEM1', materials: ['4711'], k }, cells);
      expect(p.cells.length).toBeGreaterThan(0);
      expect(p.suppressed).toBeGreaterThan(0);
      expect(partnerCsv(p)).not.toMatch(/4712|4713/);
      const { rows } = await h.store.db.query<{ site: string; week: string; n: number }>(
        `SELECT from_site AS site, to_char(event_time AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week, count(*)::int AS n
           FROM serial_events WHERE material = '4711' AND movement = 'issued' GROUP BY 1, 2`,
      );
      for (const c of p.cells) {
        expect(c.sold).toBeGreaterThanOrEqual(k);
        expect(c.sold).toBe(rows.find((r) => r.site === c.site && r.week === c.week)?.n);
      }
      // everything the partner did not get is in a suppressed cell
      expect(p.cells.length + p.suppressed).toBe(cells.length);
    });
  });
}
