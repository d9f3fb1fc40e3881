/**
 * Forecast storage on PostgreSQL/PGlite: the serial ledger's movements the demand is built from,
 * and the forecast runs (runs, series, one row per day). The ForecastPort of src/forecast/run.ts.
 */
import type { LedgerMovement } from '../../forecast/demand.js';
import type { ForecastPort, ForecastRunRecord, ForecastSeriesRecord } from '../../forecast/run.js';
import type { Db, Queryable } from '../db/db.js';
import { date, num, optStr, str } from '../db/columns.js';

export async function firstEventDay(q: Queryable): Promise<string | null> {
  const { rows } = await q.query<{ d: string | null }>(
    `SELECT to_char(min(event_time) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d FROM serial_events`,
  );
  return rows[0]?.d ?? null;
}

/** Serial events before `until` (of one material when given), as the demand needs them. */
export async function ledgerMovements(
  q: Queryable,
  until: Date,
  material?: string,
): Promise<LedgerMovement[]> {
  const { rows } = await q.query(
    `SELECT material, serial, movement, from_site, to_site, state_after, event_time
       FROM serial_events WHERE event_time < $1 AND ($2::text IS NULL OR material = $2::text)
      ORDER BY material, serial, event_time, id`,
    [until, material ?? null],
  );
  return rows.map((r) => ({
    material: str(r, 'material'),
    serial: str(r, 'serial'),
    movement: str(r, 'movement'),
    fromSite: optStr(r, 'from_site'),
    toSite: optStr(r, 'to_site'),
    stateAfter: str(r, 'state_after'),
    eventTime: date(r, 'event_time'),
  }));
}

/** Forecast grain: one row per day, or per 7-day week from the as-of day (migration 0071). */
export type ForecastGrain = 'day' | 'week';
export const FORECAST_GRAINS: readonly ForecastGrain[] = ['day', 'week'];

async function insertSeries(
  tx: Queryable,
  id: number,
  asOf: string,
  grain: ForecastGrain,
  s: readonly ForecastSeriesRecord[],
): Promise<void> {
  if (s.length === 0) return;
  await tx.query(
    `INSERT INTO forecast_series (run_id, grain, material, site, class, method, adi, cv2, params, observed_days, censored_days)
     SELECT $1, $2, m, st, c, me, a, v, p::jsonb, o, cd
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::int[], $11::int[])
         AS x(m, st, c, me, a, v, p, o, cd)`,
    [
      id,
      grain,
      s.map((x) => x.material),
      s.map((x) => x.site),
      s.map((x) => x.class),
      s.map((x) => x.method),
      s.map((x) => x.adi),
      s.map((x) => x.cv2),
      s.map((x) => JSON.stringify(x.params)),
      s.map((x) => x.observedDays),
      s.map((x) => x.censoredDays),
    ],
  );
  const step = grain === 'week' ? 7 : 1;
  const material: string[] = [];
  const site: string[] = [];
  const offset: number[] = [];
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (const x of s) {
    for (let h = 0; h < x.mean.length; h++) {
      material.push(x.material);
      site.push(x.site);
      offset.push(h * step);
      mean.push(x.mean[h] ?? 0);
      lower.push(x.lower[h] ?? 0);
      upper.push(x.upper[h] ?? 0);
    }
  }
  await tx.query(
    `INSERT INTO forecasts (run_id, grain, material, site, day, mean, lower, upper)
     SELECT $1, $2, m, st, $3::date + o, mn, lo, up
       FROM unnest($4::text[], $5::text[], $6::int[], $7::float8[], $8::float8[], $9::float8[]) AS x(m, st, o, mn, lo, up)`,
    [id, grain, asOf, material, site, offset, mean, lower, upper],
  );
}

export async function saveForecastRun(db: Db, run: ForecastRunRecord, createdAt: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number | string }>(
      `INSERT INTO forecast_runs (created_at, as_of, history_from, history_to, horizon, level, censored, series)
       VALUES ($1, $2::date, $3::date, $4::date, $5, $6, $7, $8) RETURNING id`,
      [
        createdAt,
        run.asOf,
        run.historyFrom,
        run.historyTo,
        run.horizon,
        run.level,
        run.censored,
        run.series.length,
      ],
    );
    const id = Number(rows[0]?.id);
    await insertSeries(tx, id, run.asOf, 'day', run.series);
    await insertSeries(tx, id, run.asOf, 'week', run.weekly);
    return id;
  });
}

export function forecastPort(db: Db): ForecastPort {
  return {
    firstEventDay: () => firstEventDay(db),
    movements: (until) => ledgerMovements(db, until),
    saveRun: (run, createdAt) => saveForecastRun(db, run, createdAt),
  };
}

