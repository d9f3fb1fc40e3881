/**
 * The delivery ledger's catch-up applies a round's announcements, confirmations and receipts in
 * groups, one transaction per group (src/ledger/deliveries/catch-up.ts). Grouping must not change
 * what any delivery ends up as: the same messages, caught up one message per round or a whole run
 * per round, give the same ledger rows and the same applied outcomes and notes — in time order
 * and in an order where confirmations and receipts overtake their announcements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeDirect } from '../../../src/intelligence/simulator/direct.js';
import { toGatewayMessage, type GatewayMessage } from '../../../src/intelligence/simulator/payloads.js';
import { simulate } from '../../../src/intelligence/simulator/simulate.js';
import { openSimLedgers } from '../../../src/wiring/sim-ledgers.js';
import type { OpenedStore } from '../../../src/store/open-store.js';
import { definitions, mappings } from '../../pipeline/harness.js';
import { pgliteBackend } from '../../store/backends.js';
import { ledgerRows } from '../../support/ledger-rows.js';

const sim = simulate({
  seed: 3,
  days: 3,
  network: 'sites-yaml',
  knobs: {
    deliveriesPerDcPerDay: 2,
    carrierLoss: { typical: 0.05, bad: 0.3, badShare: 0.5 },
    storeMisscan: { typical: 0.05, bad: 0.3, badShare: 0.5 },
  },
});
const inTimeOrder = sim.events.map(toGatewayMessage);
/** Every run of 7 messages reversed: receipts and confirmations come before what they follow. */
const overtaking: GatewayMessage[] = [];
for (let i = 0; i < inTimeOrder.length; i += 7) overtaking.push(...inTimeOrder.slice(i, i + 7).reverse());

async function caughtUp(messages: readonly GatewayMessage[], batchSize: number): Promise<unknown> {
  const backend = pgliteBackend(`groups-${batchSize}`);
  const store: OpenedStore = await backend.open();
  try {
    const ledgers = await openSimLedgers({
      store,
      network: sim.network,
      definitions,
      tables: mappings.tables,
      batchSize,
    });
    for (const m of messages) await storeDirect(store, m);
    await ledgers.catchUp();
    await ledgers.close();
    const applied = await store.db.query(
      `SELECT m.idempotency_key, a.outcome, a.note FROM delivery_ledger_applied a
         JOIN messages m ON m.id = a.message_id ORDER BY m.idempotency_key`,
    );
    const milestones = await store.db.query(
      'SELECT delivery, kind, event_at FROM delivery_ledger_milestones ORDER BY delivery, kind, event_at',
    );
    return { ...(await ledgerRows(store)), applied: applied.rows, milestones: milestones.rows };
  } finally {
    await store.close();
    await backend.cleanup();
  }
}

describe('delivery ledger catch-up in groups', () => {
  let orders: { name: string; one: unknown; grouped: unknown }[] = [];
  beforeAll(async () => {
    orders = [];
    for (const [name, messages] of [
      ['time order', inTimeOrder],
      ['overtaking', overtaking],
    ] as const)
      orders.push({ name, one: await caughtUp(messages, 1), grouped: await caughtUp(messages, 1000) });
  }, 240_000);
  afterAll(() => {
    orders = [];
  });

  it('gives the rows and notes of one message per round, in time order and overtaking', () => {
    expect(inTimeOrder.length).toBeGreaterThan(50);
    for (const o of orders) {
      const one = o.one as { applied: { outcome: string; note: string | null }[]; receipts: unknown[] };
      expect(one.receipts.length, o.name).toBeGreaterThan(0);
      expect(o.grouped, o.name).toEqual(o.one);
    }
    // the overtaking order does exercise receipts and confirmations before their announcement
    const overtaken = orders[1]!.one as { applied: { note: string | null }[] };
    expect(overtaken.applied.some((a) => a.note?.includes('not (yet) known') === true)).toBe(true);
  });
});
