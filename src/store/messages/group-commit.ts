/**
 * Group commit of receipts (docs/store.md, "Group commit"). Concurrent `receive()` calls without
 * an ordering key are coalesced by a Batcher: whatever arrives while a batch statement is in
 * flight goes into the next one, so an idle gateway answers at once and a busy one commits many
 * receipts per round trip. One statement per batch inserts every message row (one multi-row
 * INSERT over `unnest` arrays, ON CONFLICT DO NOTHING) and, in CTEs, their history rows, payload
 * versions and business keys, joined to the messages that were actually inserted. It commits
 * before any sender of the batch gets its answer.
 *
 * Duplicates, inside one batch or against earlier ones, insert nothing (the unique indexes decide,
 * the first row of the batch wins) and are answered with the original, as `receive()` does. A
 * batch whose statement fails is retried receipt by receipt through `receive()`, so a poisoned
 * row fails only its own sender. Receipts with an ordering key (advisory lock per key) go the
 * single path.
 *
 * Worker claims (`claimUnordered`) are coalesced the same way: one UPDATE claims every message of
 * the batch by its own id and enqueue token, with its history rows.
 */
import { Batcher, settle, type BatcherOptions, type Settled } from '../../batcher.js';
import { sapStatusFor } from '../../pipeline/lifecycle.js';
import type { MessageRecord, MessageStatus, ReceiveInput, ReceiveResult } from '../../pipeline/store-port.js';
import type { StoreContext } from './context.js';
import { isMessageId } from './context.js';
import { MESSAGE_COLUMNS, str, toMessage } from './rows.js';
import {
  cleanKeys,
  duplicateResult,
  identityParams,
  indexedText,
  planReceipt,
  receive,
  type ReceiptPlan,
} from './receive.js';

export type GroupCommitOptions = BatcherOptions;

export interface GroupReceiver {
  receive(input: ReceiveInput): Promise<ReceiveResult>;
  readonly batcher: Batcher<ReceiveInput, ReceiveResult>;
}

/**
 * Receipts that can share a batch: those without an ordering key. Binary payloads (an SAP edge's
 * body as received) travel base64-encoded in the batch's text array and are stored as bytes.
 */
export function batchable(input: ReceiveInput): boolean {
  return input.orderingKey === undefined;
}

export function createGroupReceiver(ctx: StoreContext, options: GroupCommitOptions = {}): GroupReceiver {
  const batcher = new Batcher<ReceiveInput, ReceiveResult>((inputs) => receiveBatch(ctx, inputs), {
    maxBatch: options.maxBatch ?? 64,
    maxInFlight: options.maxInFlight ?? (ctx.db.kind === 'pglite' ? 1 : 2),
  });
  return {
    batcher,
    receive: (input) => (batchable(input) ? batcher.submit(input) : receive(ctx, input)),
  };
}

/** The columns of one batch, one array per column (so the SQL text is the same for any size). */
interface Columns {
  readonly m: unknown[][];
  readonly h: unknown[][];
  readonly v: unknown[][];
  readonly k: unknown[][];
}

const MESSAGE_ARRAYS = [
  'uuid', // id
  'text', // direction
  'text', // partner
  'text', // channel
  'text', // idoc_type
  'text', // extension
  'text', // message_type
  'text', // docnum
  'text', // arckey
  'text', // sender_prt
  'text', // sender_prn
  'text', // sender_por
  'text', // receiver_prt
  'text', // receiver_prn
  'text', // receiver_por
  'text', // status
  'text', // sap_status
  'text', // status_text
  'text', // idempotency_scope
  'text', // idempotency_key
  'uuid', // correlation_id
  'text', // correlation_kind
  'text', // search text (to_tsvector'd)
  'timestamptz', // created_at = updated_at
  'text', // enqueue_token
  'int', // version_count
  'text', // release_on
  'int', // position in the batch (first row wins a conflict)
] as const;
const HISTORY_ARRAYS = ['uuid', 'text', 'text', 'text', 'text', 'text', 'timestamptz'] as const;
// mid, version, kind, format, content text, content bytes (base64: both drivers pass text[] the
// same way), content type, by, at
const VERSION_ARRAYS = [
  'uuid',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
] as const;
const KEY_ARRAYS = ['uuid', 'text', 'text'] as const;

function unnest(types: readonly string[], first: number): string {
  return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}

const H0 = MESSAGE_ARRAYS.length + 1;
const V0 = H0 + HISTORY_ARRAYS.length;
const K0 = V0 + VERSION_ARRAYS.length;

