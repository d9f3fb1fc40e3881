/**
 * Group commit of attempt finishes (docs/store.md, "Group commit"): the workers' outcomes —
 * delivered, failed with a retry time, dead, in doubt — for many messages are written by ONE
 * statement. Concurrent `finishAttempt` calls are coalesced by a Batcher (natural batching, no
 * timer, as the receipts and claims are): whatever arrives while a batch is in flight goes into
 * the next one, and each caller gets its answer only after the commit that holds its outcome.
 *
 * The statement is finishAttempt's (messages-repo.ts) over `unnest` arrays, one element per
 * message: lock the rows in id order, compare-and-set each row against its own expected statuses,
 * count the attempt, insert its attempt row and its history row. Its parameters come from the
 * same transitionParams / attemptParams as the single statement, so both write the same rows.
 *
 * Per message, as finishAttempt: a row whose status is not an expected one changes nothing in
 * the batch; its attempt is then recorded on its own and `false` answered. An unknown id gets the
 * single statement's error. A message named twice in one batch, and every message of a batch
 * whose statement fails (a poisoned row), go through the single statement one by one, so a bad
 * row fails only its own caller.
 */
import { Batcher, settle, type BatcherOptions, type Settled } from '../../batcher.js';
import type { AttemptInput, MessageStatus, TransitionOptions } from '../../pipeline/store-port.js';
import type { StoreContext } from './context.js';
import { isMessageId } from './context.js';
import { attemptParams, recordAttempt, transitionParams } from './repo.js';
import { str } from '../db/columns.js';

export interface Finish {
  readonly id: string;
  readonly attempt: AttemptInput;
  readonly to: MessageStatus;
  readonly options: TransitionOptions;
}

export type FinishOne = (
  id: string,
  attempt: AttemptInput,
  to: MessageStatus,
  options: TransitionOptions,
) => Promise<boolean>;

/** Element types of the per-message arrays, in transitionParams + attemptParams order (now left out). */
const FINISH_ARRAYS = [
  'uuid', // id
  'text', // to
  'text', // SAP status given
  'text', // status text
  'boolean', // sets the error
  'text', // error code
  'text', // error text
  'boolean', // sets the next attempt
  'timestamptz', // next attempt at
  'text', // expected statuses, comma-separated
  'text', // SAP status of `to`, direction out
  'text', // SAP status of `to`, direction in
  'text', // by
  'text', // SAP's docnum
  'text', // SAP's document
  'boolean', // sets confirm-by
  'timestamptz', // confirm by
  'boolean', // the attempt failed
  'text', // its error code for the message row
  'text', // its error text for the message row
  'text', // transport
  'text', // outcome
  'int', // duration ms
  'text', // attempt error code
  'text', // attempt error text
] as const;

const NOW = FINISH_ARRAYS.length + 1;

/** One statement for the whole batch; its text does not depend on the batch size. */
export const BATCH_FINISH_SQL = `WITH req AS (
    SELECT * FROM unnest(${FINISH_ARRAYS.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
      AS r(id, to_status, sap, txt, set_err, err_code, err_text, set_next, next_at, expect, sap_out,
        sap_in, by, sap_docnum, sap_document, set_confirm, confirm_by, a_failed, a_code, a_text,
        transport, outcome, duration, a_err_code, a_err_text)
  ), old AS (
    SELECT m.id, m.status, m.direction FROM messages m JOIN req ON req.id = m.id
    ORDER BY m.id FOR UPDATE OF m
  ), upd AS (
    UPDATE messages m SET status = req.to_status, attempts = m.attempts + 1,
      sap_status = coalesce(req.sap, CASE WHEN old.direction = 'out' THEN req.sap_out ELSE req.sap_in END),
      status_text = req.txt, updated_at = $${NOW},
      last_error_code = CASE WHEN req.set_err THEN req.err_code WHEN req.a_failed THEN req.a_code
        ELSE m.last_error_code END,
      last_error_text = CASE WHEN req.set_err THEN req.err_text WHEN req.a_failed THEN req.a_text
        ELSE m.last_error_text END,
      next_attempt_at = CASE WHEN req.set_next THEN req.next_at ELSE m.next_attempt_at END,
      sap_docnum = coalesce(req.sap_docnum, m.sap_docnum),
      sap_document = coalesce(req.sap_document, m.sap_document),
      confirm_by = CASE WHEN req.set_confirm THEN req.confirm_by ELSE m.confirm_by END
    FROM old JOIN req ON req.id = old.id
    WHERE m.id = old.id AND m.status = ANY(string_to_array(req.expect, ','))
    RETURNING m.id, old.status AS from_status, m.sap_status, m.attempts, req.to_status, req.txt,
      req.by, req.transport, req.outcome, req.duration, req.a_err_code, req.a_err_text
  ), a AS (
    INSERT INTO message_attempts (message_id, attempt_no, transport, outcome, duration_ms, error_code,
      error_text, at)
    SELECT upd.id, upd.attempts, upd.transport, upd.outcome, upd.duration, upd.a_err_code,
      upd.a_err_text, $${NOW} FROM upd
  ), h AS (
    INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
    SELECT upd.id, upd.from_status, upd.to_status, upd.sap_status, upd.txt, upd.by, $${NOW} FROM upd
  )
  SELECT old.id::text AS id, (upd.id IS NOT NULL) AS moved FROM old LEFT JOIN upd ON upd.id = old.id`;

