/**
 * The simulator drives the real gateway (SAP edge, partner edge, workers, fake SAP) into the real
 * ledgers on PGlite; the bench's direct path gives the same ledger rows on the same run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeDirect } from '../../src/intelligence/simulator/direct.js';
import { toGatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { simulate, type Simulation } from '../../src/intelligence/simulator/simulate.js';
import { openSimLedgers } from '../../src/intelligence/sim-ledgers.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { definitions, mappings } from '../pipeline/harness.js';
import { pgliteBackend } from '../store/backends.js';
import { startSimGateway, type SimGateway } from './gateway.js';

let sim: Simulation;
let gw: SimGateway;

/** What the ledgers hold, in a comparable form (no message ids, no recording times). */
async function ledgerRows(store: OpenedStore): Promise<unknown> {
  const q = async (sql: string): Promise<unknown[]> => (await store.db.query(sql)).rows;
  return {
    deliveries: await q(
      `SELECT delivery, origin_site, dest_site, state, goods_issue_at, picked_at, due_at,
              expected_qty::text, received_qty::text, handling_units
         FROM delivery_ledger ORDER BY delivery`,
    ),
    serials: await q(
      `SELECT delivery, material, serial, position, handling_unit FROM delivery_ledger_serials
        ORDER BY delivery, material, serial`,
    ),
    receipts: await q(
      `SELECT delivery, position, material, quantity::text, serials, event_at FROM delivery_ledger_receipts
        ORDER BY delivery, event_at, position`,
    ),
    events: await q(
      `SELECT material, serial, movement, from_site, to_site, handling_unit, delivery, event_time
         FROM serial_events ORDER BY material, serial, event_time, movement`,
    ),
  };
}

beforeAll(async () => {
  sim = simulate({ seed: 7, days: 3, network: 'sites-yaml', knobs: { deliveriesPerDcPerDay: 2 } });
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
      deliveries: { state: string; goods_issue_at: Date | null }[];
      receipts: unknown[];
      events: { movement: string }[];
    };
    expect(viaGateway.deliveries).toHaveLength(sim.truth.length);
    expect(viaGateway.deliveries.every((d) => ['open', 'partial', 'closed'].includes(d.state))).toBe(true);
    expect(viaGateway.deliveries.every((d) => d.goods_issue_at !== null)).toBe(true);
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
      for (const m of messages) await storeDirect(store, m);
      await ledgers.catchUp();
      await ledgers.close();
      expect(await ledgerRows(store)).toEqual(viaGateway);
    } finally {
      await store.close();
      await backend.cleanup();
    }
  }, 180_000);
});
