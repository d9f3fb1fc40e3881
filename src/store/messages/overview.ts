/**
 * Time series for the console's overview (the support role's `overviewSeries`): per time bucket,
 * messages received, delivered, failed attempts, dead-lettered, and delivery latency (receipt ->
 * delivered, median and 95th percentile). Plain SQL over the message tables (same on PostgreSQL
 * and PGlite); empty buckets are filled in.
 */
import type { BucketSize, OverviewPoint, OverviewRange } from '../../pipeline/store-port.js';
import type { Queryable } from '../db/db.js';

const BUCKET_MS: Readonly<Record<BucketSize, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function floorTo(ms: number, bucket: BucketSize): number {
  return Math.floor(ms / BUCKET_MS[bucket]) * BUCKET_MS[bucket];
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
}

function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null;
}

function bucketKey(v: unknown, bucket: BucketSize): number {
  const d = v instanceof Date ? v : new Date(String(v));
  return floorTo(d.getTime(), bucket);
}

/** One point per bucket from `from` (floored) up to `to`. */
export async function overviewSeries(db: Queryable, range: OverviewRange): Promise<OverviewPoint[]> {
  const { from, to, bucket } = range;
  // Buckets are computed in SQL from epoch seconds, so the session time zone does not matter.
  const size = BUCKET_MS[bucket] / 1000;
  const b = (col: string): string => `to_timestamp(floor(extract(epoch from ${col}) / ${size}) * ${size})`;
  const params = [from, to];
  const [received, history, attempts] = await Promise.all([
    db.query(
      `SELECT ${b('created_at')} AS b, count(*) AS n FROM messages
        WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`,
      params,
    ),
    db.query(
      `SELECT ${b('h.at')} AS b,
              count(*) FILTER (WHERE h.to_status = 'delivered') AS delivered,
              count(*) FILTER (WHERE h.to_status = 'dead') AS dead,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch from h.at - m.created_at))
                FILTER (WHERE h.to_status = 'delivered') AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch from h.at - m.created_at))
                FILTER (WHERE h.to_status = 'delivered') AS p95
         FROM message_status_history h JOIN messages m ON m.id = h.message_id
        WHERE h.at >= $1 AND h.at < $2 AND h.to_status IN ('delivered', 'dead') GROUP BY 1`,
      params,
    ),
    db.query(
      `SELECT ${b('at')} AS b, count(*) AS n FROM message_attempts
        WHERE at >= $1 AND at < $2 AND outcome = 'error' GROUP BY 1`,
      params,
    ),
  ]);
  const points = new Map<number, { -readonly [K in keyof OverviewPoint]: OverviewPoint[K] }>();
  for (let t = floorTo(from.getTime(), bucket); t < to.getTime(); t += BUCKET_MS[bucket]) {
    points.set(t, {
      at: new Date(t).toISOString(),
      received: 0,
      delivered: 0,
      failedAttempts: 0,
      dead: 0,
      latencyP50: null,
      latencyP95: null,
    });
  }
  for (const r of received.rows) {
    const p = points.get(bucketKey(r['b'], bucket));
    if (p) p.received = num(r['n']);
  }
  for (const r of history.rows) {
    const p = points.get(bucketKey(r['b'], bucket));
    if (!p) continue;
    p.delivered = num(r['delivered']);
    p.dead = num(r['dead']);
    p.latencyP50 = numOrNull(r['p50']);
    p.latencyP95 = numOrNull(r['p95']);
  }
  for (const r of attempts.rows) {
    const p = points.get(bucketKey(r['b'], bucket));
    if (p) p.failedAttempts = num(r['n']);
  }
  return [...points.values()];
}
