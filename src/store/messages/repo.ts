/** One message: read it, its versions, keys, history and attempts; change its status. */
import { IdocgateError } from '../../errors.js';
import {
  type AddVersionInput,
  type AttemptInput,
  type AttemptRecord,
  type MessageRecord,
  type MessageStatus,
  type SearchKey,
  type StatusHistoryRecord,
  type TransitionOptions,
  type VersionRecord,
} from '../../pipeline/store-port.js';
import { MESSAGE_STATUSES, sapStatusFor } from '../../pipeline/lifecycle.js';
import type { Queryable, Row } from '../db/db.js';
import { MAX_INDEXED_TEXT, contentColumns, isMessageId, type StoreContext } from './context.js';
import { insertAudit } from './audit-repo.js';
import { cleanKeys, insertKeys } from './receive.js';
import {
  MESSAGE_COLUMNS,
  VERSION_COLUMNS,
  num,
  optStr,
  str,
  toAttempt,
  toHistory,
  toMessage,
  toVersion,
} from './rows.js';

function notFound(id: string): IdocgateError {
  return new IdocgateError('MESSAGE_NOT_FOUND', `No stored message has the id ${id}`);
}

export async function getMessage(q: Queryable, id: string): Promise<MessageRecord | undefined> {
  if (!isMessageId(id)) return undefined;
  const { rows } = await q.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
  return rows[0] === undefined ? undefined : toMessage(rows[0]);
}

