/**
 * The export's reads on PostgreSQL/PGlite: each dataset's rows after a cursor, in key order, as
 * JSON text built by the database (json_build_object over the dataset's columns), and the
 * cursors themselves (export_cursors, export_files). The ExportSource of src/export/run.ts.
 *
 * Keys: the identity id for serial events, receipts, alerts and discrepancies; (recorded_at,
 * message_id, delivery, kind) for milestones; the run id for forecasts and weekly forecasts (one
 * run per batch); the id for risk scores.
 * Rows younger than `settleMs` are left for the next run: a transaction that drew a lower id but
 * commits later must not be skipped by a cursor that already moved past it.
 */
import type { DatasetName, ExportRow } from '../../export/datasets.js';
import { DATASETS } from '../../export/datasets.js';
import type { Batch, Cursor, ExportSource } from '../../export/run.js';
import type { Db, Queryable } from '../db/db.js';

export interface ExportSourceOptions {
  /** Leave rows younger than this for the next run (default 60 s; 0 in tests). */
  readonly settleMs?: number;
  readonly clock?: () => Date;
}

// Timestamps go into the JSON as PostgreSQL writes them with the transaction's TimeZone set to
// UTC (`2025-01-06T09:00:00.123456+00:00`): exact to the microsecond, and far cheaper than
// to_char. The partition day is the UTC date.
const TS = (col: string, alias?: string): string => (alias === undefined ? col : `${col} AS ${alias}`);
const DAY = (col: string): string => `((${col} AT TIME ZONE 'UTC')::date)::text AS __day`;

interface Query {
  /** Selects the dataset's columns plus __key (text), __day (text) and __cursor (text). */
  readonly inner: string;
  readonly params: (after: string | null, limit: number, settled: Date) => unknown[];
}

function idQuery(table: string, select: string, settleColumn: string, dayColumn: string): Query {
  return {
    inner: `SELECT ${select}, id::text AS __key, id::text AS __cursor, ${DAY(dayColumn)} FROM ${table}
             WHERE id > $1::bigint AND ${settleColumn} <= $3 ORDER BY id LIMIT $2`,
    params: (after, limit, settled) => [after ?? '0', limit, settled],
  };
}

/** One forecast run of a grain per batch, whatever its size; `dayColumns` names its day column(s). */
function forecastRows(grain: 'day' | 'week', dayColumns: string): Query {
  return {
    inner: `WITH run AS (SELECT id, as_of, level, created_at FROM forecast_runs
                          WHERE id > $1::bigint AND created_at <= $3 ORDER BY id LIMIT 1)
            SELECT f.run_id, run.as_of, f.material, f.site, ${dayColumns},
                   s.class, s.method, f.mean, f.lower, f.upper,
                   run.level, ${TS('run.created_at', 'created_at')},
                   f.run_id || '|' || f.material || '|' || f.site || '|' || f.day::text AS __key,
                   f.run_id::text AS __cursor, run.as_of::text AS __day
              FROM run JOIN forecasts f ON f.run_id = run.id AND f.grain = '${grain}'
              JOIN forecast_series s
                ON s.run_id = f.run_id AND s.grain = f.grain AND s.material = f.material AND s.site = f.site
             ORDER BY f.material, f.site, f.day
             LIMIT $2`,
    params: (after, _limit, settled) => [after ?? '0', 100_000_000, settled],
  };
}

