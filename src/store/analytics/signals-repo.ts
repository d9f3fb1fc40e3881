/**
 * Stock-signal inputs on PostgreSQL/PGlite: lead-time samples from the delivery ledger (actual
 * goods issue → first counted receipt line) and stock positions from the serial ledger's current
 * states (in stock at a site, in transit to it). The StockSignalPort of src/forecast/stock-signals.ts.
 */
import type { LeadTimeSample } from '../../forecast/signals.js';
import type { StockPosition, StockSignalPort } from '../../forecast/stock-signals.js';
import type { Queryable } from '../db/db.js';
import { listForecasts } from './forecast-repo.js';
import { date, num, str } from '../db/columns.js';

export async function leadTimeSamples(q: Queryable): Promise<LeadTimeSample[]> {
  const { rows } = await q.query(
    `SELECT d.delivery, d.origin_site, d.dest_site, d.goods_issue_at, min(r.event_at) AS first_receipt_at
       FROM delivery_ledger d
       JOIN delivery_ledger_receipts r ON r.delivery = d.delivery AND NOT r.late
      WHERE d.goods_issue_at IS NOT NULL
      GROUP BY d.delivery, d.origin_site, d.dest_site, d.goods_issue_at
      ORDER BY d.origin_site, d.dest_site, d.goods_issue_at, d.delivery`,
  );
  return rows.map((r) => ({
    delivery: str(r, 'delivery'),
    originSite: str(r, 'origin_site'),
    destSite: str(r, 'dest_site'),
    goodsIssueAt: date(r, 'goods_issue_at'),
    firstReceiptAt: date(r, 'first_receipt_at'),
  }));
}

export async function stockPositions(
  q: Queryable,
  filter: { material?: string; site?: string },
): Promise<StockPosition[]> {
  const { rows } = await q.query(
    `SELECT material, site,
            count(*) FILTER (WHERE state = 'in-stock')::int AS on_hand,
            count(*) FILTER (WHERE state = 'in-transit')::int AS in_transit
       FROM serial_state
      WHERE site IS NOT NULL AND state IN ('in-stock', 'in-transit')
        AND ($1::text IS NULL OR material = $1::text) AND ($2::text IS NULL OR site = $2::text)
      GROUP BY material, site ORDER BY material, site`,
    [filter.material ?? null, filter.site ?? null],
  );
  return rows.map((r) => ({
    material: str(r, 'material'),
    site: str(r, 'site'),
    onHand: num(r, 'on_hand'),
    inTransit: num(r, 'in_transit'),
  }));
}

export function stockSignalPort(q: Queryable): StockSignalPort {
  return {
    leadTimeSamples: () => leadTimeSamples(q),
    positions: (filter) => stockPositions(q, filter),
    forecasts: (filter) => listForecasts(q, { ...filter, limit: 1_000_000 }),
  };
}
