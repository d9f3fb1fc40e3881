/**
 * Serial ledger reads: one serial's state and history, recall, counts by site, and the event
 * selection behind the EPCIS export.
 */
import {
  rangeBounds,
  summarize,
  type RecallQuery,
  type RecallResult,
  type RecallRow,
} from '../../ledger/serials/recall.js';
import {
  normalizeKey,
  type Movement,
  type SerialEvent,
  type SerialState,
  type SerialStateName,
} from '../../ledger/serials/types.js';
import type { Queryable, Row } from '../db/db.js';
import { date, num, optStr, str } from '../db/columns.js';
import { parseState, STATE_COLUMNS } from './repo.js';

export function parseEvent(r: Row): SerialEvent {
  return {
    id: num(r, 'id'),
    material: str(r, 'material'),
    serial: str(r, 'serial'),
    movement: str(r, 'movement') as Movement,
    moveType: optStr(r, 'move_type'),
    fromSite: optStr(r, 'from_site'),
    fromSloc: optStr(r, 'from_sloc'),
    toSite: optStr(r, 'to_site'),
    toSloc: optStr(r, 'to_sloc'),
    stateAfter: str(r, 'state_after') as SerialStateName,
    handlingUnit: optStr(r, 'handling_unit'),
    delivery: optStr(r, 'delivery'),
    partner: optStr(r, 'partner'),
    eventTime: date(r, 'event_time'),
    docRef: optStr(r, 'doc_ref'),
    messageId: optStr(r, 'message_id'),
    recordedAt: date(r, 'recorded_at'),
  };
}

const EVENT_COLUMNS =
  'id, material, serial, movement, move_type, from_site, from_sloc, to_site, to_sloc, state_after, handling_unit, delivery, partner, event_time, doc_ref, message_id::text AS message_id, recorded_at';

export async function serialState(
  q: Queryable,
  material: string,
  serial: string,
): Promise<SerialState | undefined> {
  const { rows } = await q.query(
    `SELECT ${STATE_COLUMNS} FROM serial_state WHERE material = $1 AND serial = $2`,
    [normalizeKey(material), normalizeKey(serial)],
  );
  return rows[0] ? parseState(rows[0]) : undefined;
}

/** Materials that have this serial (for "where is serial X" without a material). */
export async function materialsOfSerial(q: Queryable, serial: string): Promise<string[]> {
  const { rows } = await q.query<{ material: string }>(
    'SELECT material FROM serial_state WHERE serial = $1 ORDER BY material LIMIT 100',
    [normalizeKey(serial)],
  );
  return rows.map((r) => r.material);
}

/** A serial's events, oldest first. */
export async function serialHistory(
  q: Queryable,
  material: string,
  serial: string,
  limit = 1000,
): Promise<SerialEvent[]> {
  const { rows } = await q.query(
    `SELECT ${EVENT_COLUMNS} FROM serial_events WHERE material = $1 AND serial = $2 ORDER BY event_time, id LIMIT $3`,
    [normalizeKey(material), normalizeKey(serial), limit],
  );
  return rows.map(parseEvent);
}

const EVENT_FIELDS = EVENT_COLUMNS.split(', ').map((c) => {
  const [expr = c, alias = c] = c.split(' AS ');
  return { expr, alias };
});
const STATE_FIELDS = STATE_COLUMNS.split(', ');
/**
 * One serial's state and its first `limit` events in one statement (one round trip, one plan):
 * the state by primary key (or, without a material, by the serial_state (serial) index), the
 * events by the (material, serial, event_time, id) index.
 */
const lookupSql = (byMaterial: boolean): string => `SELECT ${STATE_FIELDS.map((c) => `s.${c}`).join(', ')},
        ${EVENT_FIELDS.map((f) => `e.${f.alias} AS e_${f.alias}`).join(', ')}
   FROM (SELECT * FROM serial_state
          WHERE serial = $1 ${byMaterial ? 'AND material = $3' : ''}
          ORDER BY material LIMIT 100) s
   LEFT JOIN LATERAL (
     SELECT ${EVENT_COLUMNS} FROM serial_events
      WHERE material = s.material AND serial = s.serial
      ORDER BY event_time, id LIMIT $2) e ON true
  ORDER BY s.material, e.event_time, e.id`;