function iso(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}

/** The array elements of one finish: the single statement's parameters without `now`. */
function rowOf(f: Finish, now: Date): unknown[] {
  const t = transitionParams(now, f.id, f.to, f.options);
  const [id, to, sap, text, , setErr, code, errText, setNext, next, expect, ...rest] = t;
  const [sapOut, sapIn, by, sapDocnum, sapDocument, setConfirm, confirmBy] = rest;
  return [
    id,
    to,
    sap,
    text,
    setErr,
    code,
    errText,
    setNext,
    iso(next),
    (expect as readonly string[]).join(','),
    sapOut,
    sapIn,
    by,
    sapDocnum,
    sapDocument,
    setConfirm,
    iso(confirmBy),
    ...attemptParams(f.attempt),
  ];
}

export function createGroupFinisher(
  ctx: StoreContext,
  single: FinishOne,
  options: BatcherOptions = {},
): FinishOne & { readonly batcher: Batcher<Finish, boolean> } {
  const batcher = new Batcher<Finish, boolean>((items) => finishBatch(ctx, items, single), {
    maxBatch: options.maxBatch ?? 64,
    maxInFlight: options.maxInFlight ?? (ctx.db.kind === 'pglite' ? 1 : 2),
  });
  const finish: FinishOne = (id, attempt, to, opts) =>
    isMessageId(id) ? batcher.submit({ id, attempt, to, options: opts }) : single(id, attempt, to, opts);
  return Object.assign(finish, { batcher });
}

export async function finishBatch(
  ctx: StoreContext,
  items: readonly Finish[],
  single: FinishOne,
): Promise<Settled<boolean>[]> {
  const one = (f: Finish): Promise<Settled<boolean>> =>
    settle(() => single(f.id, f.attempt, f.to, f.options));
  const ids = new Set<string>();
  const first = items.filter((f) => !ids.has(f.id) && ids.add(f.id) !== undefined);
  if (first.length <= 1) return Promise.all(items.map(one));
  const now = ctx.clock();
  const rows = first.map((f) => rowOf(f, now));
  let moved: Map<string, boolean>;
  try {
    const columns = FINISH_ARRAYS.map((_, i) => rows.map((r) => r[i]));
    const result = await ctx.db.query(BATCH_FINISH_SQL, [...columns, now]);
    moved = new Map(result.rows.map((row) => [str(row, 'id'), row['moved'] === true]));
  } catch {
    // One by one: each finish gets its own outcome (the bad one its own error).
    return Promise.all(items.map(one));
  }
  const inBatch = new Set(first);
  return Promise.all(
    items.map((f) => {
      if (!inBatch.has(f)) return one(f);
      const m = moved.get(f.id.toLowerCase());
      // Not found: the single statement answers with its error.
      if (m === undefined) return one(f);
      if (m) return Promise.resolve({ ok: true as const, value: true });
      // Not in an expected status: nothing changed; the attempt is recorded on its own.
      return settle(async () => {
        await recordAttempt(ctx, f.id, f.attempt);
        return false;
      });
    }),
  );
}
