/** Queries for the queue engine and the recovery job: ordering heads, blocked keys, stragglers. */
import type {
  SentIdoc,
  BlockedKey,
  DeadLetterFilter,
  DeadLetterGroup,
  MessageRecord,
  MessageStatus,
  StuckFilter,
} from '../../pipeline/store-port.js';
import type { Queryable } from '../db/db.js';
import { STUCK_STATUSES, sapStatusFor } from '../../pipeline/lifecycle.js';
import { MESSAGE_COLUMNS, date, num, optStr, str, toMessage } from './rows.js';

/**
 * Whether a message still holds its ordering key, as SQL: RELEASES_KEY of src/pipeline/lifecycle.ts
 * (kept equal to the partial index messages_ordering_idx of migration 0031).
 */
function holdsKey(alias: string): string {
  return `${alias}.status NOT IN ('posted', 'cancelled')
    AND NOT (${alias}.release_on = 'delivered' AND ${alias}.status IN ('delivered', 'unconfirmed', 'sap-error'))`;
}
const UNFINISHED = holdsKey('m');

function clampLimit(limit: number | undefined, fallback: number): number {
  return Math.min(Math.max(Math.trunc(limit ?? fallback), 1), 10_000);
}

export async function headOfKey(q: Queryable, orderingKey: string): Promise<MessageRecord | undefined> {
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m
     WHERE m.ordering_key = $1 AND m.ordering_key IS NOT NULL AND ${UNFINISHED}
     ORDER BY m.receipt_seq LIMIT 1`,
    [orderingKey],
  );
  return rows[0] === undefined ? undefined : toMessage(rows[0]);
}

export async function blockedKeys(q: Queryable, limit?: number): Promise<BlockedKey[]> {
  const { rows } = await q.query(
    `WITH heads AS (
       SELECT DISTINCT ON (m.ordering_key) m.id, m.ordering_key, m.receipt_seq, m.status
       FROM messages m WHERE m.ordering_key IS NOT NULL AND ${UNFINISHED}
       ORDER BY m.ordering_key, m.receipt_seq
     )
     SELECT ${MESSAGE_COLUMNS},
       (SELECT count(*) FROM messages w WHERE w.ordering_key = h.ordering_key
          AND ${holdsKey('w')} AND w.receipt_seq > h.receipt_seq) AS waiting
     FROM heads h JOIN messages m ON m.id = h.id
     WHERE h.status IN ('failed', 'dead', 'sap-error', 'in-doubt', 'unconfirmed')
     ORDER BY m.receipt_seq LIMIT $1`,
    [clampLimit(limit, 1000)],
  );
  return rows.map((r) => {
    const head = toMessage(r);
    return { orderingKey: head.orderingKey ?? '', head, waiting: num(r, 'waiting') };
  });
}

export async function findUnqueued(q: Queryable, olderThan: Date, limit?: number): Promise<MessageRecord[]> {
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.status = 'received' AND m.created_at < $1
     ORDER BY m.receipt_seq LIMIT $2`,
    [olderThan, clampLimit(limit, 500)],
  );
  return rows.map(toMessage);
}

export async function findStuck(q: Queryable, filter: StuckFilter): Promise<MessageRecord[]> {
  const statuses: readonly MessageStatus[] = filter.statuses ?? ['queued', 'processing'];
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.status = ANY($1::text[]) AND m.updated_at < $2
     ORDER BY m.updated_at, m.receipt_seq LIMIT $3`,
    [[...statuses], filter.olderThan, clampLimit(filter.limit, 500)],
  );
  return rows.map(toMessage);
}

export async function deadLetters(q: Queryable, filter: DeadLetterFilter = {}): Promise<DeadLetterGroup[]> {
  const params: unknown[] = [Math.min(Math.max(filter.sampleSize ?? 5, 0), 100)];
  params.push([...(filter.statuses ?? STUCK_STATUSES)]);
  let where = `m.status = ANY($${params.length}::text[])`;
  if (filter.partner !== undefined) {
    params.push(filter.partner);
    where += ` AND m.partner = $${params.length}`;
  }
  if (filter.direction !== undefined) {
    params.push(filter.direction);
    where += ` AND m.direction = $${params.length}`;
  }
  const { rows } = await q.query(
    `SELECT m.status, m.last_error_code AS error_code, count(*) AS n, min(m.updated_at) AS oldest,
       max(m.updated_at) AS newest, (array_agg(m.id::text ORDER BY m.receipt_seq))[1:$1::int] AS sample_ids,
       (array_agg(m.last_error_text ORDER BY m.receipt_seq DESC))[1] AS sample_text
     FROM messages m WHERE ${where} GROUP BY m.status, m.last_error_code
     ORDER BY count(*) DESC, m.status, m.last_error_code`,
    params,
  );
  return rows.map((r) => {
    const ids = r['sample_ids'];
    return {
      status: str(r, 'status') as MessageStatus,
      errorCode: optStr(r, 'error_code'),
      sampleText: optStr(r, 'sample_text'),
      count: num(r, 'n'),
      oldest: date(r, 'oldest'),
      newest: date(r, 'newest'),
      sampleIds: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [],
    };
  });
}

export async function findUnconfirmed(q: Queryable, now: Date, limit?: number): Promise<MessageRecord[]> {
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m
     WHERE m.status = 'delivered' AND m.confirm_by IS NOT NULL AND m.confirm_by < $1
     ORDER BY m.confirm_by LIMIT $2`,
    [now, clampLimit(limit, 500)],
  );
  return rows.map(toMessage);
}