const QUERIES: Readonly<Record<DatasetName, Query>> = {
  serial_events: idQuery(
    'serial_events',
    `id, ${TS('event_time')}, material, serial, movement, move_type, from_site, from_sloc, to_site, to_sloc,
     state_after, handling_unit, delivery, partner, doc_ref, message_id::text AS message_id, ${TS('recorded_at')}`,
    'recorded_at',
    'event_time',
  ),
  delivery_receipts: idQuery(
    'delivery_ledger_receipts',
    `id, delivery, message_id::text AS message_id, line, source, position, material, quantity::float8 AS quantity,
     unit, serials, ${TS('event_at')}, ${TS('recorded_at')}, late`,
    'recorded_at',
    'event_at',
  ),
  delivery_milestones: {
    inner: `SELECT delivery, message_id::text AS message_id, kind, ${TS('event_at')}, ${TS('recorded_at')},
                   delivery || '|' || message_id::text || '|' || kind AS __key,
                   json_build_array(recorded_at, message_id::text, delivery, kind)::text AS __cursor,
                   ${DAY('event_at')}
              FROM delivery_ledger_milestones
             WHERE ($1::text IS NULL OR (recorded_at, message_id::text, delivery, kind) >
                    (($1::json->>0)::timestamptz, $1::json->>1, $1::json->>2, $1::json->>3))
               AND recorded_at <= $3
             ORDER BY recorded_at, message_id::text, delivery, kind LIMIT $2`,
    params: (after, limit, settled) => [after, limit, settled],
  },
  serial_alerts: idQuery(
    'serial_alerts',
    `id, rule, severity, material, serial, summary, evidence, dedupe_key,
     ${TS('detected_at')}, ${TS('created_at')}`,
    'created_at',
    'detected_at',
  ),
  delivery_discrepancies: idQuery(
    'delivery_discrepancies',
    `id, delivery, origin_site, dest_site, missing_qty::float8 AS missing_qty, missing_serials,
     items, ${TS('created_at')}`,
    'created_at',
    'created_at',
  ),
  forecasts: forecastRows('day', 'f.day'),
  forecasts_weekly: forecastRows('week', 'f.day AS week_start, f.day + 6 AS week_end'),
  // one row per state of a message: a change moves updated_at, and the message is exported again
  messages: {
    inner: `SELECT m.id::text AS message_id, m.receipt_seq, m.direction, m.partner, m.channel, m.idoc_type,
                   m.extension, m.message_type, m.docnum, m.arckey, m.sender_prt, m.sender_prn,
                   m.receiver_prt, m.receiver_prn, m.status, m.sap_status, m.sap_docnum, m.sap_document,
                   m.attempts, m.last_error_code, m.correlation_id::text AS correlation_id, m.correlation_kind,
                   (SELECT coalesce(json_agg(json_build_object('kind', k.kind, 'value', k.value)
                                             ORDER BY k.kind, k.value), '[]'::json)
                      FROM message_keys k WHERE k.message_id = m.id) AS business_keys,
                   ${TS('m.created_at', 'created_at')}, ${TS('m.updated_at', 'updated_at')},
                   m.id::text || '|' || m.updated_at::text AS __key,
                   json_build_array(m.updated_at, m.id::text)::text AS __cursor,
                   ${DAY('m.updated_at')}
              FROM messages m
             WHERE ($1::text IS NULL OR (m.updated_at, m.id) > (($1::json->>0)::timestamptz, ($1::json->>1)::uuid))
               AND m.updated_at <= $3
             ORDER BY m.updated_at, m.id LIMIT $2`,
    params: (after, limit, settled) => [after, limit, settled],
  },
  message_status_changes: idQuery(
    'message_status_history',
    `id, message_id::text AS message_id, from_status, to_status, sap_status, by, ${TS('at')}`,
    'at',
    'at',
  ),
  risk_models: {
    inner: `SELECT version, kind, active, ${TS('trained_at')}, trained_by, metrics, model,
                   version::text AS __key, version::text AS __cursor, ${DAY('trained_at')}
              FROM risk_models WHERE version > $1::int AND trained_at <= $3 ORDER BY version LIMIT $2`,
    params: (after, limit, settled) => [after ?? '0', limit, settled],
  },
  risk_scores: idQuery(
    'risk_scores',
    `id, delivery, model_version, probability, reasons, ${TS('as_of')}, ${TS('scored_at')}, scored_by`,
    'scored_at',
    'scored_at',
  ),
};

/** The outer query: the row as JSON text in the dataset's column order. */
function outer(dataset: DatasetName): string {
  const obj = DATASETS[dataset].columns.map((c) => `'${c.name}', q.${c.name}`).join(', ');
  return `SELECT q.__key, q.__day, q.__cursor, json_build_object(${obj})::text AS j FROM (${QUERIES[dataset].inner}) q`;
}
const OUTER: Readonly<Record<DatasetName, string>> = Object.fromEntries(
  Object.keys(QUERIES).map((d) => [d, outer(d as DatasetName)]),
) as Record<DatasetName, string>;

export async function readBatch(
  q: Queryable,
  dataset: DatasetName,
  after: string | null,
  limit: number,
  settled: Date,
): Promise<Batch> {
  const { rows } = await q.query<{ __key: string; __day: string; __cursor: string; j: string }>(
    OUTER[dataset],
    QUERIES[dataset].params(after, limit, settled),
  );
  const out: ExportRow[] = rows.map((r) => ({ key: r.__key, day: r.__day, json: r.j }));
  const last = rows[rows.length - 1];
  return { rows: out, lastKey: last === undefined ? after : last.__cursor };
}

export function exportSource(db: Db, options: ExportSourceOptions = {}): ExportSource {
  const clock = options.clock ?? (() => new Date());
  const settleMs = options.settleMs ?? 60_000;
  return {
    withCursor: (consumer, dataset, fn) =>
      db.transaction(async (tx) => {
        const now = clock();
        // timestamps and dates in the rows' JSON: UTC, ISO 8601
        await tx.query(`SET LOCAL TimeZone = 'UTC'`);
        await tx.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
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
