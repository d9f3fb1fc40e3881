/**
 * Partner data-product cells from the serial ledger: per material × site × ISO week (UTC) the
 * units sold (issued at the site), returned by customers (at the site) and sent to vendor repair
 * (from the site). Only the listed materials are read.
 */
import type { PartnerCell } from '../../export/partner.js';
import type { Queryable } from '../db/db.js';
import { num, str } from '../db/columns.js';

export async function partnerCells(
  q: Queryable,
  materials: readonly string[],
  window: { from?: Date; to?: Date } = {},
): Promise<PartnerCell[]> {
  if (materials.length === 0) return [];
  const { rows } = await q.query(
    `SELECT material, site, to_char(event_time AT TIME ZONE 'UTC', 'IYYY-"W"IW') AS week,
            count(*) FILTER (WHERE movement = 'issued')::int AS sold,
            count(*) FILTER (WHERE movement = 'returned')::int AS returned,
            count(*) FILTER (WHERE movement = 'out-to-vendor')::int AS repairs
       FROM (SELECT material, movement, event_time,
                    CASE WHEN movement = 'returned' THEN coalesce(to_site, from_site) ELSE from_site END AS site
               FROM serial_events
              WHERE material = ANY($1::text[]) AND movement IN ('issued', 'returned', 'out-to-vendor')
                AND ($2::timestamptz IS NULL OR event_time >= $2::timestamptz)
                AND ($3::timestamptz IS NULL OR event_time < $3::timestamptz)) e
      WHERE site IS NOT NULL
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    [materials, window.from ?? null, window.to ?? null],
  );
  return rows.map((r) => ({
    material: str(r, 'material'),
    site: str(r, 'site'),
    week: str(r, 'week'),
    sold: num(r, 'sold'),
    returned: num(r, 'returned'),
    repairs: num(r, 'repairs'),
  }));
}