/** One statement for the whole batch; its text does not depend on the batch size. */
export const BATCH_RECEIVE_SQL = `WITH x AS (
    SELECT * FROM ${unnest(MESSAGE_ARRAYS, 1)} AS x(id, direction, partner, channel, idoc_type,
      extension, message_type, docnum, arckey, sender_prt, sender_prn, sender_por, receiver_prt,
      receiver_prn, receiver_por, status, sap_status, status_text, idempotency_scope,
      idempotency_key, correlation_id, correlation_kind, search, at, token, version_count,
      release_on, pos)
  ), m AS (
    INSERT INTO messages AS m (id, direction, partner, channel, idoc_type, extension, message_type,
      docnum, arckey, sender_prt, sender_prn, sender_por, receiver_prt, receiver_prn, receiver_por,
      status, sap_status, status_text, ordering_key, idempotency_scope, idempotency_key,
      correlation_id, correlation_kind, search_text, created_at, updated_at, queued_at, enqueue_token,
      version_count, release_on)
    SELECT x.id, x.direction, x.partner, x.channel, x.idoc_type, x.extension, x.message_type,
      x.docnum, x.arckey, x.sender_prt, x.sender_prn, x.sender_por, x.receiver_prt, x.receiver_prn,
      x.receiver_por, x.status, x.sap_status, x.status_text, NULL, x.idempotency_scope,
      x.idempotency_key, x.correlation_id, x.correlation_kind, to_tsvector('simple', x.search), x.at,
      x.at, CASE WHEN x.token IS NULL THEN NULL ELSE x.at END, x.token, x.version_count, x.release_on
    FROM x ORDER BY x.pos
    ON CONFLICT DO NOTHING
    RETURNING ${MESSAGE_COLUMNS}
  ), h AS (
    INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
    SELECT y.mid, y.f, y.t, y.s, y.txt, y.by, y.at
    FROM ${unnest(HISTORY_ARRAYS, H0)} AS y(mid, f, t, s, txt, by, at)
    JOIN m ON m.id = y.mid::text
  ), v AS (
    INSERT INTO message_versions (message_id, version, kind, format, content_text, content_bytes,
      content_type, created_by, created_at)
    SELECT y.mid, y.n, y.k, y.f, y.ct, decode(y.cb, 'base64'), y.ty, y.by, y.at
    FROM ${unnest(VERSION_ARRAYS, V0)} AS y(mid, n, k, f, ct, cb, ty, by, at)
    JOIN m ON m.id = y.mid::text
  ), k AS (
    INSERT INTO message_keys (message_id, kind, value)
    SELECT y.mid, y.kk, y.kv
    FROM ${unnest(KEY_ARRAYS, K0)} AS y(mid, kk, kv)
    JOIN m ON m.id = y.mid::text
    ON CONFLICT DO NOTHING
  )
  SELECT * FROM m`;

function columns(): Columns {
  const empty = (n: number): unknown[][] => Array.from({ length: n }, () => []);
  return {
    m: empty(MESSAGE_ARRAYS.length),
    h: empty(HISTORY_ARRAYS.length),
    v: empty(VERSION_ARRAYS.length),
    k: empty(KEY_ARRAYS.length),
  };
}

function push(target: unknown[][], values: readonly unknown[]): void {
  values.forEach((value, i) => target[i]!.push(value));
}

function addReceipt(c: Columns, input: ReceiveInput, plan: ReceiptPlan, pos: number): void {
  const { id, n, now } = plan;
  const at = now.toISOString();
  const payloads = input.parsed === undefined ? [input.raw] : [input.raw, input.parsed];
  push(c.m, [
    ...identityParams(id, input, n),
    plan.status,
    plan.history[plan.history.length - 1]!.sap,
    plan.token === null ? (input.statusText ?? null) : null,
    n.idempotencyKey === null ? null : n.scope,
    n.idempotencyKey,
    input.correlation?.messageId ?? null,
    input.correlation?.kind ?? null,
    indexedText(input, n),
    at,
    plan.token,
    payloads.length,
    input.releaseOn ?? 'delivered',
    pos,
  ]);
  for (const h of plan.history) push(c.h, [id, h.from, h.to, h.sap, h.text, input.by, at]);
  payloads.forEach((p, i) =>
    push(c.v, [
      id,
      i + 1,
      i === 0 ? 'raw' : 'parsed',
      p.format,
      typeof p.content === 'string' ? p.content : null,
      typeof p.content === 'string' ? null : Buffer.from(p.content).toString('base64'),
      p.contentType ?? null,
      input.by,
      at,
    ]),
  );
  for (const key of cleanKeys(input.searchKeys ?? [])) push(c.k, [id, key.kind, key.value]);
}

/**
 * One batch: the single statement, then the originals of the receipts it did not insert. When
 * the statement fails, nothing of the batch was stored: every receipt is retried on its own.
 */
