/** search() and countByQuery(): filters, keyset pagination (newest first), counts per status. */
import { IdocgateError } from '../../errors.js';
import {
  type MessageQuery,
  type MessageStatus,
  type SearchOptions,
  type SearchPage,
} from '../../pipeline/store-port.js';
import { MESSAGE_STATUSES } from '../../pipeline/lifecycle.js';
import type { Queryable } from '../db/db.js';
import { normalizeDocnum } from './context.js';
import { MESSAGE_COLUMNS, num, optStr, str, toMessage } from './rows.js';

/**
 * The DOCNUM the gateway gave the IDoc it mapped a partner JSON message to: the `docnum` key of
 * its mapped versions (prepare.ts), the highest being the newest (DOCNUMs only grow).
 */
const SENT_DOCNUM = `CASE WHEN m.channel LIKE 'partner:%' AND m.docnum IS NULL
  THEN (SELECT max(k.value) FROM message_keys k WHERE k.message_id = m.id AND k.kind = 'docnum') END`;

/** A WHERE clause under construction: `add('m.partner = ?', value)` numbers the parameter. */
class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(sql: string, ...values: unknown[]): void {
    let out = sql;
    for (const v of values) {
      this.params.push(v);
      out = out.replace('?', `$${this.params.length}`);
    }
    this.clauses.push(out);
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  sql(): string {
    return this.clauses.length === 0 ? 'TRUE' : this.clauses.join(' AND ');
  }
}

function checkStatuses(statuses: readonly string[]): void {
  const unknown = statuses.filter((s) => !(MESSAGE_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new IdocgateError('QUERY_INVALID', `Unknown status: ${unknown.join(', ')}`, {
      issues: unknown.map((s) => ({
        code: 'STATUS_UNKNOWN',
        message: `Unknown status ${s}`,
        path: 'statuses',
      })),
    });
  }
}

/** All filters except the status list (which counts per status leave out). */
function baseWhere(query: MessageQuery): Where {
  const w = new Where();
  if (query.partner !== undefined) w.add('m.partner = ?', query.partner);
  if (query.direction !== undefined) w.add('m.direction = ?', query.direction);
  if (query.idocType !== undefined) w.add('m.idoc_type = ?', query.idocType);
  if (query.messageType !== undefined) w.add('m.message_type = ?', query.messageType);
  if (query.docnum !== undefined) {
    // the sender's DOCNUM, or the one the gateway gave an IDoc it made (a scan mapped to MBGMCR03)
    const docnum = normalizeDocnum(query.docnum) ?? '';
    w.add(
      "(m.docnum = ? OR EXISTS (SELECT 1 FROM message_keys k WHERE k.message_id = m.id AND k.kind = 'docnum' AND k.value = ?))",
      docnum,
      docnum,
    );
  }
  if (query.orderingKey !== undefined) w.add('m.ordering_key = ?', query.orderingKey);
  if (query.errorCode !== undefined) w.add('m.last_error_code = ?', query.errorCode);
  if (query.createdFrom !== undefined) w.add('m.created_at >= ?', query.createdFrom);
  if (query.createdTo !== undefined) w.add('m.created_at < ?', query.createdTo);
  const keys: { kind?: string; value: string }[] = [];
  if (query.key !== undefined) keys.push(query.key);
  if (query.serial !== undefined) keys.push({ kind: 'serial', value: query.serial });
  for (const k of keys) {
    const value = k.value.trim();
    if (k.kind === undefined) {
      w.add('EXISTS (SELECT 1 FROM message_keys k WHERE k.message_id = m.id AND k.value = ?)', value);
    } else {
      w.add(
        'EXISTS (SELECT 1 FROM message_keys k WHERE k.message_id = m.id AND k.kind = ? AND k.value = ?)',
        k.kind.trim().toLowerCase(),
        value,
      );
    }
  }
  const text = query.text?.trim() ?? '';
  if (text !== '') w.add("m.search_text @@ plainto_tsquery('simple', ?)", text);
  return w;
}

function fullWhere(query: MessageQuery): Where {
  const w = baseWhere(query);
  if (query.statuses !== undefined) {
    checkStatuses(query.statuses);
    w.add('m.status = ANY(?::text[])', [...query.statuses]);
  }
  return w;
}

function parseCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw new IdocgateError('QUERY_INVALID', `Invalid page cursor "${cursor}"`);
  return Number(cursor);
}

export async function search(
  q: Queryable,
  query: MessageQuery,
  options: SearchOptions = {},
): Promise<SearchPage> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
  const w = fullWhere(query);
  if (options.cursor !== undefined) w.add('m.receipt_seq < ?', parseCursor(options.cursor));
  const limitParam = w.param(limit + 1);
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS}, ${SENT_DOCNUM} AS sent_docnum
       FROM messages m WHERE ${w.sql()} ORDER BY m.receipt_seq DESC LIMIT ${limitParam}`,
    w.params,
  );
  const items = rows.slice(0, limit).map((r) => ({ ...toMessage(r), sentDocnum: optStr(r, 'sent_docnum') }));
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? String(last.receiptSeq) : null;
  if (options.withCounts === false) return { items, nextCursor };
  return { items, nextCursor, countsByStatus: await countsByStatus(q, query) };
}

async function countsByStatus(q: Queryable, query: MessageQuery): Promise<Record<MessageStatus, number>> {
  const w = baseWhere(query);
  const { rows } = await q.query(
    `SELECT m.status, count(*) AS n FROM messages m WHERE ${w.sql()} GROUP BY m.status`,
    w.params,
  );
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const r of rows) {
    const s = str(r, 'status');
    if ((MESSAGE_STATUSES as readonly string[]).includes(s)) counts[s as MessageStatus] = num(r, 'n');
  }
  return counts;
}

export async function countByQuery(q: Queryable, query: MessageQuery): Promise<number> {
  const w = fullWhere(query);
  const { rows } = await q.query(`SELECT count(*) AS n FROM messages m WHERE ${w.sql()}`, w.params);
  return rows[0] === undefined ? 0 : num(rows[0], 'n');
}
