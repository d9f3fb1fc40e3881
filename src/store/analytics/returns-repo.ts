/**
 * Returns and vendor repairs per article from the serial ledger's events:
 * - returns rate = customer returns (movement `returned`) / units issued (`issued`) per material;
 * - repair turnaround = out-to-vendor (541) → the serial's next back-from-vendor (542), in days,
 *   per material and vendor (the event's partner); a unit still out counts as open.
 * Optional window on the event time (from inclusive, to exclusive).
 */
import type { Queryable } from '../db/db.js';
import { num, str } from '../db/columns.js';

export interface ReturnsRate {
  readonly material: string;
  readonly issued: number;
  readonly returned: number;
  /** returned / issued; null when nothing was issued. */
  readonly rate: number | null;
}

export interface RepairTurnaround {
  readonly material: string;
  readonly vendor: string;
  readonly sent: number;
  readonly back: number;
  readonly open: number;
  readonly p50Days: number | null;
  readonly p90Days: number | null;
  readonly maxDays: number | null;
}

export interface ReturnsFilter {
  readonly material?: string;
  readonly from?: Date;
  readonly to?: Date;
}

const opt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function returnsRates(q: Queryable, f: ReturnsFilter = {}): Promise<ReturnsRate[]> {
  const { rows } = await q.query(
    `SELECT material,
            count(*) FILTER (WHERE movement = 'issued')::int AS issued,
            count(*) FILTER (WHERE movement = 'returned')::int AS returned
       FROM serial_events
      WHERE movement IN ('issued', 'returned')
        AND ($1::text IS NULL OR material = $1::text)
        AND ($2::timestamptz IS NULL OR event_time >= $2::timestamptz)
        AND ($3::timestamptz IS NULL OR event_time < $3::timestamptz)
      GROUP BY material ORDER BY material`,
    [f.material ?? null, f.from ?? null, f.to ?? null],
  );
  return rows.map((r) => {
    const issued = num(r, 'issued');
    const returned = num(r, 'returned');
    return { material: str(r, 'material'), issued, returned, rate: issued === 0 ? null : returned / issued };
  });
}

export async function repairTurnarounds(q: Queryable, f: ReturnsFilter = {}): Promise<RepairTurnaround[]> {
  const { rows } = await q.query(
    `WITH v AS (
       SELECT material, serial, movement, partner, event_time,
              lead(movement) OVER w AS next_movement, lead(event_time) OVER w AS next_time
         FROM serial_events
        WHERE movement IN ('out-to-vendor', 'back-from-vendor')
          AND ($1::text IS NULL OR material = $1::text)
       WINDOW w AS (PARTITION BY material, serial ORDER BY event_time, id)),
     t AS (
       SELECT material, coalesce(partner, '') AS vendor,
              CASE WHEN next_movement = 'back-from-vendor'
                   THEN extract(epoch FROM next_time - event_time)::float8 / 86400 END AS days
         FROM v
        WHERE movement = 'out-to-vendor'
          AND ($2::timestamptz IS NULL OR event_time >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR event_time < $3::timestamptz))
     SELECT material, vendor, count(*)::int AS sent, count(days)::int AS back,
            (count(*) - count(days))::int AS open,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90,
            max(days) AS max
       FROM t GROUP BY material, vendor ORDER BY material, vendor`,
    [f.material ?? null, f.from ?? null, f.to ?? null],
  );
  return rows.map((r) => ({
    material: str(r, 'material'),
    vendor: str(r, 'vendor'),
    sent: num(r, 'sent'),
    back: num(r, 'back'),
    open: num(r, 'open'),
    p50Days: opt(r['p50']),
    p90Days: opt(r['p90']),
    maxDays: opt(r['max']),
  }));
}