export async function receiveBatch(
  ctx: StoreContext,
  inputs: readonly ReceiveInput[],
): Promise<Settled<ReceiveResult>[]> {
  if (inputs.length === 1) return [await settle(() => receive(ctx, inputs[0]!))];
  const plans = inputs.map((input) => planReceipt(ctx, input));
  const c = columns();
  inputs.forEach((input, i) => addReceipt(c, input, plans[i]!, i));
  let inserted: Map<string, ReceiveResult>;
  try {
    const { rows } = await ctx.db.query(BATCH_RECEIVE_SQL, [...c.m, ...c.h, ...c.v, ...c.k]);
    inserted = new Map(
      rows.map((row) => {
        const message = toMessage(row);
        return [message.id, { duplicate: false, message }];
      }),
    );
  } catch {
    // One by one: each receipt gets its own outcome (the bad one its own error).
    return Promise.all(inputs.map((input) => settle(() => receive(ctx, input))));
  }
  return Promise.all(
    inputs.map((input, i) =>
      settle(async () => inserted.get(plans[i]!.id) ?? duplicateResult(ctx.db, input, plans[i]!.n)),
    ),
  );
}

// --- worker claims ---------------------------------------------------------------------------

interface Claim {
  readonly id: string;
  readonly token: string;
  readonly from: readonly MessageStatus[];
  readonly by: string;
  readonly text: string | null;
}

/** One statement claims a batch: each row by its own id and token, locked in id order. */
export const BATCH_CLAIM_SQL = `WITH req AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, token, txt)
  ), old AS (
    SELECT m.id, m.status FROM messages m JOIN req ON req.id = m.id ORDER BY m.id FOR UPDATE OF m
  ), m AS (
    UPDATE messages m SET status = 'processing', updated_at = $4,
      sap_status = CASE WHEN m.direction = 'out' THEN $6 ELSE $7 END, status_text = req.txt
    FROM old JOIN req ON req.id = old.id
    WHERE m.id = old.id AND m.status = ANY($5::text[]) AND m.enqueue_token = req.token
      AND m.ordering_key IS NULL
    RETURNING old.status AS from_status, req.txt AS claim_text, ${MESSAGE_COLUMNS}
  ), h AS (
    INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
    SELECT m.id::uuid, m.from_status, 'processing', m.sap_status, m.claim_text, $8, $4 FROM m
  )
  SELECT * FROM m`;

export type ClaimOne = (
  id: string,
  token: string,
  from: readonly MessageStatus[],
  options: { readonly by: string; readonly text?: string },
) => Promise<MessageRecord | undefined>;

/**
 * Coalesces concurrent `claimUnordered` calls (one Batcher per set of `from` statuses and `by`):
 * the claims that arrive while one is in flight go together in one UPDATE. A message asked for
 * twice in one batch, or a failing batch, falls back to the single statement.
 */
export function createGroupClaimer(
  ctx: StoreContext,
  single: ClaimOne,
  options: GroupCommitOptions = {},
): ClaimOne & { readonly batches: () => number } {
  const batchers = new Map<string, Batcher<Claim, MessageRecord | undefined>>();
  const batcherFor = (
    from: readonly MessageStatus[],
    by: string,
  ): Batcher<Claim, MessageRecord | undefined> => {
    const key = JSON.stringify([from, by]);
    let b = batchers.get(key);
    if (b === undefined) {
      b = new Batcher((claims) => claimBatch(ctx, claims, from, by, single), {
        maxBatch: options.maxBatch ?? 64,
        maxInFlight: options.maxInFlight ?? (ctx.db.kind === 'pglite' ? 1 : 2),
      });
      batchers.set(key, b);
    }
    return b;
  };
  const claim: ClaimOne = (id, token, from, opts) =>
    isMessageId(id)
      ? batcherFor(from, opts.by).submit({ id, token, from, by: opts.by, text: opts.text ?? null })
      : Promise.resolve(undefined);
  return Object.assign(claim, {
    batches: () => [...batchers.values()].reduce((n, b) => n + b.stats.batches, 0),
  });
}

async function claimBatch(
  ctx: StoreContext,
  claims: readonly Claim[],
  from: readonly MessageStatus[],
  by: string,
  single: ClaimOne,
): Promise<Settled<MessageRecord | undefined>[]> {
  const one = (c: Claim): Promise<Settled<MessageRecord | undefined>> =>
    settle(() => single(c.id, c.token, c.from, { by: c.by, ...(c.text !== null ? { text: c.text } : {}) }));
  const ids = new Set<string>();
  const first = claims.filter((c) => !ids.has(c.id) && ids.add(c.id) !== undefined);
  if (first.length <= 1) return Promise.all(claims.map(one));
  let claimed: Map<string, MessageRecord>;
  try {
    const { rows } = await ctx.db.query(BATCH_CLAIM_SQL, [
      first.map((c) => c.id),
      first.map((c) => c.token),
      first.map((c) => c.text),
      ctx.clock(),
      [...from],
      sapStatusFor('processing', 'out'),
      sapStatusFor('processing', 'in'),
      by,
    ]);
    claimed = new Map(rows.map((row) => [str(row, 'id'), toMessage(row)]));
  } catch {
    return Promise.all(claims.map(one));
  }
  const inBatch = new Set(first);
  return Promise.all(
    claims.map((c) =>
      inBatch.has(c) ? Promise.resolve({ ok: true as const, value: claimed.get(c.id) }) : one(c),
    ),
  );
}
