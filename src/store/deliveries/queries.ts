/**
 * Read side of the delivery ledger: messages the catch-up has not applied yet, the delivery list
 * by support state, counts, discrepancies and per-site metrics.
 *
 * Pending messages: an anti-join on delivery_ledger_applied, walked from a watermark on
 * messages.updated_at (minus a margin for slow commits and clock skew), so a long history is not
 * re-read on every tick. Announcements (SHPORD/WHSORD/DESADV) count once stored; receipts once
 * delivered to SAP.
 */
import type {
  DeliveryListQuery,
  DeliverySummary,
  Discrepancy,
  PendingMessage,
  PendingQuery,
  SiteMetrics,
} from '../../ledger/deliveries/port.js';
import { storedStatesOf, VIEW_STATES, viewStateOf, type ViewState } from '../../ledger/deliveries/types.js';
import type { Db } from '../db/db.js';
import { bool, milli, storedState, toDiscrepancy } from './rows.js';
import { saveSetting, setting } from './sweep.js';
import { date, num, optDate, optStr, str } from '../db/columns.js';
import { settledSql } from '../messages/settled.js';

export const WATERMARK_SETTING = 'ledger.watermark';
export const WATERMARK_MARGIN_MS = 10 * 60_000;

const DIRECTIONS = new Set(['in', 'out']);

export async function pendingMessages(db: Db, query: PendingQuery): Promise<PendingMessage[]> {
  const mark = await setting(db, WATERMARK_SETTING);
  const from = mark === null ? null : new Date(Date.parse(mark) - WATERMARK_MARGIN_MS);
  const { rows } = await db.query(
    `SELECT m.id::text AS id, m.direction, m.message_type, m.idoc_type, m.status, m.idempotency_key,
            m.created_at, m.updated_at
       FROM messages m
      WHERE ((m.message_type = ANY($1::text[]) AND m.status <> 'cancelled')
          OR (m.message_type = ANY($2::text[]) AND ${settledSql('m')}))
        AND ($4::timestamptz IS NULL OR m.updated_at >= $4::timestamptz)
        AND NOT EXISTS (SELECT 1 FROM delivery_ledger_applied a WHERE a.message_id = m.id)
      ORDER BY m.updated_at, m.receipt_seq
      LIMIT $3`,
    [[...query.onReceipt], [...query.onDelivery], query.limit, from],
  );
  const last = rows[rows.length - 1];
  if (last !== undefined) {
    const at = date(last, 'updated_at');
    if (mark === null || at.getTime() > Date.parse(mark))
      await saveSetting(db, WATERMARK_SETTING, at.toISOString());
  }
  return rows.map((r) => {
    const direction = str(r, 'direction');
    return {
      id: str(r, 'id'),
      direction: DIRECTIONS.has(direction) ? (direction as 'in' | 'out') : 'in',
      messageType: optStr(r, 'message_type'),
      idocType: optStr(r, 'idoc_type'),
      status: str(r, 'status') as PendingMessage['status'],
      idempotencyKey: optStr(r, 'idempotency_key'),
      createdAt: date(r, 'created_at'),
    };
  });
}

export async function listDeliveries(db: Db, q: DeliveryListQuery): Promise<DeliverySummary[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.view !== undefined) {
    const s = storedStatesOf(q.view);
    add('state = ANY(?::text[])', s.states);
    if (s.due === 'past') add('due_at <= ?', q.now);
    if (s.due === 'future') add('due_at > ?', q.now);
  }
  if (q.destinationSite !== undefined) add('dest_site = ?', q.destinationSite);
  if (q.originSite !== undefined) add('origin_site = ?', q.originSite);
  if (q.after !== undefined) add('delivery > ?', q.after);
  params.push(q.limit);
  const { rows } = await db.query(
    `SELECT * FROM delivery_ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY delivery LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => {
    const state = storedState(r);
    const dueAt = date(r, 'due_at');
    return {
      delivery: str(r, 'delivery'),
      state,
      view: viewStateOf(state, dueAt, q.now),
      originSite: str(r, 'origin_site'),
      destinationSite: str(r, 'dest_site'),
      goodsIssueAt: optDate(r, 'goods_issue_at'),
      plannedGoodsIssueAt: optDate(r, 'planned_goods_issue_at'),
      dueAt,
      expected: milli(r, 'expected_qty') / 1000,
      received: milli(r, 'received_qty') / 1000,
      outstanding: milli(r, 'outstanding_qty') / 1000,
      overReceived: bool(r, 'over_received'),
      unexpectedSerials: num(r, 'unexpected_serials'),
      lateReceipts: num(r, 'late_receipts'),
      updatedAt: date(r, 'updated_at'),
    };
  });
}

export async function countByView(
  db: Db,
  now: Date,
  destinationSite?: string,
): Promise<Record<ViewState, number>> {
  const { rows } = await db.query(
    `SELECT CASE WHEN state IN ('open', 'partial') AND due_at <= $1 THEN 'overdue'
                 WHEN state IN ('announced', 'picked') THEN state
                 WHEN state = 'open' THEN 'open'
                 WHEN state = 'partial' THEN 'partially-received'
                 WHEN state IN ('pushing-back', 'pushed-back') THEN 'pushed-back'
                 ELSE 'closed' END AS view, count(*) AS n
       FROM delivery_ledger WHERE ($2::text IS NULL OR dest_site = $2) GROUP BY 1`,
    [now, destinationSite ?? null],
  );
  const out = Object.fromEntries(VIEW_STATES.map((v) => [v, 0])) as Record<ViewState, number>;
  for (const r of rows) out[str(r, 'view') as ViewState] = num(r, 'n');
  return out;
}

export async function listDiscrepancies(
  db: Db,
  q: { readonly destinationSite?: string; readonly limit: number; readonly beforeId?: number },
): Promise<Discrepancy[]> {
  const { rows } = await db.query(
    `SELECT * FROM delivery_discrepancies
      WHERE ($1::text IS NULL OR dest_site = $1) AND ($2::bigint IS NULL OR id < $2)
      ORDER BY id DESC LIMIT $3`,
    [q.destinationSite ?? null, q.beforeId ?? null, q.limit],
  );
  return rows.map(toDiscrepancy);
}

export async function siteMetrics(db: Db, now: Date): Promise<SiteMetrics[]> {
  const { rows } = await db.query(
    `SELECT dest_site,
            count(*) FILTER (WHERE state IN ('open', 'partial') AND due_at <= $1) AS overdue,
            COALESCE(sum(outstanding_qty) FILTER (WHERE state IN ('open', 'partial') AND due_at <= $1), 0) AS overdue_qty,
            count(*) FILTER (WHERE state IN ('pushing-back', 'pushed-back')) AS pushed,
            COALESCE(sum(outstanding_qty) FILTER (WHERE state IN ('pushing-back', 'pushed-back')), 0) AS pushed_qty
       FROM delivery_ledger GROUP BY dest_site ORDER BY dest_site`,
    [now],
  );
  return rows.map((r) => ({
    site: str(r, 'dest_site'),
    overdue: num(r, 'overdue'),
    overdueQuantity: milli(r, 'overdue_qty') / 1000,
    pushedBack: num(r, 'pushed'),
    pushedBackQuantity: milli(r, 'pushed_qty') / 1000,
  }));
}
