/**
 * The ledger feed's SQL (LedgerFeedPort): pending delivered messages with their best payload
 * version, applied marks, the watermark that keeps the scan short, and sweep queries.
 *
 * Pending = status `delivered` and no row in serial_ledger_applied. The scan walks
 * messages_updated_idx (status, updated_at) from the watermark (the updated_at of the last message
 * looked at) minus a safety margin, so a large history is not re-scanned on every tick; the
 * anti-join keeps it exact inside the margin.
 */
import type { LedgerConfig } from '../../config/ledger.js';
import type { AppliedMark, LedgerFeedPort, LedgerFeedTx } from '../../ledger/serials/catch-up.js';
import type { LedgerMessage } from '../../ledger/serials/extract-message.js';
import type { MovementCount } from '../../ledger/serials/rules/frequency.js';
import type { SiteDirectory } from '../../ledger/serials/sites.js';
import { PAYLOAD_TIERS, type PayloadKind } from '../../pipeline/payload-version.js';
import type { Db, Queryable } from '../db/db.js';
import { date, num, optStr, str } from '../db/columns.js';
import {
  applyDrafts,
  insertAlerts,
  lockLedger,
  lookupDeliveries,
  parseState,
  saveDeliveries,
  STATE_COLUMNS,
} from './repo.js';
import { custodyPathPort } from './custody-models.js';
import { settledSql } from '../messages/settled.js';

/**
 * The best payload version by the pipeline's one rule (src/pipeline/payload-version.ts): the
 * tiers of PAYLOAD_TIERS as a CASE, newest version first within a tier.
 */
const PAYLOAD_KINDS = PAYLOAD_TIERS.flat()
  .map((k) => `'${k}'`)
  .join(', ');
const PAYLOAD_RANK = `CASE ${PAYLOAD_TIERS.map(
  (kinds, i) => `WHEN v.kind IN (${kinds.map((k) => `'${k}'`).join(', ')}) THEN ${i}`,
).join(' ')} END`;

/** How far behind the watermark the scan starts (covers clock skew and slow commits). */
export const WATERMARK_MARGIN_MS = 10 * 60_000;

async function pendingMessages(tx: Queryable, limit: number): Promise<LedgerMessage[]> {
  const { rows } = await tx.query(
    `SELECT m.id::text AS id, m.message_type, m.correlation_kind, m.created_at, m.updated_at,
            v.kind, v.format, v.content_text, v.content_bytes
       FROM messages m
       LEFT JOIN LATERAL (
         SELECT kind, format, content_text, content_bytes FROM message_versions v
          WHERE v.message_id = m.id AND v.kind IN (${PAYLOAD_KINDS})
          ORDER BY ${PAYLOAD_RANK}, v.version DESC
          LIMIT 1) v ON true
      WHERE ${settledSql('m')}
        AND m.updated_at >= COALESCE((SELECT watermark FROM serial_ledger_cursor WHERE id = 1), '-infinity'::timestamptz)
                            - make_interval(secs => $2::double precision)
        AND NOT EXISTS (SELECT 1 FROM serial_ledger_applied a WHERE a.message_id = m.id)
      ORDER BY m.updated_at, m.receipt_seq
      LIMIT $1`,
    [limit, WATERMARK_MARGIN_MS / 1000],
  );
  if (rows.length > 0) {
    const last = rows[rows.length - 1]!;
    await tx.query(
      `INSERT INTO serial_ledger_cursor (id, watermark) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(serial_ledger_cursor.watermark, excluded.watermark)`,
      [date(last, 'updated_at')],
    );
  }
  return rows.map((r) => {
    const bytes = r['content_bytes'];
    const content = optStr(r, 'content_text') ?? (bytes instanceof Uint8Array ? bytes : null);
    const kind = optStr(r, 'kind');
    return {
      id: str(r, 'id'),
      messageType: optStr(r, 'message_type'),
      correlationKind: optStr(r, 'correlation_kind'),
      createdAt: date(r, 'created_at'),
      payload:
        content !== null && kind !== null
          ? { kind: kind as PayloadKind, format: str(r, 'format'), content }
          : null,
    };
  });
}

async function markApplied(tx: Queryable, rows: readonly AppliedMark[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO serial_ledger_applied (message_id, outcome, events, error_code, error_text, applied_at)
     SELECT m, o, e, c, t, $6 FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[]) AS x(m, o, e, c, t)
     ON CONFLICT (message_id) DO NOTHING`,
    [
      rows.map((r) => r.messageId),
      rows.map((r) => r.outcome),
      rows.map((r) => r.events),
      rows.map((r) => r.error?.code ?? null),
      rows.map((r) => r.error?.text.slice(0, 2000) ?? null),
      now,
    ],
  );
}

async function movementCounts(tx: Queryable, from: Date, minPopulation: number): Promise<MovementCount[]> {
  const { rows } = await tx.query(
    `WITH c AS (
       SELECT material, serial, count(*)::int AS n,
              (array_agg(id ORDER BY event_time DESC))[1:10] AS ids,
              (array_agg(message_id::text ORDER BY event_time DESC))[1:10] AS msgs
         FROM serial_events
        WHERE event_time >= $1 AND movement NOT IN ('packed', 'other')
        GROUP BY material, serial),
     p AS (SELECT material FROM c GROUP BY material HAVING count(*) >= $2)
     SELECT c.* FROM c JOIN p USING (material)`,
    [from, minPopulation],
  );
  return rows.map((r) => {
    const ids = (r['ids'] as unknown[]).map(Number);
    const msgs = r['msgs'] as (string | null)[];
    return {
      material: str(r, 'material'),
      serial: str(r, 'serial'),
      count: num(r, 'n'),
      events: ids.map((id, i) => ({ eventId: id, messageId: msgs[i] ?? null })),
    };
  });
}

export interface LedgerFeedOptions {
  readonly sites: SiteDirectory;
  readonly config: LedgerConfig;
  readonly clock: () => Date;
}

/** The LedgerFeedPort over a database (PostgreSQL or PGlite). */
export function createLedgerFeed(db: Db, options: LedgerFeedOptions): LedgerFeedPort {
  return {
    async batch(fn) {
      return db.transaction(async (tx) => {
        if (!(await lockLedger(tx, true))) return undefined;
        const now = options.clock();
        const port: LedgerFeedTx = {
          pendingMessages: (limit) => pendingMessages(tx, limit),
          lookupDeliveries: (numbers) => lookupDeliveries(tx, numbers),
          saveDeliveries: (list) => saveDeliveries(tx, list, now),
          applyDrafts: (items) =>
            applyDrafts(tx, items, { sites: options.sites, rules: options.config.rules, now }),
          markApplied: (rows) => markApplied(tx, rows, now),
          async statesSince(state, before, limit) {
            const { rows } = await tx.query(
              `SELECT ${STATE_COLUMNS} FROM serial_state WHERE state = $1 AND since < $2 ORDER BY since LIMIT $3`,
              [state, before, limit],
            );
            return rows.map(parseState);
          },
          movementCounts: (from, minPopulation) => movementCounts(tx, from, minPopulation),
          insertAlerts: (alerts) => insertAlerts(tx, alerts, now),
          ...custodyPathPort(tx, () => now),
        };
        return fn(port);
      });
    },
  };
}
