/**
 * The export's reads on PostgreSQL/PGlite: each dataset's rows after a cursor, in key order, and
 * the cursors themselves (export_cursors, export_files). The ExportSource of src/export/run.ts.
 *
 * Keys: the identity id for serial events, receipts, alerts and discrepancies; (recorded_at,
 * message_id, delivery, kind) for milestones; the run id for forecasts (one run per batch).
 * Rows younger than `settleMs` are left for the next run: a transaction that drew a lower id but
 * commits later must not be skipped by a cursor that already moved past it.
 */
import type { DatasetName, ExportRow, ExportValue } from '../export/datasets.js';
import { DATASETS } from '../export/datasets.js';
import type { Batch, Cursor, ExportSource } from '../export/run.js';
import type { Db, Queryable, Row } from './db.js';

export interface ExportSourceOptions {
  /** Leave rows younger than this for the next run (default 60 s; 0 in tests). */
  readonly settleMs?: number;
  readonly clock?: () => Date;
}

const TS = (col: string, alias = col): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${alias}`;

interface Query {
  readonly sql: string;
  readonly params: (after: string | null, limit: number, settled: Date) => unknown[];
  readonly key: (r: Row) => string;
}

function idQuery(table: string, select: string, settleColumn: string): Query {
  return {
    sql: `SELECT ${select} FROM ${table}
           WHERE id > $1::bigint AND ${settleColumn} <= $3 ORDER BY id LIMIT $2`,
    params: (after, limit, settled) => [after ?? '0', limit, settled],
    key: (r) => String(r['id']),
  };
}

const QUERIES: Readonly<Record<DatasetName, Query>> = {
  serial_events: idQuery(
    'serial_events',
    `id, ${TS('event_time')}, material, serial, movement, move_type, from_site, from_sloc, to_site, to_sloc,
     state_after, handling_unit, delivery, partner, doc_ref, message_id::text AS message_id, ${TS('recorded_at')}`,
    'recorded_at',
  ),
  delivery_receipts: idQuery(
    'delivery_ledger_receipts',
    `id, delivery, message_id::text AS message_id, line, source, position, material, quantity::float8 AS quantity,
     unit, serials::text AS serials, ${TS('event_at')}, ${TS('recorded_at')}, late`,
    'recorded_at',
  ),
  delivery_milestones: {
    sql: `SELECT delivery, message_id::text AS message_id, kind, ${TS('event_at')}, ${TS('recorded_at')}
            FROM delivery_ledger_milestones
           WHERE ($1::text IS NULL OR (recorded_at, message_id::text, delivery, kind) >
                  (($1::json->>0)::timestamptz, $1::json->>1, $1::json->>2, $1::json->>3))
             AND recorded_at <= $3
           ORDER BY recorded_at, message_id::text, delivery, kind LIMIT $2`,
    params: (after, limit, settled) => [after, limit, settled],
    key: (r) => JSON.stringify([r['recorded_at'], r['message_id'], r['delivery'], r['kind']]),
  },
  serial_alerts: idQuery(
    'serial_alerts',
    `id, rule, severity, material, serial, summary, evidence::text AS evidence, dedupe_key,
     ${TS('detected_at')}, ${TS('created_at')}`,
    'created_at',
  ),
  delivery_discrepancies: idQuery(
    'delivery_discrepancies',
    `id, delivery, origin_site, dest_site, missing_qty::float8 AS missing_qty, missing_serials,
     items::text AS items, ${TS('created_at')}`,
    'created_at',
  ),
  forecasts: {
    sql: `WITH run AS (SELECT id, as_of, level, created_at FROM forecast_runs
                        WHERE id > $1::bigint AND created_at <= $3 ORDER BY id LIMIT 1)
          SELECT f.run_id, to_char(run.as_of, 'YYYY-MM-DD') AS as_of, f.material, f.site,
                 to_char(f.day, 'YYYY-MM-DD') AS day, s.class, s.method, f.mean, f.lower, f.upper,
                 run.level, ${TS('run.created_at', 'created_at')}
            FROM run JOIN forecasts f ON f.run_id = run.id
            JOIN forecast_series s ON s.run_id = f.run_id AND s.material = f.material AND s.site = f.site
           ORDER BY f.material, f.site, f.day
           LIMIT $2`,
    params: (after, limit, settled) => [after ?? '0', Math.max(limit, 10_000_000), settled],
    key: (r) => String(r['run_id']),
  },
};

function value(v: unknown): ExportValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'bigint') return Number(v);
  return JSON.stringify(v);
}

export async function readBatch(
  q: Queryable,
  dataset: DatasetName,
  after: string | null,
  limit: number,
  settled: Date,
): Promise<Batch> {
  const query = QUERIES[dataset];
  const { rows } = await q.query(query.sql, query.params(after, limit, settled));
  const columns = DATASETS[dataset].columns.map((c) => c.name);
  const out: ExportRow[] = rows.map((r) => {
    const o: Record<string, ExportValue> = {};
    for (const c of columns) o[c] = value(r[c]);
    return o;
  });
  const last = rows[rows.length - 1];
  return { rows: out, lastKey: last === undefined ? after : query.key(last) };
}

export function exportSource(db: Db, options: ExportSourceOptions = {}): ExportSource {
  const clock = options.clock ?? (() => new Date());
  const settleMs = options.settleMs ?? 60_000;
  return {
    withCursor: (consumer, dataset, fn) =>
      db.transaction(async (tx) => {
        const now = clock();
        await tx.query(
          `INSERT INTO export_cursors (consumer, dataset, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (consumer, dataset) DO NOTHING`,
          [consumer, dataset, now],
        );
        const { rows } = await tx.query<{ last_key: string | null; batch: number; rows: number | string }>(
          'SELECT last_key, batch, rows FROM export_cursors WHERE consumer = $1 AND dataset = $2 FOR UPDATE',
          [consumer, dataset],
        );
        const row = rows[0];
        const cursor: Cursor = {
          lastKey: row?.last_key ?? null,
          batch: Number(row?.batch ?? 0),
          rows: Number(row?.rows ?? 0),
        };
        const settled = new Date(now.getTime() - settleMs);
        const { commit, result } = await fn(cursor, (limit) =>
          readBatch(tx, dataset, cursor.lastKey, limit, settled),
        );
        if (commit !== null) {
          await tx.query(
            `UPDATE export_cursors SET last_key = $3, batch = $4, rows = rows + $5, updated_at = $6
              WHERE consumer = $1 AND dataset = $2`,
            [consumer, dataset, commit.lastKey, commit.batch, commit.rows, now],
          );
          if (commit.files.length > 0)
            await tx.query(
              `INSERT INTO export_files (consumer, dataset, batch, path, dt, rows, written_at)
               SELECT $1, $2, $3, p, d::date, n, $4 FROM unnest($5::text[], $6::text[], $7::int[]) AS x(p, d, n)
               ON CONFLICT (consumer, path) DO UPDATE SET batch = EXCLUDED.batch, rows = EXCLUDED.rows,
                 written_at = EXCLUDED.written_at`,
              [
                consumer,
                dataset,
                commit.batch,
                now,
                commit.files.map((f) => f.path),
                commit.files.map((f) => f.dt),
                commit.files.map((f) => f.rows),
              ],
            );
        }
        return result;
      }),
  };
}
