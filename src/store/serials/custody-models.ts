/**
 * SQL of the custody-path rule (src/ledger/serials/rules/custody-path.ts): its models
 * (`custody_models`, versioned), its cursor, and the serial events it learns from and replays.
 */
import { z } from 'zod';
import type { CustodyEvent } from '../../intelligence/integrity/custody.js';
import type { CustodyPathPort, StoredCustodyModel } from '../../ledger/serials/rules/custody-path.js';
import type { Movement } from '../../ledger/serials/types.js';
import type { Queryable } from '../db/db.js';

const custodyModelSchema = z.strictObject({
  version: z.literal(1),
  trainedUntil: z.string(),
  sites: z.array(z.string()),
  moves: z.record(z.string(), z.record(z.string(), z.number().nonnegative())),
  miss: z.number().gt(0).lt(1),
  lambdaPerDay: z.number().positive(),
  alpha: z.number().positive(),
  threshold: z.number().gt(0).lt(1),
});

/** A serial_events row as the custody-path model reads it (also the bench's replay). */
export interface CustodyEventRow {
  id: number | string;
  material: string;
  serial: string;
  movement: string;
  from_site: string | null;
  to_site: string | null;
  delivery: string | null;
  event_time: Date | string;
  message_id: string | null;
}

export const CUSTODY_EVENT_SELECT =
  'e.id, e.material, e.serial, e.movement, e.from_site, e.to_site, e.delivery, e.event_time, e.message_id::text AS message_id';

export const toCustodyEvent = (r: CustodyEventRow): CustodyEvent => ({
  id: Number(r.id),
  material: r.material,
  serial: r.serial,
  movement: r.movement as Movement,
  fromSite: r.from_site,
  toSite: r.to_site,
  delivery: r.delivery,
  eventTime: r.event_time instanceof Date ? r.event_time : new Date(r.event_time),
  messageId: r.message_id,
});

export async function latestCustodyModel(q: Queryable): Promise<StoredCustodyModel | undefined> {
  const { rows } = await q.query<{ version: number; trained_at: Date | string; model: unknown }>(
    'SELECT version, trained_at, model FROM custody_models ORDER BY version DESC LIMIT 1',
  );
  const r = rows[0];
  if (r === undefined) return undefined;
  return {
    version: Number(r.version),
    trainedAt: r.trained_at instanceof Date ? r.trained_at : new Date(r.trained_at),
    model: custodyModelSchema.parse(typeof r.model === 'string' ? JSON.parse(r.model) : r.model),
  };
}

export function custodyPathPort(q: Queryable, now: () => Date): CustodyPathPort {
  return {
    latestCustodyModel: () => latestCustodyModel(q),
    async saveCustodyModel(model, trainedAt, trainedBy, events) {
      const { rows } = await q.query<{ version: number }>(
        `INSERT INTO custody_models (model, events, trained_at, trained_by)
         VALUES ($1::jsonb, $2, $3, $4) RETURNING version`,
        [JSON.stringify(model), events, trainedAt, trainedBy],
      );
      return Number(rows[0]!.version);
    },
    async custodyEventCount() {
      const { rows } = await q.query<{ n: number | string }>('SELECT count(*) AS n FROM serial_events');
      return Number(rows[0]?.n ?? 0);
    },
    async custodyEventsPage(until, afterId, limit) {
      // keyset on the serial index (material, serial, event_time, id); the cursor is the last
      // event's own row, so no timestamp goes through JavaScript's milliseconds
      const { rows } =
        afterId === undefined
          ? await q.query<CustodyEventRow>(
              `SELECT ${CUSTODY_EVENT_SELECT} FROM serial_events e
                WHERE e.event_time <= $1
                ORDER BY e.material, e.serial, e.event_time, e.id LIMIT $2`,
              [until, limit],
            )
          : await q.query<CustodyEventRow>(
              `SELECT ${CUSTODY_EVENT_SELECT} FROM serial_events e
                WHERE e.event_time <= $1
                  AND (e.material, e.serial, e.event_time, e.id) >
                      (SELECT c.material, c.serial, c.event_time, c.id FROM serial_events c WHERE c.id = $3)
                ORDER BY e.material, e.serial, e.event_time, e.id LIMIT $2`,
              [until, limit, afterId],
            );
      return rows.map(toCustodyEvent);
    },
    async custodyCursor() {
      const { rows } = await q.query<{ id: number | string }>(
        'SELECT last_event_id AS id FROM custody_path_cursor WHERE id = 1',
      );
      return Number(rows[0]?.id ?? 0);
    },
    async setCustodyCursor(eventId) {
      await q.query(
        `INSERT INTO custody_path_cursor (id, last_event_id, updated_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`,
        [eventId, now()],
      );
    },
    async touchedSerialEvents(afterId, limit) {
      const { rows: top } = await q.query<{ id: number | string | null }>(
        `SELECT max(id) AS id FROM (SELECT id FROM serial_events WHERE id > $1 ORDER BY id LIMIT $2) t`,
        [afterId, limit],
      );
      const upTo = top[0]?.id === null || top[0]?.id === undefined ? afterId : Number(top[0].id);
      if (upTo <= afterId) return { events: [], upTo };
      const { rows } = await q.query<CustodyEventRow>(
        `SELECT ${CUSTODY_EVENT_SELECT}
           FROM (SELECT DISTINCT material, serial FROM serial_events WHERE id > $1 AND id <= $2) s
           JOIN serial_events e ON e.material = s.material AND e.serial = s.serial
          WHERE e.id <= $2
          ORDER BY e.event_time, e.id`,
        [afterId, upTo],
      );
      return { events: rows.map(toCustodyEvent), upTo };
    },
    async deliveryDestinations(deliveries) {
      if (deliveries.length === 0) return new Map();
      const { rows } = await q.query<{ delivery: string; to_site: string | null }>(
        'SELECT delivery, to_site FROM serial_deliveries WHERE delivery = ANY($1::text[])',
        [deliveries],
      );
      return new Map(rows.map((r) => [r.delivery, r.to_site]));
    },
  };
}
