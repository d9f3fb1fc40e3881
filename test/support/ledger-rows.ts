/**
 * What the delivery and serial ledgers hold, in a comparable form (no message ids, no recording
 * times): two ledgers fed the same messages must give equal rows.
 */
import type { OpenedStore } from '../../src/store/open-store.js';

export async function ledgerRows(store: OpenedStore): Promise<Record<string, unknown[]>> {
  const q = async (sql: string): Promise<unknown[]> => (await store.db.query(sql)).rows;
  return {
    deliveries: await q(
      `SELECT delivery, origin_site, dest_site, carrier, state, goods_issue_at, picked_at, due_at,
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
