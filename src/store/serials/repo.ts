/**
 * Serial ledger writes on PostgreSQL/PGlite: apply a batch of serial events (states before,
 * fingerprints, pre-allocated ids, events, states, alerts) in set-based statements over
 * unnest() arrays, so a batch costs a handful of round trips whatever its size.
 */
import type { LedgerRules } from '../../config/ledger.js';
import { planApply, fingerprint, serialKey, type DraftWithSource } from '../../ledger/serials/apply.js';
import type { AlertDraft } from '../../ledger/serials/rules/types.js';
import type { SiteDirectory } from '../../ledger/serials/sites.js';
import type { DeliveryInfo, Movement, SerialState, SerialStateName } from '../../ledger/serials/types.js';
import type { Queryable, Row } from '../db/db.js';
import { date, num, optStr, str } from '../db/columns.js';

/** Advisory lock name space of the ledger (one writer of serial states at a time). */
export const ADVISORY_LEDGER = 0x1d20;
/**
 * The ledger lock's key: the schema the ledger lives in, so that ledgers in two schemas of one
 * database (tenants, or test files side by side) never wait for or lock out each other.
 */
const LEDGER_LOCK_KEY_SQL = "hashtext('serial-ledger:' || current_schema())";

export function parseState(r: Row): SerialState {
  return {
    material: str(r, 'material'),
    serial: str(r, 'serial'),
    state: str(r, 'state') as SerialStateName,
    site: optStr(r, 'site'),
    sloc: optStr(r, 'sloc'),
    delivery: optStr(r, 'delivery'),
    handlingUnit: optStr(r, 'handling_unit'),
    partner: optStr(r, 'partner'),
    since: date(r, 'since'),
    sinceEventId: num(r, 'since_event_id'),
    sinceMessageId: optStr(r, 'since_message_id'),
    originSite: optStr(r, 'origin_site'),
    lastEventId: num(r, 'last_event_id'),
    lastMovement: str(r, 'last_movement') as Movement,
    lastEventAt: date(r, 'last_event_at'),
    lastMessageId: optStr(r, 'last_message_id'),
    eventCount: num(r, 'event_count'),
  };
}

export const STATE_COLUMNS =
  'material, serial, state, site, sloc, delivery, handling_unit, partner, since, since_event_id, since_message_id, origin_site, last_event_id, last_movement, last_event_at, last_message_id, event_count';

export async function loadStates(
  q: Queryable,
  keys: readonly { material: string; serial: string }[],
  forUpdate = false,
): Promise<Map<string, SerialState>> {
  const out = new Map<string, SerialState>();
  if (keys.length === 0) return out;
  const { rows } = await q.query(
    `SELECT ${STATE_COLUMNS.split(', ')
      .map((c) => `s.${c}`)
      .join(', ')}
       FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS k(material, serial)) k
       JOIN serial_state s ON s.material = k.material AND s.serial = k.serial${forUpdate ? ' FOR UPDATE OF s' : ''}`,
    [keys.map((k) => k.material), keys.map((k) => k.serial)],
  );
  for (const r of rows) {
    const s = parseState(r);
    out.set(serialKey(s.material, s.serial), s);
  }
  return out;
}

async function existingFingerprints(q: Queryable, fps: readonly string[]): Promise<Set<string>> {
  if (fps.length === 0) return new Set();
  const { rows } = await q.query<{ fingerprint: string }>(
    'SELECT fingerprint::text AS fingerprint FROM serial_events WHERE fingerprint = ANY($1::uuid[])',
    [fps],
  );
  return new Set(rows.map((r) => r.fingerprint));
}

/**
 * Reserves `n` consecutive event ids in one statement (callers hold the ledger lock, the only
 * writer of serial_events, so nothing else draws from the sequence in between).
 */
async function allocateIds(q: Queryable, n: number): Promise<number[]> {
  if (n === 0) return [];
  const { rows } = await q.query(
    `SELECT setval(pg_get_serial_sequence('serial_events', 'id'),
                   nextval(pg_get_serial_sequence('serial_events', 'id')) + $1::int - 1) AS last`,
    [n],
  );
  const last = num(rows[0] ?? {}, 'last');
  return Array.from({ length: n }, (_, i) => last - n + 1 + i);
}

