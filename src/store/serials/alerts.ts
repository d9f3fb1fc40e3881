/**
 * Serial ledger alerts: listing with filters (keyset pagination, newest first), state changes
 * (open -> acknowledged -> closed, with who, when and a note), counts for metrics, and the
 * notification outbox (alerts not yet sent to the alert webhook).
 */
import { IdocgateError } from '../../errors.js';
import type { Queryable, Row } from '../db/db.js';
import { date, num, optDate, optStr, str } from '../db/columns.js';

export const ALERT_STATES = ['open', 'acknowledged', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertRecord {
  readonly id: number;
  readonly rule: string;
  readonly severity: string;
  readonly state: AlertState;
  readonly material: string;
  readonly serial: string;
  readonly summary: string;
  readonly evidence: unknown;
  readonly detectedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: Date | null;
  readonly closedBy: string | null;
  readonly closedAt: Date | null;
  readonly note: string | null;
  readonly notifiedAt: Date | null;
}

function parseAlert(r: Row): AlertRecord {
  const ev = r['evidence'];
  return {
    id: num(r, 'id'),
    rule: str(r, 'rule'),
    severity: str(r, 'severity'),
    state: str(r, 'state') as AlertState,
    material: str(r, 'material'),
    serial: str(r, 'serial'),
    summary: str(r, 'summary'),
    evidence: typeof ev === 'string' ? (JSON.parse(ev) as unknown) : ev,
    detectedAt: date(r, 'detected_at'),
    createdAt: date(r, 'created_at'),
    updatedAt: date(r, 'updated_at'),
    acknowledgedBy: optStr(r, 'acknowledged_by'),
    acknowledgedAt: optDate(r, 'acknowledged_at'),
    closedBy: optStr(r, 'closed_by'),
    closedAt: optDate(r, 'closed_at'),
    note: optStr(r, 'note'),
    notifiedAt: optDate(r, 'notified_at'),
  };
}

export interface AlertFilter {
  readonly states?: readonly AlertState[];
  readonly rules?: readonly string[];
  readonly severities?: readonly string[];
  readonly material?: string;
  readonly serial?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Alerts with an id below this (next page). */
  readonly beforeId?: number;
  readonly limit?: number;
}

export async function listAlerts(q: Queryable, f: AlertFilter = {}): Promise<AlertRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.states?.length) where.push(`state = ANY(${p(f.states)}::text[])`);
  if (f.rules?.length) where.push(`rule = ANY(${p(f.rules)}::text[])`);
  if (f.severities?.length) where.push(`severity = ANY(${p(f.severities)}::text[])`);
  if (f.material !== undefined) where.push(`material = ${p(f.material)}`);
  if (f.serial !== undefined) where.push(`serial = ${p(f.serial)}`);
  if (f.from) where.push(`detected_at >= ${p(f.from)}`);
  if (f.to) where.push(`detected_at < ${p(f.to)}`);
  if (f.beforeId !== undefined) where.push(`id < ${p(f.beforeId)}`);
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500);
  const { rows } = await q.query(
    `SELECT * FROM serial_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${p(limit)}`,
    params,
  );
  return rows.map(parseAlert);
}

export async function getAlert(q: Queryable, id: number): Promise<AlertRecord | undefined> {
  const { rows } = await q.query('SELECT * FROM serial_alerts WHERE id = $1', [id]);
  return rows[0] ? parseAlert(rows[0]) : undefined;
}

/**
 * Acknowledges or closes an alert (closing an open alert also works; a closed alert stays
 * closed). Throws LEDGER_ALERT_NOT_FOUND for an unknown id.
 */
export async function changeAlertState(
  q: Queryable,
  id: number,
  to: 'acknowledged' | 'closed',
  by: string,
  note: string | undefined,
  now: Date,
): Promise<AlertRecord> {
  const sets =
    to === 'acknowledged'
      ? `state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END,
         acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_at = COALESCE(acknowledged_at, $3)`
      : `state = 'closed', closed_by = COALESCE(closed_by, $2), closed_at = COALESCE(closed_at, $3)`;
  const { rows } = await q.query(
    `UPDATE serial_alerts SET ${sets}, note = COALESCE($4, note), updated_at = $3 WHERE id = $1 RETURNING *`,
    [id, by, now, note ?? null],
  );
  if (!rows[0]) throw new IdocgateError('LEDGER_ALERT_NOT_FOUND', `No serial alert has id ${id}`);
  return parseAlert(rows[0]);
}

/** Alert counts by rule, severity and state (for metrics). */
export async function alertCounts(
  q: Queryable,
): Promise<{ rule: string; severity: string; state: string; count: number }[]> {
  const { rows } = await q.query(
    'SELECT rule, severity, state, count(*)::int AS n FROM serial_alerts GROUP BY rule, severity, state ORDER BY rule, severity, state',
  );
  return rows.map((r) => ({
    rule: str(r, 'rule'),
    severity: str(r, 'severity'),
    state: str(r, 'state'),
    count: num(r, 'n'),
  }));
}

/** Alerts not yet sent to the webhook, oldest first. */
export async function unnotifiedAlerts(q: Queryable, limit = 100): Promise<AlertRecord[]> {
  const { rows } = await q.query(
    'SELECT * FROM serial_alerts WHERE notified_at IS NULL ORDER BY id LIMIT $1',
    [limit],
  );
  return rows.map(parseAlert);
}

export async function markNotified(q: Queryable, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await q.query('UPDATE serial_alerts SET notified_at = $2 WHERE id = ANY($1::bigint[])', [ids, now]);
}
