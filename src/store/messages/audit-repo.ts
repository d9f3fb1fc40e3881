/** Audit log (who replayed, edited or cancelled what and why), IDoc numbers and retention. */
import { FINISHED_STATUSES } from '../../pipeline/lifecycle.js';
import { IdocgateError } from '../../errors.js';
import type { AuditFilter, AuditInput, AuditRecord, PurgeOptions } from '../../pipeline/store-port.js';
import type { Queryable } from '../db/db.js';
import { isMessageId, type StoreContext } from './context.js';
import { str, toAudit } from './rows.js';

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export async function insertAudit(q: Queryable, at: Date, input: AuditInput): Promise<AuditRecord> {
  if (input.messageId !== undefined && !isMessageId(input.messageId)) {
    throw new IdocgateError('MESSAGE_NOT_FOUND', `No stored message has the id ${input.messageId}`);
  }
  const { rows } = await q.query(
    `INSERT INTO audit_log (at, actor, action, reason, message_id, query, details)
     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb)
     RETURNING id, at, actor, action, reason, message_id::text AS message_id, query, details`,
    [
      at,
      input.actor,
      input.action,
      input.reason ?? null,
      input.messageId ?? null,
      json(input.query),
      json(input.details),
    ],
  );
  if (rows[0] === undefined) throw new IdocgateError('STORE_CONFLICT', 'The audit entry is not readable');
  return toAudit(rows[0]);
}

export async function audit(q: Queryable, filter: AuditFilter = {}): Promise<AuditRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.messageId !== undefined) {
    if (!isMessageId(filter.messageId)) return [];
    add('message_id = ?', filter.messageId);
  }
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.from !== undefined) add('at >= ?', filter.from);
  if (filter.to !== undefined) add('at < ?', filter.to);
  if (filter.beforeId !== undefined) add('id < ?', filter.beforeId);
  params.push(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  const { rows } = await q.query(
    `SELECT id, at, actor, action, reason, message_id::text AS message_id, query, details FROM audit_log
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toAudit);
}

export async function nextIdocNumber(q: Queryable): Promise<string> {
  const { rows } = await q.query("SELECT lpad(nextval('idoc_number_seq')::text, 16, '0') AS docnum");
  return str(rows[0] ?? {}, 'docnum');
}

/**
 * Retention: deletes finished messages (delivered, posted, cancelled; dead too when asked) whose last
 * change is older than `before`, in batches. Children go by ON DELETE CASCADE; the audit log stays.
 */
export async function purgeOlderThan(
  ctx: StoreContext,
  before: Date,
  options: PurgeOptions = {},
): Promise<{ messages: number }> {
  const statuses = options.includeDead ? [...FINISHED_STATUSES, 'dead'] : [...FINISHED_STATUSES];
  const batch = Math.min(Math.max(options.batchSize ?? 500, 1), 10_000);
  let total = 0;
  for (;;) {
    const { rows } = await ctx.db.query(
      `WITH doomed AS (
         SELECT id FROM messages WHERE status = ANY($1::text[]) AND updated_at < $2 LIMIT $3
       )
       DELETE FROM messages m USING doomed WHERE m.id = doomed.id AND m.status = ANY($1::text[])
       RETURNING m.id`,
      [statuses, before, batch],
    );
    total += rows.length;
    if (rows.length < batch) return { messages: total };
  }
}