const LOOKUP_BY_MATERIAL = lookupSql(true);
const LOOKUP_BY_SERIAL = lookupSql(false);

export type SerialLookup =
  | { readonly found: 'one'; readonly state: SerialState; readonly history: SerialEvent[] }
  | { readonly found: 'none' }
  /** The serial exists for several materials and none was given. */
  | { readonly found: 'several'; readonly materials: string[] };

/**
 * Where is serial X: its current state and history (oldest first, at most `limit` events) in one
 * statement. Without a material, the serial is looked up across materials.
 */
export async function serialLookup(
  q: Queryable,
  material: string | undefined,
  serial: string,
  limit = 1000,
): Promise<SerialLookup> {
  const { rows } =
    material !== undefined
      ? await q.query(LOOKUP_BY_MATERIAL, [normalizeKey(serial), limit, normalizeKey(material)])
      : await q.query(LOOKUP_BY_SERIAL, [normalizeKey(serial), limit]);
  const first = rows[0];
  if (!first) return { found: 'none' };
  const materials = [...new Set(rows.map((r) => str(r, 'material')))];
  if (materials.length > 1) return { found: 'several', materials };
  const history: SerialEvent[] = [];
  for (const r of rows) {
    if (r['e_id'] === null || r['e_id'] === undefined) continue;
    const e: Row = {};
    for (const f of EVENT_FIELDS) e[f.alias] = r[`e_${f.alias}`];
    history.push(parseEvent(e));
  }
  return { found: 'one', state: parseState(first), history };
}

function toRecallRow(material: string, serial: string, s: SerialState | undefined): RecallRow {
  return {
    material,
    serial,
    state: s?.state ?? null,
    site: s?.site ?? null,
    sloc: s?.sloc ?? null,
    partner: s?.partner ?? null,
    delivery: s?.delivery ?? null,
    handlingUnit: s?.handlingUnit ?? null,
    lastMovement: s?.lastMovement ?? null,
    lastEventAt: s ? s.lastEventAt.toISOString() : null,
    lastMessageId: s?.lastMessageId ?? null,
  };
}

/** Every affected serial with its current state; serials not in the ledger are listed with state null. */
export async function recall(q: Queryable, query: RecallQuery, limit = 200_000): Promise<RecallResult> {
  const material = query.material !== undefined ? normalizeKey(query.material) : undefined;
  let rows: RecallRow[] = [];
  if (query.serials !== undefined && material !== undefined) {
    const serials = [...new Set(query.serials.map(normalizeKey))];
    const { rows: found } = await q.query(
      `SELECT ${STATE_COLUMNS.split(', ')
        .map((c) => `s.${c}`)
        .join(', ')}
         FROM unnest($2::text[]) AS x(serial) JOIN serial_state s ON s.material = $1 AND s.serial = x.serial`,
      [material, serials],
    );
    const byserial = new Map(found.map((r) => [str(r, 'serial'), parseState(r)]));
    rows = serials.map((s) => toRecallRow(material, s, byserial.get(s)));
  } else if (query.range !== undefined && material !== undefined) {
    for (const b of rangeBounds(query.range.from, query.range.to)) {
      const { rows: found } = await q.query(
        `SELECT ${STATE_COLUMNS} FROM serial_state
          WHERE material = $1 AND serial BETWEEN $2 AND $3 AND length(serial) = $4
            ${b.digitsOnly ? "AND serial ~ '^[0-9]+$'" : ''}
          ORDER BY serial LIMIT $5`,
        [material, b.lo, b.hi, b.length, limit - rows.length],
      );
      for (const r of found) {
        const s = parseState(r);
        rows.push(toRecallRow(s.material, s.serial, s));
      }
      if (rows.length >= limit) break;
    }
  } else {
    const column = query.delivery !== undefined ? 'delivery' : 'handling_unit';
    const value = normalizeKey(query.delivery ?? query.handlingUnit);
    const { rows: found } = await q.query(
      `SELECT ${STATE_COLUMNS.split(', ')
        .map((c) => `s.${c}`)
        .join(', ')}
         FROM (SELECT DISTINCT material, serial FROM serial_events WHERE ${column} = $1
                ${material !== undefined ? 'AND material = $3' : ''}) e
         JOIN serial_state s USING (material, serial)
        ORDER BY s.material, s.serial LIMIT $2`,
      material !== undefined ? [value, limit, material] : [value, limit],
    );
    rows = found.map((r) => {
      const s = parseState(r);
      return toRecallRow(s.material, s.serial, s);
    });
  }
  return summarize(query, rows);
}

