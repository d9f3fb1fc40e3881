/**
 * receive(): one statement stores the message, its raw (and parsed) payload, its first status,
 * business keys and idempotency key, or returns the original of a duplicate and stores nothing.
 * Race-safe: the three duplicate rules are unique indexes and the INSERT uses ON CONFLICT DO
 * NOTHING, which waits for a concurrent insert of the same key and then sees it.
 */
import { IdocgateError } from '../../errors.js';
import {
  type DuplicateReason,
  type MessageRecord,
  type ReceiveInput,
  type ReceiveResult,
} from '../../pipeline/store-port.js';
import { sapStatusFor } from '../../pipeline/lifecycle.js';
import type { Queryable } from '../db/db.js';
import {
  MAX_INDEXED_TEXT,
  blankToNull,
  contentColumns,
  normalizeDocnum,
  type StoreContext,
} from './context.js';
import { ADVISORY_ORDERING, lockKey } from '../db/locks.js';
import { MESSAGE_COLUMNS, toMessage } from './rows.js';

export interface Normalized {
  readonly docnum: string | null;
  readonly arckey: string | null;
  readonly senderPrt: string;
  readonly senderPrn: string;
  readonly scope: string;
  readonly idempotencyKey: string | null;
}

export function normalize(input: ReceiveInput): Normalized {
  return {
    docnum: normalizeDocnum(input.docnum),
    arckey: blankToNull(input.arckey),
    senderPrt: input.sender?.prt.trim() ?? '',
    senderPrn: input.sender?.prn.trim() ?? '',
    scope: input.partner ?? '',
    idempotencyKey: blankToNull(input.idempotencyKey),
  };
}

export function indexedText(input: ReceiveInput, n: Normalized): string {
  const parts = [
    n.docnum ?? '',
    n.arckey ?? '',
    input.partner ?? '',
    input.idocType ?? '',
    input.extension ?? '',
    input.messageType ?? '',
    n.senderPrn,
    input.receiver?.prn ?? '',
    ...(input.searchKeys ?? []).map((k) => k.value),
    input.text ?? '',
  ];
  return parts.join(' ').slice(0, MAX_INDEXED_TEXT);
}

