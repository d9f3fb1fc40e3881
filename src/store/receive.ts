/**
 * receive(): one transaction stores the message, its raw (and parsed) payload, its first status,
 * business keys and idempotency key, or returns the original of a duplicate and stores nothing.
 * Race-safe: the three duplicate rules are unique indexes and the INSERT uses ON CONFLICT DO
 * NOTHING, which waits for a concurrent insert of the same key and then sees it.
 */
import { IdocgateError } from '../errors.js';
import {
  sapStatusFor,
  type DuplicateReason,
  type MessageRecord,
  type ReceiveInput,
  type ReceiveResult,
} from '../pipeline/store-port.js';
import type { Queryable } from './db.js';
import {
  MAX_INDEXED_TEXT,
  blankToNull,
  contentColumns,
  normalizeDocnum,
  type StoreContext,
} from './context.js';
import { ADVISORY_ORDERING, lockKey } from './locks.js';
import { MESSAGE_COLUMNS, toMessage } from './rows.js';

interface Normalized {
  readonly docnum: string | null;
  readonly arckey: string | null;
  readonly senderPrt: string;
  readonly senderPrn: string;
  readonly scope: string;
  readonly idempotencyKey: string | null;
}

function normalize(input: ReceiveInput): Normalized {
  return {
    docnum: normalizeDocnum(input.docnum),
    arckey: blankToNull(input.arckey),
    senderPrt: input.sender?.prt.trim() ?? '',
    senderPrn: input.sender?.prn.trim() ?? '',
    scope: input.partner ?? '',
    idempotencyKey: blankToNull(input.idempotencyKey),
  };
}

function indexedText(input: ReceiveInput, n: Normalized): string {
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
async function findOriginal(
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

export async function receive(ctx: StoreContext, input: ReceiveInput): Promise<ReceiveResult> {
  const n = normalize(input);
  const now = ctx.clock();
  const id = ctx.newId();
  const sapStatus = sapStatusFor('received', input.direction);

  return ctx.db.transaction(async (tx) => {
    if (input.orderingKey !== undefined) {
      // Receipts of one key are serialized so that receipt_seq order is also commit order.
      await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [
        ADVISORY_ORDERING,
        lockKey(input.orderingKey),
      ]);
    }
    const inserted = await tx.query(
      `INSERT INTO messages (id, direction, partner, channel, idoc_type, extension, message_type,
         docnum, arckey, sender_prt, sender_prn, sender_por, receiver_prt, receiver_prn, receiver_por,
         status, sap_status, status_text, ordering_key, idempotency_scope, idempotency_key,
         correlation_id, correlation_kind, search_text, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'received', $16, $17,
         $18, $19, $20, $21, $22, to_tsvector('simple', $23), $24, $24)
       ON CONFLICT DO NOTHING
       RETURNING receipt_seq`,
      [
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
        sapStatus,
        input.statusText ?? null,
        input.orderingKey ?? null,
        n.idempotencyKey === null ? null : n.scope,
        n.idempotencyKey,
        input.correlation?.messageId ?? null,
        input.correlation?.kind ?? null,
        indexedText(input, n),
        now,
      ],
    );
    if (inserted.rows.length === 0) {
      const original = await findOriginal(tx, input, n);
      if (original === undefined) {
        // The conflicting row vanished between the conflict and the look-up (e.g. purged).
        throw new IdocgateError('STORE_CONFLICT', 'A duplicate was detected but its original is gone');
      }
      return { duplicate: true, duplicateOf: original.reason, message: original.message };
    }

    await tx.query(
      `INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       VALUES ($1, NULL, 'received', $2, $3, $4, $5)`,
      [id, sapStatus, input.statusText ?? null, input.by, now],
    );
    const payloads = input.parsed === undefined ? [input.raw] : [input.raw, input.parsed];
    for (const [i, p] of payloads.entries()) {
      const [text, bytes] = contentColumns(p.content);
      await tx.query(
        `INSERT INTO message_versions (message_id, version, kind, format, content_text, content_bytes,
           content_type, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, i + 1, i === 0 ? 'raw' : 'parsed', p.format, text, bytes, p.contentType ?? null, input.by, now],
      );
    }
    await insertKeys(tx, id, input.searchKeys ?? []);

    const { rows } = await tx.query(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
    if (rows[0] === undefined) throw new IdocgateError('STORE_CONFLICT', 'The new message is not readable');
    return { duplicate: false, message: toMessage(rows[0]) };
  });
}

export async function insertKeys(
  q: Queryable,
  messageId: string,
  keys: readonly { readonly kind: string; readonly value: string }[],
): Promise<void> {
  const clean = keys
    .map((k) => ({ kind: k.kind.trim().toLowerCase(), value: k.value.trim() }))
    .filter((k) => k.kind !== '' && k.value !== '');
  if (clean.length === 0) return;
  await q.query(
    `INSERT INTO message_keys (message_id, kind, value)
     SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
     ON CONFLICT DO NOTHING`,
    [messageId, clean.map((k) => k.kind), clean.map((k) => k.value)],
  );
}