export async function getByIdempotencyKey(
  q: Queryable,
  scope: string,
  key: string,
): Promise<MessageRecord | undefined> {
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.idempotency_scope = $1 AND m.idempotency_key = $2`,
    [scope, key],
  );
  return rows[0] === undefined ? undefined : toMessage(rows[0]);
}

/** Locks the message row for the rest of the transaction; throws when it does not exist. */
async function lockMessage(q: Queryable, id: string): Promise<Row> {
  if (!isMessageId(id)) throw notFound(id);
  const { rows } = await q.query('SELECT status, direction FROM messages WHERE id = $1 FOR UPDATE', [id]);
  if (rows[0] === undefined) throw notFound(id);
  return rows[0];
}

export async function versions(q: Queryable, id: string): Promise<VersionRecord[]> {
  if (!isMessageId(id)) return [];
  const { rows } = await q.query(
    `SELECT ${VERSION_COLUMNS} FROM message_versions v WHERE v.message_id = $1 ORDER BY v.version`,
    [id],
  );
  return rows.map(toVersion);
}

export async function versionsOf(
  q: Queryable,
  ids: readonly string[],
): Promise<Map<string, VersionRecord[]>> {
  const out = new Map<string, VersionRecord[]>();
  const valid = ids.filter(isMessageId);
  if (valid.length === 0) return out;
  const { rows } = await q.query(
    `SELECT ${VERSION_COLUMNS} FROM message_versions v WHERE v.message_id = ANY($1::uuid[])
     ORDER BY v.message_id, v.version`,
    [valid],
  );
  for (const row of rows) {
    const v = toVersion(row);
    const list = out.get(v.messageId);
    if (list === undefined) out.set(v.messageId, [v]);
    else list.push(v);
  }
  return out;
}

export async function addVersion(
  ctx: StoreContext,
  id: string,
  input: AddVersionInput,
): Promise<VersionRecord> {
  const audit = input.audit;
  if (audit === undefined) return addVersionStatement(ctx, id, input);
  const now = ctx.clock();
  return ctx.db.transaction(async (tx) => {
    const version = await nextVersion(tx, id);
    const [text, bytes] = contentColumns(input.content);
    const { rows } = await tx.query(
      `INSERT INTO message_versions AS v (message_id, version, kind, format, content_text, content_bytes,
         content_type, created_by, note, created_at)
       VALUES ($1, $10, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${VERSION_COLUMNS}`,
      [
        id,
        input.kind,
        input.format,
        text,
        bytes,
        input.contentType ?? null,
        input.createdBy,
        input.note ?? null,
        now,
        version,
      ],
    );
    if (input.searchKeys !== undefined) {
      await insertKeys(tx, id, input.searchKeys.keys);
      await tx.query(
        `UPDATE messages SET search_text = search_text || to_tsvector('simple', $2), updated_at = $3
         WHERE id = $1`,
        [id, indexedExtra(input.searchKeys.keys, input.searchKeys.text), now],
      );
    } else {
      await tx.query('UPDATE messages SET updated_at = $2 WHERE id = $1', [id, now]);
    }
    await insertAudit(tx, now, { ...audit, messageId: id });
    if (rows[0] === undefined) throw new IdocgateError('STORE_CONFLICT', 'The new version is not readable');
    return toVersion(rows[0]);
  });
}

/** Locks the message row and takes the next version number (see migrations/0030). */
async function nextVersion(q: Queryable, id: string): Promise<number> {
  if (!isMessageId(id)) throw notFound(id);
  const { rows } = await q.query(
    'UPDATE messages SET version_count = version_count + 1 WHERE id = $1 RETURNING version_count',
    [id],
  );
  if (rows[0] === undefined) throw notFound(id);
  return num(rows[0], 'version_count');
}

/**
 * addVersion without an audit entry as ONE statement (one round trip, one commit): the message
 * row's version counter is taken (which locks the row), the version inserted with that number,
 * the search keys and the indexed text added.
 */
async function addVersionStatement(
  ctx: StoreContext,
  id: string,
  input: AddVersionInput,
): Promise<VersionRecord> {
  if (!isMessageId(id)) throw notFound(id);
  const [text, bytes] = contentColumns(input.content);
  const keys = cleanKeys(input.searchKeys?.keys ?? []);
  const now = ctx.clock();
  const { rows } = await ctx.db.query(
    `WITH u AS (
       UPDATE messages SET version_count = version_count + 1, updated_at = $9,
         search_text = CASE WHEN $12::boolean THEN search_text || to_tsvector('simple', $13)
           ELSE search_text END
       WHERE id = $1
       RETURNING id, version_count
     ), v AS (
       INSERT INTO message_versions (message_id, version, kind, format, content_text, content_bytes,
         content_type, created_by, note, created_at)
       SELECT u.id, u.version_count, $2, $3, $4, $5, $6, $7, $8, $9 FROM u
       RETURNING id, version
     ), k AS (
       INSERT INTO message_keys (message_id, kind, value)
       SELECT u.id, kk, kv FROM u, unnest($10::text[], $11::text[]) AS t(kk, kv)
       ON CONFLICT DO NOTHING
     )
     SELECT id, version FROM v`,
    [
      id,
      input.kind,
      input.format,
      text,
      bytes,
      input.contentType ?? null,
      input.createdBy,
      input.note ?? null,
      now,
      keys.map((k) => k.kind),
      keys.map((k) => k.value),
      input.searchKeys !== undefined,
      input.searchKeys === undefined ? '' : indexedExtra(input.searchKeys.keys, input.searchKeys.text),
    ],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(id);
  return {
    id: num(row, 'id'),
    messageId: id,
    version: num(row, 'version'),
    kind: input.kind,
    format: input.format,
    content: input.content,
    contentType: input.contentType ?? null,
    createdBy: input.createdBy,
    note: input.note ?? null,
    createdAt: now,
  };
}

export async function searchKeys(q: Queryable, id: string): Promise<SearchKey[]> {
  if (!isMessageId(id)) return [];
  const { rows } = await q.query(
    'SELECT kind, value FROM message_keys WHERE message_id = $1 ORDER BY kind, value',
    [id],
  );
  return rows.map((r) => ({ kind: str(r, 'kind'), value: str(r, 'value') }));
}

function indexedExtra(keys: readonly SearchKey[], text: string | undefined): string {
  return [...keys.map((k) => k.value), text ?? ''].join(' ').slice(0, MAX_INDEXED_TEXT);
}

export async function addSearchKeys(
  ctx: StoreContext,
  id: string,
  keys: readonly SearchKey[],
  text?: string,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await lockMessage(tx, id);
    await insertKeys(tx, id, keys);
    const extra = indexedExtra(keys, text);
    await tx.query(
      `UPDATE messages SET search_text = search_text || to_tsvector('simple', $2), updated_at = $3
       WHERE id = $1`,
      [id, extra, ctx.clock()],
    );
  });
}

function expectedList(expect: TransitionOptions['expectFrom']): readonly MessageStatus[] {
  if (expect === undefined) return MESSAGE_STATUSES;
  return typeof expect === 'string' ? [expect] : expect;
}

/**
 * $1–$18 of the status-change statements: id, to, SAP status given, text, now, whether and which
 * error to set, whether and which next attempt to set, the expected statuses, the SAP statuses
 * for out/in, by, SAP's report (docnum, document), whether and which confirm-by time to set.
 * Delivered, posted and cancelled clear the error and the next attempt.
 */
export function transitionParams(
  now: Date,
  id: string,
  to: MessageStatus,
  options: TransitionOptions,
): unknown[] {
  const clearsError = to === 'delivered' || to === 'posted' || to === 'cancelled';
  const error = options.error !== undefined ? options.error : clearsError ? null : undefined;
  const nextAttempt =
    options.nextAttemptAt !== undefined ? options.nextAttemptAt : clearsError ? null : undefined;
  return [
    id,
    to,
    options.sapStatus ?? null,
    options.text ?? null,
    now,
    error !== undefined,
    error?.code ?? null,
    error?.text ?? null,
    nextAttempt !== undefined,
    nextAttempt ?? null,
    [...expectedList(options.expectFrom)],
    sapStatusFor(to, 'out'),
    sapStatusFor(to, 'in'),
    options.by,
    options.sapReport?.docnum ?? null,
    options.sapReport?.document ?? null,
    options.confirmBy !== undefined,
    options.confirmBy ?? null,
  ];
}

/**
 * The 8 attempt parameters of the attempt statements: whether it failed, the error code and text
 * for the message row ('UNKNOWN'/'' when a failure names none), transport, outcome, duration in
 * whole ms, the error code and text for the attempt row.
 */
export function attemptParams(attempt: AttemptInput): unknown[] {
  return [
    attempt.outcome === 'error',
    attempt.error?.code ?? 'UNKNOWN',
    attempt.error?.text ?? '',
    attempt.transport,
    attempt.outcome,
    Math.max(0, Math.round(attempt.durationMs)),
    attempt.error?.code ?? null,
    attempt.error?.text ?? null,
  ];
}

/**
 * The compare-and-set status change as ONE statement (one round trip, its own commit unless run
 * in a transaction): the row is locked by the FOR UPDATE sub-select, so the status it reports is
 * the current one and the history row names it. Returns the previous status, `null` when the
 * current status is not expected; throws MESSAGE_NOT_FOUND when there is no such message.
 */
async function transitionStatement(
  q: Queryable,
  now: Date,
  id: string,
  to: MessageStatus,
  options: TransitionOptions,
): Promise<MessageStatus | null> {
  if (!isMessageId(id)) throw notFound(id);
  const { rows } = await q.query(
    `WITH upd AS (
       UPDATE messages m SET status = $2,
         sap_status = coalesce($3, CASE WHEN old.direction = 'out' THEN $12 ELSE $13 END),
         status_text = $4, updated_at = $5,
         last_error_code = CASE WHEN $6::boolean THEN $7 ELSE m.last_error_code END,
         last_error_text = CASE WHEN $6::boolean THEN $8 ELSE m.last_error_text END,
         next_attempt_at = CASE WHEN $9::boolean THEN $10::timestamptz ELSE m.next_attempt_at END,
         sap_docnum = coalesce($15::text, m.sap_docnum), sap_document = coalesce($16::text, m.sap_document),
         confirm_by = CASE WHEN $17::boolean THEN $18::timestamptz ELSE m.confirm_by END,
         -- SAP's report is searchable as in WE02: its IDoc number, document and text
         search_text = CASE WHEN $15::text IS NULL AND $16::text IS NULL THEN m.search_text
           ELSE m.search_text || to_tsvector('simple', concat_ws(' ', $15::text, $16::text, $4::text)) END
       FROM (SELECT id, status, direction FROM messages WHERE id = $1 FOR UPDATE) old
       WHERE m.id = old.id AND m.status = ANY($11::text[])
       RETURNING old.status AS from_status, m.sap_status
     ), h AS (
       INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       SELECT $1, from_status, $2, sap_status, $4, $14, $5 FROM upd
     )
     SELECT (SELECT from_status FROM upd) AS from_status,
       EXISTS (SELECT 1 FROM messages WHERE id = $1) AS found`,
    transitionParams(now, id, to, options),
  );
  const row = rows[0];
  if (row === undefined || row['found'] !== true) throw notFound(id);
  const from = optStr(row, 'from_status');
  return from === null ? null : (from as MessageStatus);
}

/** See Store.claimUnordered: the compare-and-set to `processing` that also returns the message. */
export async function claimUnordered(
  ctx: StoreContext,
  id: string,
  token: string,
  from: readonly MessageStatus[],
  options: Omit<TransitionOptions, 'expectFrom'>,
): Promise<MessageRecord | undefined> {
  if (!isMessageId(id)) return undefined;
  const now = ctx.clock();
  const { rows } = await ctx.db.query(
    `WITH old AS (
       SELECT id, status FROM messages WHERE id = $1 FOR UPDATE
     ), m AS (
       UPDATE messages m SET status = 'processing', updated_at = $2,
         sap_status = CASE WHEN m.direction = 'out' THEN $5 ELSE $6 END, status_text = $7
       FROM old
       WHERE m.id = old.id AND m.status = ANY($3::text[]) AND m.enqueue_token = $4
         AND m.ordering_key IS NULL
       RETURNING old.status AS from_status, ${MESSAGE_COLUMNS}
     ), h AS (
       INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       SELECT $1, from_status, 'processing', sap_status, $7, $8, $2 FROM m
     )
     SELECT * FROM m`,
    [
      id,
      now,
      [...from],
      token,
      sapStatusFor('processing', 'out'),
      sapStatusFor('processing', 'in'),
      options.text ?? null,
      options.by,
    ],
  );
  return rows[0] === undefined ? undefined : toMessage(rows[0]);
}

export async function transition(
  ctx: StoreContext,
  id: string,
  to: MessageStatus,
  options: TransitionOptions,
): Promise<boolean> {
  return (await transitionStatement(ctx.db, ctx.clock(), id, to, options)) !== null;
}

export async function history(q: Queryable, id: string): Promise<StatusHistoryRecord[]> {
  if (!isMessageId(id)) return [];
  const { rows } = await q.query(
    `SELECT id, message_id::text AS message_id, from_status, to_status, sap_status, text, by, at
     FROM message_status_history WHERE message_id = $1 ORDER BY id`,
    [id],
  );
  return rows.map(toHistory);
}

/** Counts the attempt on the message and inserts its row: one statement. */
async function attemptStatement(
  q: Queryable,
  now: Date,
  id: string,
  input: AttemptInput,
): Promise<AttemptRecord> {
  if (!isMessageId(id)) throw notFound(id);
  const { rows } = await q.query(
    `WITH u AS (
       UPDATE messages SET attempts = attempts + 1, updated_at = $2,
         last_error_code = CASE WHEN $3::boolean THEN $4 ELSE last_error_code END,
         last_error_text = CASE WHEN $3::boolean THEN $5 ELSE last_error_text END
       WHERE id = $1 RETURNING attempts
     )
     INSERT INTO message_attempts (message_id, attempt_no, transport, outcome, duration_ms, error_code,
       error_text, at)
     SELECT $1, u.attempts, $6, $7, $8, $9, $10, $2 FROM u
     RETURNING id, message_id::text AS message_id, attempt_no, transport, outcome, duration_ms,
       error_code, error_text, at`,
    [id, now, ...attemptParams(input)],
  );
  if (rows[0] === undefined) throw notFound(id);
  return toAttempt(rows[0]);
}

export async function recordAttempt(
  ctx: StoreContext,
  id: string,
  input: AttemptInput,
): Promise<AttemptRecord> {
  return attemptStatement(ctx.db, ctx.clock(), id, input);
}

/**
 * recordAttempt + transition as ONE statement (one round trip and one commit): the attempt is
 * counted and its row inserted together with the compare-and-set status change. When the status
 * is not an expected one, nothing changed: the attempt is then recorded on its own and false
 * returned (as recordAttempt followed by a refused transition would).
 */
export async function finishAttempt(
  ctx: StoreContext,
  id: string,
  attempt: AttemptInput,
  to: MessageStatus,
  options: TransitionOptions,
): Promise<boolean> {
  if (!isMessageId(id)) throw notFound(id);
  const now = ctx.clock();
  const { rows } = await ctx.db.query(
    `WITH old AS (
       SELECT id, status, direction FROM messages WHERE id = $1 FOR UPDATE
     ), upd AS (
       UPDATE messages m SET status = $2, attempts = m.attempts + 1,
         sap_status = coalesce($3, CASE WHEN old.direction = 'out' THEN $12 ELSE $13 END),
         status_text = $4, updated_at = $5,
         last_error_code = CASE WHEN $6::boolean THEN $7 WHEN $19::boolean THEN $20 ELSE m.last_error_code END,
         last_error_text = CASE WHEN $6::boolean THEN $8 WHEN $19::boolean THEN $21 ELSE m.last_error_text END,
         next_attempt_at = CASE WHEN $9::boolean THEN $10::timestamptz ELSE m.next_attempt_at END,
         sap_docnum = coalesce($15::text, m.sap_docnum), sap_document = coalesce($16::text, m.sap_document),
         confirm_by = CASE WHEN $17::boolean THEN $18::timestamptz ELSE m.confirm_by END
       FROM old
       WHERE m.id = old.id AND m.status = ANY($11::text[])
       RETURNING old.status AS from_status, m.sap_status, m.attempts
     ), a AS (
       INSERT INTO message_attempts (message_id, attempt_no, transport, outcome, duration_ms, error_code,
         error_text, at)
       SELECT $1, upd.attempts, $22, $23, $24, $25, $26, $5 FROM upd
     ), h AS (
       INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       SELECT $1, from_status, $2, sap_status, $4, $14, $5 FROM upd
     )
     SELECT (SELECT from_status FROM upd) AS from_status, EXISTS (SELECT 1 FROM old) AS found`,
    [...transitionParams(now, id, to, options), ...attemptParams(attempt)],
  );
  const row = rows[0];
  if (row === undefined || row['found'] !== true) throw notFound(id);
  if (optStr(row, 'from_status') !== null) return true;
  await attemptStatement(ctx.db, now, id, attempt);
  return false;
}

export async function attempts(q: Queryable, id: string): Promise<AttemptRecord[]> {
  if (!isMessageId(id)) return [];
  const { rows } = await q.query(
    `SELECT id, message_id::text AS message_id, attempt_no, transport, outcome, duration_ms, error_code,
       error_text, at FROM message_attempts WHERE message_id = $1 ORDER BY attempt_no`,
    [id],
  );
  return rows.map(toAttempt);
}

const QUEUEABLE: readonly MessageStatus[] = ['received', 'queued', 'failed', 'blocked'];

export async function markQueued(ctx: StoreContext, id: string, token: string, by: string): Promise<boolean> {
  if (!isMessageId(id)) throw notFound(id);
  const { rows } = await ctx.db.query(
    `WITH upd AS (
       UPDATE messages m SET status = 'queued',
         sap_status = CASE WHEN old.direction = 'out' THEN $5 ELSE $6 END,
         status_text = NULL, queued_at = $3, enqueue_token = $4, updated_at = $3
       FROM (SELECT id, status, direction FROM messages WHERE id = $1 FOR UPDATE) old
       WHERE m.id = old.id AND m.status = ANY($7::text[])
       RETURNING old.status AS from_status, m.sap_status
     ), h AS (
       INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       SELECT $1, from_status, 'queued', sap_status,
         CASE WHEN from_status = 'queued' THEN 're-queued' END, $2, $3 FROM upd
     )
     SELECT (SELECT from_status FROM upd) AS from_status,
       EXISTS (SELECT 1 FROM messages WHERE id = $1) AS found`,
    [id, by, ctx.clock(), token, sapStatusFor('queued', 'out'), sapStatusFor('queued', 'in'), [...QUEUEABLE]],
  );
  const row = rows[0];
  if (row === undefined || row['found'] !== true) throw notFound(id);
  return optStr(row, 'from_status') !== null;
}