/** Serial counts per site and state (optionally for one material). */
export async function countsBySite(
  q: Queryable,
  material?: string,
): Promise<{ site: string | null; state: string; count: number }[]> {
  const { rows } = await q.query(
    `SELECT site, state, count(*)::int AS n FROM serial_state
      ${material !== undefined ? 'WHERE material = $1' : ''} GROUP BY site, state ORDER BY site NULLS LAST, state`,
    material !== undefined ? [normalizeKey(material)] : [],
  );
  return rows.map((r) => ({ site: optStr(r, 'site'), state: str(r, 'state'), count: num(r, 'n') }));
}

/** Filters of the EPCIS export, already translated to ledger terms. */
export interface EventFilter {
  readonly from?: Date;
  readonly to?: Date;
  readonly movements?: readonly Movement[];
  readonly sites?: readonly string[];
  readonly material?: string;
  readonly serials?: readonly string[];
  readonly afterId?: number;
  readonly limit: number;
}

export async function selectEvents(q: Queryable, f: EventFilter): Promise<SerialEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.from) where.push(`event_time >= ${p(f.from)}`);
  if (f.to) where.push(`event_time < ${p(f.to)}`);
  if (f.movements) where.push(`movement = ANY(${p(f.movements)}::text[])`);
  if (f.sites) {
    const s = p(f.sites);
    where.push(`(to_site = ANY(${s}::text[]) OR from_site = ANY(${s}::text[]))`);
  }
  if (f.material !== undefined) where.push(`material = ${p(normalizeKey(f.material))}`);
  if (f.serials) where.push(`serial = ANY(${p(f.serials.map(normalizeKey))}::text[])`);
  if (f.afterId !== undefined) where.push(`id > ${p(f.afterId)}`);
  const { rows } = await q.query(
    `SELECT ${EVENT_COLUMNS} FROM serial_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id LIMIT ${p(f.limit)}`,
    params,
  );
  return rows.map(parseEvent);
}

/**
 * Every event of the given serials (material + serial), in event-time order: what a recall's
 * EPCIS download holds. Read in chunks of serials and pages of events.
 */
export async function eventsOfSerials(
  q: Queryable,
  units: readonly { readonly material: string; readonly serial: string }[],
): Promise<SerialEvent[]> {
  const key = (material: string, serial: string) => `${material}\u0000${serial}`;
  const wanted = new Set(units.map((u) => key(normalizeKey(u.material), normalizeKey(u.serial))));
  const serials = [...new Set(units.map((u) => u.serial))];
  const out: SerialEvent[] = [];
  const page = 5000;
  for (let i = 0; i < serials.length; i += 1000) {
    const chunk = serials.slice(i, i + 1000);
    let afterId: number | undefined;
    for (;;) {
      const events = await selectEvents(q, {
        serials: chunk,
        ...(afterId !== undefined ? { afterId } : {}),
        limit: page,
      });
      for (const e of events) if (wanted.has(key(e.material, e.serial))) out.push(e);
      if (events.length < page) break;
      afterId = events[events.length - 1]!.id;
    }
  }
  return out.sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id);
}