export interface ForecastRow {
  readonly runId: number;
  readonly grain: ForecastGrain;
  readonly material: string;
  readonly site: string;
  /** The day, or the first day of the week (grain week). */
  readonly day: string;
  readonly class: string;
  readonly method: string;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

export interface ForecastQuery {
  readonly article?: string;
  readonly site?: string;
  /** Default: the latest run. */
  readonly runId?: number;
  /** Default day. */
  readonly grain?: ForecastGrain;
  readonly limit?: number;
}

/** Forecast days of one run (the latest by default), by material, site, day. */
export async function listForecasts(q: Queryable, query: ForecastQuery): Promise<ForecastRow[]> {
  const { rows } = await q.query(
    `WITH run AS (
       SELECT id, level FROM forecast_runs
        WHERE ($1::bigint IS NULL OR id = $1::bigint)
        ORDER BY id DESC LIMIT 1)
     SELECT f.run_id, f.grain, f.material, f.site, to_char(f.day, 'YYYY-MM-DD') AS day, s.class, s.method,
            f.mean, f.lower, f.upper, run.level
       FROM run JOIN forecasts f ON f.run_id = run.id AND f.grain = $5
       JOIN forecast_series s
         ON s.run_id = f.run_id AND s.grain = f.grain AND s.material = f.material AND s.site = f.site
      WHERE ($2::text IS NULL OR f.material = $2::text) AND ($3::text IS NULL OR f.site = $3::text)
      ORDER BY f.material, f.site, f.day
      LIMIT $4`,
    [
      query.runId ?? null,
      query.article ?? null,
      query.site ?? null,
      query.limit ?? 10_000,
      query.grain ?? 'day',
    ],
  );
  return rows.map((r) => ({
    runId: num(r, 'run_id'),
    grain: str(r, 'grain') === 'week' ? 'week' : 'day',
    material: str(r, 'material'),
    site: str(r, 'site'),
    day: str(r, 'day'),
    class: str(r, 'class'),
    method: str(r, 'method'),
    mean: num(r, 'mean'),
    lower: num(r, 'lower'),
    upper: num(r, 'upper'),
    level: num(r, 'level'),
  }));
}

export interface ForecastRunSummary {
  readonly id: number;
  readonly createdAt: string;
  readonly asOf: string;
  readonly historyFrom: string;
  readonly historyTo: string;
  readonly horizon: number;
  readonly level: number;
  readonly censored: boolean;
  readonly series: number;
}

/** The latest forecast runs, newest first. */
export async function listForecastRuns(q: Queryable, limit = 50): Promise<ForecastRunSummary[]> {
  const { rows } = await q.query(
    `SELECT id, created_at, to_char(as_of, 'YYYY-MM-DD') AS as_of,
            to_char(history_from, 'YYYY-MM-DD') AS history_from, to_char(history_to, 'YYYY-MM-DD') AS history_to,
            horizon, level, censored, series
       FROM forecast_runs ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: num(r, 'id'),
    createdAt: date(r, 'created_at').toISOString(),
    asOf: str(r, 'as_of'),
    historyFrom: str(r, 'history_from'),
    historyTo: str(r, 'history_to'),
    horizon: num(r, 'horizon'),
    level: num(r, 'level'),
    censored: r['censored'] === true,
    series: num(r, 'series'),
  }));
}

export interface ForecastSeriesSummary {
  readonly runId: number;
  readonly grain: ForecastGrain;
  readonly material: string;
  readonly site: string;
  readonly class: string;
  readonly method: string;
  readonly observedDays: number;
  readonly censoredDays: number;
}

/**
 * The series of one run (the latest by default) at a grain (default day), by material and site.
 * For grain week, observedDays and censoredDays count weeks.
 */
export async function listForecastSeries(
  q: Queryable,
  runId?: number,
  grain: ForecastGrain = 'day',
): Promise<ForecastSeriesSummary[]> {
  const { rows } = await q.query(
    `WITH run AS (SELECT id FROM forecast_runs WHERE ($1::bigint IS NULL OR id = $1::bigint) ORDER BY id DESC LIMIT 1)
     SELECT s.run_id, s.grain, s.material, s.site, s.class, s.method, s.observed_days, s.censored_days
       FROM run JOIN forecast_series s ON s.run_id = run.id AND s.grain = $2
      ORDER BY s.material, s.site`,
    [runId ?? null, grain],
  );
  return rows.map((r) => ({
    runId: num(r, 'run_id'),
    grain: str(r, 'grain') === 'week' ? 'week' : 'day',
    material: str(r, 'material'),
    site: str(r, 'site'),
    class: str(r, 'class'),
    method: str(r, 'method'),
    observedDays: num(r, 'observed_days'),
    censoredDays: num(r, 'censored_days'),
  }));
}