/**
 * Messages the gateway sent to SAP under these DOCNUMs: gateway-made IDocs (channel `gateway:`)
 * and partner IDocs passed on as they are carry it in `docnum`, mapped partner messages as their
 * `docnum` keys (one per mapping: a corrected replay gets a new DOCNUM; the highest is the
 * newest, numbers come from one increasing sequence). Only those two channels send to SAP (SAP's
 * own IDocs, its feedback and the gateway's status IDocs, whose `docnum` key names SAP's IDoc,
 * are never matched by key). The newest message wins for a number.
 */
export async function findSentByDocnum(
  q: Queryable,
  docnums: readonly string[],
): Promise<Map<string, SentIdoc>> {
  const out = new Map<string, SentIdoc>();
  if (docnums.length === 0) return out;
  const { rows } = await q.query(
    `SELECT ${MESSAGE_COLUMNS}, x.sent_docnum,
       CASE WHEN m.channel LIKE 'partner:%'
         THEN greatest(m.docnum, (SELECT max(k2.value) FROM message_keys k2
                                   WHERE k2.message_id = m.id AND k2.kind = 'docnum'))
         ELSE m.docnum END AS latest_docnum
     FROM (
       SELECT m.id, m.docnum AS sent_docnum FROM messages m
        WHERE m.docnum = ANY($1::text[]) AND (m.channel LIKE 'gateway:%' OR m.channel LIKE 'partner:%')
       UNION
       SELECT k.message_id, k.value FROM message_keys k JOIN messages p ON p.id = k.message_id
        WHERE k.kind = 'docnum' AND k.value = ANY($1::text[]) AND p.channel LIKE 'partner:%'
     ) x JOIN messages m ON m.id = x.id
     ORDER BY m.receipt_seq`,
    [[...docnums]],
  );
  for (const r of rows) {
    const sent = str(r, 'sent_docnum');
    out.set(sent, { message: toMessage(r), latestDocnum: optStr(r, 'latest_docnum') ?? sent });
  }
  return out;
}

/**
 * Claims up to `limit` more ready messages of one route for a packet (several IDocs in one
 * request to SAP): `queued`, no ordering key (ordered messages go one by one), the same partner
 * and channel, oldest first, skipping rows another worker holds. They become `processing` with a
 * history row, in one statement, under a packet token (`<token>p`): their own queue jobs are then
 * stale and skip, so no other worker sends them meanwhile.
 */
export async function claimPacket(
  q: Queryable,
  now: Date,
  filter: {
    readonly partner: string | null;
    readonly channel: string | null;
    readonly exclude: string;
    readonly limit: number;
  },
  by: string,
  text: string,
): Promise<MessageRecord[]> {
  if (filter.limit <= 0) return [];
  const { rows } = await q.query(
    `WITH c AS (
       SELECT id FROM messages
        WHERE status = 'queued' AND ordering_key IS NULL AND channel IS NOT DISTINCT FROM $1
          AND partner IS NOT DISTINCT FROM $2 AND id <> $3::uuid
        ORDER BY receipt_seq LIMIT $4 FOR UPDATE SKIP LOCKED
     ), m AS (
       UPDATE messages m SET status = 'processing', updated_at = $5,
         sap_status = CASE WHEN m.direction = 'out' THEN $6 ELSE $7 END, status_text = $8,
         enqueue_token = coalesce(m.enqueue_token, '0') || 'p'
       FROM c WHERE m.id = c.id AND m.status = 'queued'
       RETURNING ${MESSAGE_COLUMNS}
     ), h AS (
       INSERT INTO message_status_history (message_id, from_status, to_status, sap_status, text, by, at)
       SELECT m.id::uuid, 'queued', 'processing', m.sap_status, $8, $9, $5 FROM m
     )
     SELECT * FROM m ORDER BY receipt_seq`,
    [
      filter.channel,
      filter.partner,
      filter.exclude,
      Math.min(filter.limit, 1000),
      now,
      sapStatusFor('processing', 'out'),
      sapStatusFor('processing', 'in'),
      text,
      by,
    ],
  );
  return rows.map(toMessage);
}