/** Finds the stored original a duplicate refers to, checking the rules in a fixed order. */
export async function findOriginal(
  q: Queryable,
  input: ReceiveInput,
  n: Normalized,
): Promise<{ reason: DuplicateReason; message: MessageRecord } | undefined> {
  const probes: [DuplicateReason, string, unknown[]][] = [];
  if (n.idempotencyKey !== null) {
    probes.push([
      'idempotency-key',
      'm.idempotency_scope = $1 AND m.idempotency_key = $2',
      [n.scope, n.idempotencyKey],
    ]);
  }
  const sender = 'm.direction = $1 AND m.sender_prt = $2 AND m.sender_prn = $3';
  if (n.docnum !== null) {
    probes.push([
      'docnum',
      `${sender} AND m.docnum = $4`,
      [input.direction, n.senderPrt, n.senderPrn, n.docnum],
    ]);
  }
  if (n.arckey !== null) {
    probes.push([
      'arckey',
      `${sender} AND m.arckey = $4`,
      [input.direction, n.senderPrt, n.senderPrn, n.arckey],
    ]);
  }
  for (const [reason, where, params] of probes) {
    const { rows } = await q.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE ${where}`, params);
    if (rows[0] !== undefined) return { reason, message: toMessage(rows[0]) };
  }
  return undefined;
}

/**
 * The first columns of a message row, in MESSAGE insert order: id, direction, partner, channel,
 * IDoc type, extension, message type, DOCNUM, ARCKEY, sender and receiver (one statement here,
 * the multi-row one of ./group-commit.ts).
 */
export function identityParams(id: string, input: ReceiveInput, n: Normalized): unknown[] {
  return [
    id,
    input.direction,
    input.partner ?? null,
    input.channel ?? null,
    blankToNull(input.idocType),
    blankToNull(input.extension),
    blankToNull(input.messageType),
    n.docnum,
    n.arckey,
    n.senderPrt,
    n.senderPrn,
    input.sender?.por?.trim() ?? '',
    input.receiver?.prt.trim() ?? '',
    input.receiver?.prn.trim() ?? '',
    input.receiver?.por?.trim() ?? '',
  ];
}

/**
 * The message row and its children (history, payload versions, keys) as ONE statement: the
 * children are inserted only when the message row was (ON CONFLICT DO NOTHING inserts nothing for
 * a duplicate, and the statement then returns no row).
 */
function receiveStatement(
  id: string,
  input: ReceiveInput,
  n: Normalized,
  status: 'received' | 'queued',
  token: string | null,
  history: readonly HistoryRow[],
  now: Date,
): { sql: string; params: unknown[] } {
  const payloads = input.parsed === undefined ? [input.raw] : [input.raw, input.parsed];
  const params: unknown[] = [
    ...identityParams(id, input, n),
    history[history.length - 1]!.sap,
    token === null ? (input.statusText ?? null) : null,
    input.orderingKey ?? null,
    n.idempotencyKey === null ? null : n.scope,
    n.idempotencyKey,
    input.correlation?.messageId ?? null,
    input.correlation?.kind ?? null,
    indexedText(input, n),
    now,
    status,
    token,
    payloads.length,
    input.by,
    input.releaseOn ?? 'delivered',
  ];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const historyRows = history.map(
    (h) => `(${p(h.from)}::text, ${p(h.to)}::text, ${p(h.sap)}::text, ${p(h.text)}::text)`,
  );
  const versionRows = payloads.map((v, i) => {
    const [text, bytes] = contentColumns(v.content);
    return `(${i + 1}, '${i === 0 ? 'raw' : 'parsed'}', ${p(v.format)}::text, ${p(text)}::text, ${p(
      bytes,
    )}::bytea, ${p(v.contentType ?? null)}::text)`;
  });
  const keys = cleanKeys(input.searchKeys ?? []);
  const keyKinds = p(keys.map((k) => k.kind));
  const keyValues = p(keys.map((k) => k.value));
  const sql = `WITH m AS (
      INSERT INTO messages AS m (id, direction, partner, channel, idoc_type, extension, message_type,
        docnum, arckey, sender_prt, sender_prn, sender_por, receiver_prt, receiver_prn, receiver_por,
        status, sap_status, status_text, ordering_key, idempotency_scope, idempotency_key,
        correlation_id, correlation_kind, search_text, created_at, updated_at, queued_at, enqueue_token,
        version_count, release_on)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $25, $16, $17,
        $18, $19, $20, $21, $22, to_tsvector('simple', $23), $24, $24,
        CASE WHEN $26::text IS NULL THEN NULL ELSE $24::timestamptz END, $26, $27, $29)
      ON CONFLICT DO NOTHING
      RETURNING ${MESSAGE_COLUMNS}
    ), h AS (
      INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
      SELECT m.id::uuid, x.f, x.t, x.s, x.txt, $28, $24
      FROM m, (VALUES ${historyRows.join(', ')}) AS x(f, t, s, txt)
    ), v AS (
      INSERT INTO message_versions (message_id, version, kind, format, content_text, content_bytes,
        content_type, created_by, created_at)
      SELECT m.id::uuid, x.n, x.k, x.f, x.ct, x.cb, x.ty, $28, $24
      FROM m, (VALUES ${versionRows.join(', ')}) AS x(n, k, f, ct, cb, ty)
    ), k AS (
      INSERT INTO message_keys (message_id, kind, value)
      SELECT m.id::uuid, kk, kv FROM m, unnest(${keyKinds}::text[], ${keyValues}::text[]) AS t(kk, kv)
      ON CONFLICT DO NOTHING
    )
    SELECT * FROM m`;
  return { sql, params };
}

/** What one receipt will write: its id, time, status, token and first history rows. */
export interface ReceiptPlan {
  readonly id: string;
  readonly now: Date;
  readonly n: Normalized;
  readonly token: string | null;
  readonly status: 'received' | 'queued';
  readonly history: readonly HistoryRow[];
}

export interface HistoryRow {
  readonly from: string | null;
  readonly to: string;
  readonly sap: string;
  readonly text: string | null;
}

export function planReceipt(ctx: StoreContext, input: ReceiveInput): ReceiptPlan {
  const sapStatus = sapStatusFor('received', input.direction);
  // Queued in the same statement when asked and no ordering key has to be consulted first.
  const token = input.orderingKey === undefined ? blankToNull(input.queueToken) : null;
  const history: HistoryRow[] = [
    { from: null, to: 'received', sap: sapStatus, text: input.statusText ?? null },
  ];
  if (token !== null) {
    history.push({
      from: 'received',
      to: 'queued',
      sap: sapStatusFor('queued', input.direction),
      text: null,
    });
  }
  return {
    id: ctx.newId(),
    now: ctx.clock(),
    n: normalize(input),
    token,
    status: token === null ? 'received' : 'queued',
    history,
  };
}

/** The answer for a receipt whose INSERT stored nothing: the original it duplicates. */
export async function duplicateResult(
  q: Queryable,
  input: ReceiveInput,
  n: Normalized,
): Promise<ReceiveResult> {
  const original = await findOriginal(q, input, n);
  if (original === undefined) {
    // The conflicting row vanished between the conflict and the look-up (e.g. purged).
    throw new IdocgateError('STORE_CONFLICT', 'A duplicate was detected but its original is gone');
  }
  return { duplicate: true, duplicateOf: original.reason, message: original.message };
}

export async function receive(ctx: StoreContext, input: ReceiveInput): Promise<ReceiveResult> {
  const { id, now, n, token, status, history } = planReceipt(ctx, input);
  const statement = receiveStatement(id, input, n, status, token, history, now);

  const store = async (q: Queryable): Promise<ReceiveResult> => {
    const { rows } = await q.query(statement.sql, statement.params);
    const row = rows[0];
    if (row !== undefined) return { duplicate: false, message: toMessage(row) };
    return duplicateResult(q, input, n);
  };
  if (input.orderingKey === undefined) return store(ctx.db);
  return ctx.db.transaction(async (tx) => {
    // Receipts of one key are serialized so that receipt_seq order is also commit order.
    await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [
      ADVISORY_ORDERING,
      lockKey(input.orderingKey!),
    ]);
    return store(tx);
  });
}

export function cleanKeys(
  keys: readonly { readonly kind: string; readonly value: string }[],
): { kind: string; value: string }[] {
  return keys
    .map((k) => ({ kind: k.kind.trim().toLowerCase(), value: k.value.trim() }))
    .filter((k) => k.kind !== '' && k.value !== '');
}

export async function insertKeys(
  q: Queryable,
  messageId: string,
  keys: readonly { readonly kind: string; readonly value: string }[],
): Promise<void> {
  const clean = cleanKeys(keys);
  if (clean.length === 0) return;
  await q.query(
    `INSERT INTO message_keys (message_id, kind, value)
     SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
     ON CONFLICT DO NOTHING`,
    [messageId, clean.map((k) => k.kind), clean.map((k) => k.value)],
  );
}