export interface ApplyOptions {
  readonly sites: SiteDirectory;
  readonly rules: LedgerRules;
  readonly now: Date;
}

export interface ApplyResult {
  readonly applied: number;
  readonly duplicates: number;
  /** Ids of alerts that were raised (new, not de-duplicated). */
  readonly alertIds: readonly number[];
}

const nulls = <T>(values: readonly (T | null | undefined)[]): (T | null)[] => values.map((v) => v ?? null);

/** Applies serial events inside the caller's transaction (which should hold the ledger lock). */
export async function applyDrafts(
  tx: Queryable,
  items: readonly DraftWithSource[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  if (items.length === 0) return { applied: 0, duplicates: 0, alertIds: [] };
  const keys = new Map<string, { material: string; serial: string }>();
  for (const { draft } of items) keys.set(serialKey(draft.material, draft.serial), draft);
  // No row locks: callers hold the ledger lock (lockLedger), the one writer of serial states.
  const states = await loadStates(tx, [...keys.values()]);
  const prints = items.map((i) => fingerprint(i.draft));
  const existing = await existingFingerprints(tx, prints);
  const fresh = items.length - existing.size;
  const ids = await allocateIds(tx, Math.max(0, fresh));
  let next = 0;
  const plan = planApply({
    items,
    fingerprints: prints,
    existing,
    states,
    nextId: () => {
      const id = ids[next++];
      if (id === undefined) throw new Error('ledger: ran out of pre-allocated event ids');
      return id;
    },
    sites: options.sites,
    rules: options.rules,
    recordedAt: options.now,
  });
  const ev = plan.events;
  if (ev.length > 0) {
    await tx.query(
      `INSERT INTO serial_events (id, fingerprint, material, serial, movement, move_type, from_site, from_sloc,
         to_site, to_sloc, state_after, handling_unit, delivery, partner, event_time, doc_ref, message_id, recorded_at)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[],
         $16::text[], $17::uuid[], $18::timestamptz[])
       ON CONFLICT (fingerprint) DO NOTHING`,
      [
        ev.map((e) => e.id),
        ev.map((e) => e.fingerprint),
        ev.map((e) => e.material),
        ev.map((e) => e.serial),
        ev.map((e) => e.movement),
        nulls(ev.map((e) => e.moveType)),
        nulls(ev.map((e) => e.fromSite)),
        nulls(ev.map((e) => e.fromSloc)),
        nulls(ev.map((e) => e.toSite)),
        nulls(ev.map((e) => e.toSloc)),
        ev.map((e) => e.stateAfter),
        nulls(ev.map((e) => e.handlingUnit)),
        nulls(ev.map((e) => e.delivery)),
        nulls(ev.map((e) => e.partner)),
        ev.map((e) => e.eventTime),
        nulls(ev.map((e) => e.docRef)),
        nulls(ev.map((e) => e.messageId)),
        ev.map(() => options.now),
      ],
    );
    await upsertStates(tx, [...plan.states.values()]);
  }
  const alertIds = await insertAlerts(tx, plan.alerts, options.now);
  return { applied: ev.length, duplicates: plan.duplicates, alertIds };
}

export async function upsertStates(tx: Queryable, s: readonly SerialState[]): Promise<void> {
  if (s.length === 0) return;
  await tx.query(
    `INSERT INTO serial_state (${STATE_COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
       $8::text[], $9::timestamptz[], $10::bigint[], $11::uuid[], $12::text[], $13::bigint[], $14::text[],
       $15::timestamptz[], $16::uuid[], $17::int[])
     ON CONFLICT (material, serial) DO UPDATE SET
       state = excluded.state, site = excluded.site, sloc = excluded.sloc, delivery = excluded.delivery,
       handling_unit = excluded.handling_unit, partner = excluded.partner, since = excluded.since,
       since_event_id = excluded.since_event_id, since_message_id = excluded.since_message_id,
       origin_site = excluded.origin_site, last_event_id = excluded.last_event_id,
       last_movement = excluded.last_movement, last_event_at = excluded.last_event_at,
       last_message_id = excluded.last_message_id, event_count = excluded.event_count`,
    [
      s.map((x) => x.material),
      s.map((x) => x.serial),
      s.map((x) => x.state),
      nulls(s.map((x) => x.site)),
      nulls(s.map((x) => x.sloc)),
      nulls(s.map((x) => x.delivery)),
      nulls(s.map((x) => x.handlingUnit)),
      nulls(s.map((x) => x.partner)),
      s.map((x) => x.since),
      s.map((x) => x.sinceEventId),
      nulls(s.map((x) => x.sinceMessageId)),
      nulls(s.map((x) => x.originSite)),
      s.map((x) => x.lastEventId),
      s.map((x) => x.lastMovement),
      s.map((x) => x.lastEventAt),
      nulls(s.map((x) => x.lastMessageId)),
      s.map((x) => x.eventCount),
    ],
  );
}

/** Inserts alerts; an alert with the same rule, serial and key as an existing one is not raised again. */
export async function insertAlerts(
  tx: Queryable,
  alerts: readonly AlertDraft[],
  now: Date,
): Promise<number[]> {
  if (alerts.length === 0) return [];
  const { rows } = await tx.query(
    `INSERT INTO serial_alerts (rule, severity, material, serial, summary, evidence, dedupe_key, detected_at, created_at, updated_at)
     SELECT r, s, m, se, su, e::jsonb, k, d, $9, $9
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
         AS t(r, s, m, se, su, e, k, d)
     ON CONFLICT (rule, material, serial, dedupe_key) DO NOTHING
     RETURNING id`,
    [
      alerts.map((a) => a.rule),
      alerts.map((a) => a.severity),
      alerts.map((a) => a.material),
      alerts.map((a) => a.serial),
      alerts.map((a) => a.summary),
      alerts.map((a) => JSON.stringify(a.evidence)),
      alerts.map((a) => a.dedupeKey),
      alerts.map((a) => a.at),
      now,
    ],
  );
  return rows.map((r) => num(r, 'id'));
}

export async function lookupDeliveries(
  q: Queryable,
  numbers: readonly string[],
): Promise<Map<string, DeliveryInfo>> {
  const out = new Map<string, DeliveryInfo>();
  if (numbers.length === 0) return out;
  const { rows } = await q.query('SELECT * FROM serial_deliveries WHERE delivery = ANY($1::text[])', [
    numbers,
  ]);
  for (const r of rows) {
    const d = str(r, 'delivery');
    out.set(d, {
      delivery: d,
      fromSite: optStr(r, 'from_site'),
      toSite: optStr(r, 'to_site'),
      shipTo: optStr(r, 'ship_to'),
    });
  }
  return out;
}

export async function saveDeliveries(
  tx: Queryable,
  list: readonly { info: DeliveryInfo; messageId: string | null }[],
  now: Date,
): Promise<void> {
  const last = new Map<string, { info: DeliveryInfo; messageId: string | null }>();
  for (const d of list) last.set(d.info.delivery, d);
  const v = [...last.values()];
  if (v.length === 0) return;
  await tx.query(
    `INSERT INTO serial_deliveries (delivery, from_site, to_site, ship_to, message_id, updated_at)
     SELECT d, f, t, s, m, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[]) AS x(d, f, t, s, m)
     ON CONFLICT (delivery) DO UPDATE SET
       from_site = COALESCE(excluded.from_site, serial_deliveries.from_site),
       to_site = COALESCE(excluded.to_site, serial_deliveries.to_site),
       ship_to = COALESCE(excluded.ship_to, serial_deliveries.ship_to),
       message_id = excluded.message_id, updated_at = excluded.updated_at`,
    [
      v.map((d) => d.info.delivery),
      nulls(v.map((d) => d.info.fromSite)),
      nulls(v.map((d) => d.info.toSite)),
      nulls(v.map((d) => d.info.shipTo)),
      nulls(v.map((d) => d.messageId)),
      now,
    ],
  );
}

/** Takes the ledger's transaction lock; false when another process holds it (try = true). */
export async function lockLedger(tx: Queryable, tryOnly: boolean): Promise<boolean> {
  if (!tryOnly) {
    await tx.query(`SELECT pg_advisory_xact_lock($1::int, ${LEDGER_LOCK_KEY_SQL})`, [ADVISORY_LEDGER]);
    return true;
  }
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_xact_lock($1::int, ${LEDGER_LOCK_KEY_SQL}) AS ok`,
    [ADVISORY_LEDGER],
  );
  return rows[0]?.ok === true;
}
