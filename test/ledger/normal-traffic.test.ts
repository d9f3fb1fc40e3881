/**
 * A generated normal-traffic run (DC -> store deliveries, receipts, sales, returns, 541/542
 * cycles, store transfers, scrapping) through the store and the catch-up feed: the ledger ends
 * in the states the generator expects, and no anomaly rule raises an alert. A planted outlier
 * (one serial moved back and forth) is then caught by the frequency rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts } from '../../src/store/serials/alerts.js';
import { countsBySite } from '../../src/store/serials/queries.js';
import { backends } from '../store/backends.js';
import { openLedger, type LedgerHarness } from './support.js';
import { generateTraffic, scan, TRAFFIC_LEDGER_CONFIG } from './traffic.js';

const backend =
  backends('ledger_traffic').find((b) => b.name === 'postgres' && b.available) ??
  backends('ledger_traffic')[0]!;

describe(`normal traffic on ${backend.name}`, () => {
  let h: LedgerHarness;
  const traffic = generateTraffic({ serials: 240, days: 45, seed: 7 });
  const last = traffic[traffic.length - 1]!.at;

  beforeAll(async () => {
    h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
    for (const m of traffic) await h.deliver(m);
    const r = await h.catchUp();
    expect(r.failed).toBe(0);
  });
  afterAll(async () => {
    await h?.store.close();
    await backend.cleanup();
  });

  it('applies every serial movement and raises no alert (event rules, then sweeps the day after)', async () => {
    expect(traffic.length).toBeGreaterThan(150);
    const { rows } = await h.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM serial_events');
    expect(rows[0]!.n).toBeGreaterThan(400);
    expect(await h.sweep(new Date(last.getTime() + 86_400_000))).toBe(0);
    expect(await listAlerts(h.store.db, { limit: 500 })).toEqual([]);
    const counts = await countsBySite(h.store.db);
    const states = new Set(counts.map((c) => c.state));
    for (const s of ['in-stock', 'issued', 'scrapped']) expect(states).toContain(s);
  });

  it('the frequency rule picks out a serial moved far more often than its material population', async () => {
    const stock = await h.store.db.query<{ serial: string; site: string }>(
      "SELECT serial, site FROM serial_state WHERE material = '4711' AND state = 'in-stock' AND site LIKE 'S%' ORDER BY serial LIMIT 1",
    );
    const { serial, site } = stock.rows[0]!;
    const other = site === 'S0123' ? 'S0124' : 'S0123';
    let at = new Date(last.getTime() + 3_600_000);
    let from = site;
    for (let i = 0; i < 12; i++) {
      const to = from === site ? other : site;
      at = new Date(at.getTime() + 3_600_000);
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(`FQ-${i}`, from, { kind: 'transfer-site', toSite: to }, '4711', [serial], at),
      });
      from = to;
    }
    await h.catchUp();
    expect(await h.sweep(new Date(at.getTime() + 60_000))).toBe(1);
    const alerts = await listAlerts(h.store.db, { rules: ['frequency'] });
    expect(alerts.map((a) => a.serial)).toEqual([serial]);
    expect(alerts[0]!.evidence).toMatchObject({ details: { count: expect.any(Number) as number } });
  });
});
