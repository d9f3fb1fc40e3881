/**
 * The delivery ledger's writes from the catch-up: announced deliveries, the DC's picking and
 * goods-issue confirmations (milestones) and receipt lines, each message applied once (a row in
 * delivery_ledger_applied, written in the same transaction). After every change the delivery's
 * status is recomputed from all its receipts by the pure computeDeliveryStatus, its lifecycle
 * state from the receipts and confirmations (lifecycleStateOf), and the aggregates are stored.
 */
import type { DeliveryRecord, DueFn } from '../../ledger/deliveries/port.js';
import { computeDeliveryStatus, type DeliveryStatus } from '../../ledger/deliveries/status.js';
import {
  lifecycleStateOf,
  NEVER_DUE,
  type ExpectedDelivery,
  type Milestone,
  type ReceiptLine,
  type StoredState,
} from '../../ledger/deliveries/types.js';
import type { Db, Queryable } from '../db/db.js';
import type { Row } from '../db/types.js';
import {
  milli,
  sqlQty,
  storedState,
  toDiscrepancy,
  toItem,
  toPushback,
  toReceipt,
  toSerial,
} from './rows.js';
import { date, num, optDate, optStr, str } from '../db/columns.js';

export const PUSHED_STATES: readonly StoredState[] = ['pushing-back', 'pushed-back'];

/** Applied marks in one statement (a message marked before keeps its first mark). */
export async function markApplied(
  db: Queryable,
  marks: readonly { messageId: string; outcome: string; note: string | null }[],
  now: Date,
): Promise<void> {
  if (marks.length === 0) return;
  await db.query(
    `INSERT INTO delivery_ledger_applied (message_id, applied_at, outcome, note)
     SELECT m, $4, o, n FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(m, o, n)
     ON CONFLICT (message_id) DO NOTHING`,
    [
      marks.map((m) => m.messageId),
      marks.map((m) => m.outcome),
      marks.map((m) => (m.note === null ? null : m.note.slice(0, 1000))),
      now,
    ],
  );
}

/** Reads a delivery with items, serials, receipts, pushback and discrepancy (optionally locking it). */
export async function loadDelivery(
  q: Queryable,
  delivery: string,
  forUpdate = false,
): Promise<DeliveryRecord | undefined> {
  return (await loadDeliveries(q, [delivery], forUpdate)).get(delivery);
}

/** Rows of `table` for the named deliveries, grouped by delivery, in the order of `orderBy`. */
async function rowsByDelivery(
  q: Queryable,
  table: string,
  deliveries: readonly string[],
  orderBy: string,
): Promise<Map<string, Row[]>> {
  const { rows } = await q.query(
    `SELECT * FROM ${table} WHERE delivery = ANY($1::text[]) ORDER BY ${orderBy}`,
    [[...deliveries]],
  );
  const out = new Map<string, Row[]>();
  for (const row of rows) {
    const d = str(row, 'delivery');
    const list = out.get(d);
    if (list === undefined) out.set(d, [row]);
    else list.push(row);
  }
  return out;
}

/**
 * Reads deliveries with their items, serials, receipts, pushback and discrepancy — six statements
 * however many deliveries (the catch-up recomputes a round's deliveries together). With
 * `forUpdate` the delivery rows are locked in delivery order, so two batches never deadlock.
 */
export async function loadDeliveries(
  q: Queryable,
  deliveries: readonly string[],
  forUpdate = false,
): Promise<Map<string, DeliveryRecord>> {
  const out = new Map<string, DeliveryRecord>();
  if (deliveries.length === 0) return out;
  const names = [...new Set(deliveries)];
  const { rows } = await q.query(
    `SELECT * FROM delivery_ledger WHERE delivery = ANY($1::text[]) ORDER BY delivery${forUpdate ? ' FOR UPDATE' : ''}`,
    [names],
  );
  if (rows.length === 0) return out;
  const known = rows.map((r) => str(r, 'delivery'));
  // one after the other: a pg client in a transaction runs one query at a time
  const items = await rowsByDelivery(q, 'delivery_ledger_items', known, 'delivery');
  const serials = await rowsByDelivery(
    q,
    'delivery_ledger_serials',
    known,
    'delivery, position NULLS LAST, material, serial',
  );
  const receipts = await rowsByDelivery(q, 'delivery_ledger_receipts', known, 'delivery, id');
  const pushbacks = await rowsByDelivery(q, 'delivery_pushbacks', known, 'delivery');
  const discrepancies = await rowsByDelivery(q, 'delivery_discrepancies', known, 'delivery');
  for (const d of rows) {
    const delivery = str(d, 'delivery');
    const hus = d['handling_units'];
    const expected: ExpectedDelivery = {
      delivery,
      sapDelivery: str(d, 'sap_delivery'),
      originSite: str(d, 'origin_site'),
      originPlant: optStr(d, 'origin_plant'),
      originStorageLocation: optStr(d, 'origin_sloc'),
      shippingPoint: optStr(d, 'shipping_point'),
      destinationSite: str(d, 'dest_site'),
      destinationPlant: optStr(d, 'dest_plant'),
      destinationStorageLocation: optStr(d, 'dest_sloc'),
      shipTo: optStr(d, 'ship_to'),
      carrier: optStr(d, 'carrier'),
      goodsIssueAt: optDate(d, 'goods_issue_at'),
      plannedGoodsIssueAt: optDate(d, 'planned_goods_issue_at'),
      pickedAt: optDate(d, 'picked_at'),
      items: (items.get(delivery) ?? [])
        .map(toItem)
        .sort((a, b) => Number(a.position) - Number(b.position) || a.position.localeCompare(b.position)),
      handlingUnits: Array.isArray(hus) ? hus.filter((h): h is string => typeof h === 'string') : [],
      serials: (serials.get(delivery) ?? []).map(toSerial),
    };
    const pb = pushbacks.get(delivery)?.[0];
    const disc = discrepancies.get(delivery)?.[0];
    out.set(delivery, {
      expected,
      state: storedState(d),
      dueAt: date(d, 'due_at'),
      messageId: optStr(d, 'message_id'),
      messageType: optStr(d, 'message_type'),
      receipts: (receipts.get(delivery) ?? []).map(toReceipt),
      pushback: pb === undefined ? null : toPushback(pb),
      discrepancy: disc === undefined ? null : toDiscrepancy(disc),
      createdAt: date(d, 'created_at'),
      updatedAt: date(d, 'updated_at'),
      version: num(d, 'version'),
    });
  }
  return out;
}

/**
 * Recomputes and stores deliveries' aggregates and lifecycle states (keeps a pushing-back /
 * pushed-back state); with `dueAt`, also their due times (actual goods issue + grace) and planned
 * due times (planned goods issue + grace). Ten statements for any number of deliveries: the six
 * reads of loadDeliveries, one update of the items and one of the deliveries.
 */
export async function recompute(
  tx: Queryable,
  deliveries: readonly string[],
  now: Date,
  dueAt?: DueFn,
): Promise<Map<string, DeliveryStatus>> {
  const records = await loadDeliveries(tx, deliveries, true);
  const out = new Map<string, DeliveryStatus>();
  if (records.size === 0) return out;
  const items: { delivery: string; position: string; qty: string }[] = [];
  const head: {
    delivery: string;
    state: StoredState;
    status: DeliveryStatus;
    due: Date;
    plannedDue: Date | null | undefined;
  }[] = [];
  for (const [delivery, record] of records) {
    const status = computeDeliveryStatus(record.expected, record.receipts);
    out.set(delivery, status);
    const e = record.expected;
    const pushed = PUSHED_STATES.includes(record.state);
    const state = pushed
      ? record.state
      : lifecycleStateOf(status.state, { goodsIssued: e.goodsIssueAt !== null, picked: e.pickedAt !== null });
    for (const i of status.items)
      items.push({ delivery, position: i.position, qty: sqlQty(i.receivedMilli) });
    const due = dueAt?.(e.destinationSite, e.goodsIssueAt) ?? record.dueAt;
    const plannedDue =
      dueAt === undefined
        ? undefined
        : e.plannedGoodsIssueAt === null
          ? null
          : dueAt(e.destinationSite, e.plannedGoodsIssueAt);
    head.push({ delivery, state, status, due: pushed ? record.dueAt : due, plannedDue });
  }
  await tx.query(
    `UPDATE delivery_ledger_items i SET received_qty = x.q::numeric
       FROM unnest($1::text[], $2::text[], $3::text[]) AS x(d, p, q)
      WHERE i.delivery = x.d AND i.position = x.p`,
    [items.map((i) => i.delivery), items.map((i) => i.position), items.map((i) => i.qty)],
  );
  await tx.query(
    `UPDATE delivery_ledger l SET state = x.st, expected_qty = x.eq::numeric, received_qty = x.rq::numeric,
            outstanding_qty = x.oq::numeric, over_received = x.ov, unexpected_serials = x.us, late_receipts = x.lr,
            updated_at = $1, due_at = x.due,
            planned_due_at = CASE WHEN x.sp THEN x.pd ELSE l.planned_due_at END,
            version = l.version + 1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::int[], $9::int[],
                   $10::timestamptz[], $11::boolean[], $12::timestamptz[])
         AS x(d, st, eq, rq, oq, ov, us, lr, due, sp, pd)
      WHERE l.delivery = x.d`,
    [
      now,
      head.map((h) => h.delivery),
      head.map((h) => h.state),
      head.map((h) => sqlQty(h.status.expectedMilli)),
      head.map((h) => sqlQty(h.status.receivedMilli)),
      head.map((h) => sqlQty(h.status.outstandingMilli)),
      head.map((h) => h.status.overReceived),
      head.map((h) => h.status.unexpectedSerials),
      head.map((h) => h.status.lateReceipts),
      head.map((h) => h.due),
      head.map((h) => h.plannedDue !== undefined),
      head.map((h) =>
        h.plannedDue === undefined || h.plannedDue === null || h.plannedDue.getTime() === NEVER_DUE.getTime()
          ? null
          : h.plannedDue,
      ),
    ],
  );
  return out;
}

/** The first confirmed time of a kind of milestone for the delivery named by `delivery` (SQL). */
const firstMilestone = (delivery: string, kind: 'goods-issued' | 'picked'): string =>
  `(SELECT min(event_at) FROM delivery_ledger_milestones m WHERE m.delivery = ${delivery} AND m.kind = '${kind}')`;

async function writeExpected(
  tx: Queryable,
  d: ExpectedDelivery,
  messageId: string,
  messageType: string | null,
  now: Date,
): Promise<void> {
  // The actual goods issue is the announcement's, else one confirmed before (a WHSCON PGI may
  // come before the DESADV); a later announcement without one keeps what is known.
  await tx.query(
    `INSERT INTO delivery_ledger (delivery, sap_delivery, message_id, message_type, origin_site, origin_plant,
            origin_sloc, shipping_point, dest_site, dest_plant, dest_sloc, ship_to, goods_issue_at,
            planned_goods_issue_at, picked_at, due_at, state, handling_units, created_at, updated_at, carrier)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
            COALESCE($13::timestamptz, ${firstMilestone('$1', 'goods-issued')}),
            $14, ${firstMilestone('$1', 'picked')}, $17, 'announced', $15::text::jsonb, $16, $16, $18)
     ON CONFLICT (delivery) DO UPDATE SET sap_delivery = excluded.sap_delivery, message_id = excluded.message_id,
            message_type = excluded.message_type, origin_site = excluded.origin_site,
            origin_plant = excluded.origin_plant, origin_sloc = excluded.origin_sloc,
            shipping_point = excluded.shipping_point, dest_site = excluded.dest_site,
            dest_plant = excluded.dest_plant, dest_sloc = excluded.dest_sloc, ship_to = excluded.ship_to,
            goods_issue_at = COALESCE(delivery_ledger.goods_issue_at, excluded.goods_issue_at),
            planned_goods_issue_at = COALESCE(excluded.planned_goods_issue_at, delivery_ledger.planned_goods_issue_at),
            handling_units = excluded.handling_units, updated_at = excluded.updated_at,
            carrier = COALESCE(excluded.carrier, delivery_ledger.carrier),
            version = delivery_ledger.version + 1`,
    [
      d.delivery,
      d.sapDelivery,
      messageId,
      messageType,
      d.originSite,
      d.originPlant,
      d.originStorageLocation,
      d.shippingPoint,
      d.destinationSite,
      d.destinationPlant,
      d.destinationStorageLocation,
      d.shipTo,
      d.goodsIssueAt,
      d.plannedGoodsIssueAt,
      JSON.stringify(d.handlingUnits),
      now,
      NEVER_DUE,
      d.carrier,
    ],
  );
  await tx.query('DELETE FROM delivery_ledger_items WHERE delivery = $1', [d.delivery]);
  await tx.query('DELETE FROM delivery_ledger_serials WHERE delivery = $1', [d.delivery]);
  const it = d.items;
  await tx.query(
    `INSERT INTO delivery_ledger_items (delivery, position, material, sap_material, expected_qty, unit, plant, sloc,
            batch, po_number, po_item)
     SELECT $1, p, m, sm, q::numeric, u, pl, sl, b, po, pi
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[])
         AS x(p, m, sm, q, u, pl, sl, b, po, pi)`,
    [
      d.delivery,
      it.map((i) => i.position),
      it.map((i) => i.material),
      it.map((i) => i.sapMaterial),
      it.map((i) => sqlQty(i.quantityMilli)),
      it.map((i) => i.unit),
      it.map((i) => i.plant),
      it.map((i) => i.storageLocation),
      it.map((i) => i.batch),
      it.map((i) => i.purchaseOrder),
      it.map((i) => i.purchaseOrderItem),
    ],
  );
  if (d.serials.length > 0) {
    await tx.query(
      `INSERT INTO delivery_ledger_serials (delivery, material, serial, position, handling_unit)
       SELECT $1, m, s, p, h FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS x(m, s, p, h)
       ON CONFLICT DO NOTHING`,
      [
        d.delivery,
        d.serials.map((s) => s.material),
        d.serials.map((s) => s.serial),
        d.serials.map((s) => s.position),
        d.serials.map((s) => s.handlingUnit),
      ],
    );
  }
}

/**
 * Records the deliveries messages announce and marks each message applied, in one transaction
 * (messages already applied are skipped): in message order, a later announcement of the same
 * delivery replaces items and serials, unless the delivery was already pushed back; then every
 * delivery written is recomputed once.
 */
export async function applyExpected(
  db: Db,
  messages: readonly {
    readonly messageId: string;
    readonly messageType: string | null;
    readonly deliveries: readonly ExpectedDelivery[];
  }[],
  dueAt: DueFn,
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction(async (tx) => {
    const todo = await notYetApplied(tx, messages);
    if (todo.length === 0) return;
    const { pushed } = await lockDeliveries(tx, [
      ...new Set(todo.flatMap((m) => m.deliveries.map((d) => d.delivery))),
    ]);
    const written = new Set<string>();
    const marks = [];
    for (const m of todo) {
      const kept: string[] = [];
      for (const d of m.deliveries) {
        if (pushed.has(d.delivery)) {
          kept.push(d.delivery);
          continue;
        }
        await writeExpected(tx, d, m.messageId, m.messageType, now);
        written.add(d.delivery);
      }
      const note =
        kept.length > 0
          ? `already pushed back, announcement not applied: ${kept.join(', ')}`
          : m.deliveries.map((d) => d.delivery).join(', ');
      marks.push({ messageId: m.messageId, outcome: 'expect', note });
    }
    await recompute(tx, [...written], now, dueAt);
    await markApplied(tx, marks, now);
  });
}

/** The messages of a batch the ledger has not applied yet (by delivery_ledger_applied). */
async function notYetApplied<T extends { readonly messageId: string }>(
  tx: Queryable,
  messages: readonly T[],
): Promise<T[]> {
  const { rows } = await tx.query(
    'SELECT message_id::text AS id FROM delivery_ledger_applied WHERE message_id = ANY($1::uuid[])',
    [messages.map((m) => m.messageId)],
  );
  const applied = new Set(rows.map((r) => str(r, 'id')));
  return messages.filter((m) => !applied.has(m.messageId));
}

/**
 * Locks the named deliveries (in delivery order, so batches never deadlock) and tells which are
 * known and which were already pushed back.
 */
async function lockDeliveries(
  tx: Queryable,
  deliveries: readonly string[],
): Promise<{ known: Set<string>; pushed: Set<string> }> {
  const { rows } = await tx.query(
    'SELECT delivery, state FROM delivery_ledger WHERE delivery = ANY($1::text[]) ORDER BY delivery FOR UPDATE',
    [[...deliveries]],
  );
  const known = new Set<string>();
  const pushed = new Set<string>();
  for (const row of rows) {
    const d = str(row, 'delivery');
    known.add(d);
    if (PUSHED_STATES.includes(storedState(row))) pushed.add(d);
  }
  return { known, pushed };
}

/**
 * Records receipt lines (idempotent per message, delivery and line); a line for a delivery that
 * was already pushed back is recorded as late: listed and flagged, never counted.
 * Receipt lines of several messages in one transaction and a fixed number of statements: the
 * messages already applied are skipped, every delivery named is locked (in delivery order, as a
 * single message does), the lines and the applied marks are inserted with one statement each,
 * and each known delivery is recomputed once.
 */
export async function applyReceipts(
  db: Db,
  messages: readonly { readonly messageId: string; readonly lines: readonly ReceiptLine[] }[],
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction(async (tx) => {
    const todo = await notYetApplied(tx, messages);
    if (todo.length === 0) return;
    const deliveries = [...new Set(todo.flatMap((m) => m.lines.map((l) => l.delivery)))].sort();
    const { known, pushed: late } = await lockDeliveries(tx, deliveries);
    const lines = todo.flatMap((m) => m.lines.map((l) => ({ messageId: m.messageId, l })));
    await tx.query(
      `INSERT INTO delivery_ledger_receipts (delivery, message_id, line, source, position, material, quantity, unit,
              serials, event_at, recorded_at, late)
       SELECT d, mid, l, s, p, m, q::numeric, u, se::jsonb, e, $1, lt
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::timestamptz[], $12::boolean[]) AS x(mid, d, l, s, p, m, q, u, se, e, lt)
       ON CONFLICT (message_id, delivery, line) DO NOTHING`,
      [
        now,
        lines.map((x) => x.messageId),
        lines.map((x) => x.l.delivery),
        lines.map((x) => x.l.line),
        lines.map((x) => x.l.source),
        lines.map((x) => x.l.position),
        lines.map((x) => x.l.material),
        lines.map((x) => sqlQty(x.l.quantityMilli)),
        lines.map((x) => x.l.unit),
        lines.map((x) => JSON.stringify(x.l.serials)),
        lines.map((x) => x.l.eventAt),
        lines.map((x) => late.has(x.l.delivery)),
      ],
    );
    await recompute(
      tx,
      deliveries.filter((d) => known.has(d)),
      now,
    );
    const marks = todo.map((m) => {
      const own = [...new Set(m.lines.map((l) => l.delivery))].sort();
      const ownLate = own.filter((d) => late.has(d));
      const unknown = own.filter((d) => !known.has(d));
      const notes = [
        ...(ownLate.length > 0 ? [`late receipt after pushback: ${ownLate.join(', ')}`] : []),
        ...(unknown.length > 0 ? [`delivery not (yet) known: ${unknown.join(', ')}`] : []),
      ];
      return {
        messageId: m.messageId,
        outcome: ownLate.length > 0 ? 'late-receipt' : 'receipt',
        note: notes.join('; ') || null,
      };
    });
    await markApplied(tx, marks, now);
  });
}

/**
 * Picking and goods-issue confirmations of several messages in one transaction: kept per
 * message, delivery and kind (a delivery not announced yet gets them when it is); a known
 * delivery takes the first confirmed time of each kind it did not have, gets its due time from
 * the goods issue and its state recomputed. A pushed-back delivery is not changed.
 */
export async function applyMilestones(
  db: Db,
  messages: readonly { readonly messageId: string; readonly milestones: readonly Milestone[] }[],
  dueAt: DueFn,
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction(async (tx) => {
    const todo = await notYetApplied(tx, messages);
    if (todo.length === 0) return;
    const all = todo.flatMap((m) => m.milestones.map((x) => ({ messageId: m.messageId, x })));
    const deliveries = [...new Set(all.map((a) => a.x.delivery))].sort();
    const { known, pushed } = await lockDeliveries(tx, deliveries);
    await tx.query(
      `INSERT INTO delivery_ledger_milestones (delivery, message_id, kind, event_at, recorded_at)
       SELECT d, mid, k, e, $1 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS x(mid, d, k, e)
       ON CONFLICT (message_id, delivery, kind) DO NOTHING`,
      [
        now,
        all.map((a) => a.messageId),
        all.map((a) => a.x.delivery),
        all.map((a) => a.x.kind),
        all.map((a) => a.x.at),
      ],
    );
    const moved = deliveries.filter((d) => known.has(d) && !pushed.has(d));
    await tx.query(
      `UPDATE delivery_ledger l SET
          goods_issue_at = COALESCE(l.goods_issue_at, ${firstMilestone('l.delivery', 'goods-issued')}),
          picked_at = COALESCE(l.picked_at, ${firstMilestone('l.delivery', 'picked')})
        WHERE l.delivery = ANY($1::text[])`,
      [moved],
    );
    await recompute(tx, moved, now, dueAt);
    const marks = todo.map((m) => {
      const own = [...new Set(m.milestones.map((x) => `${x.kind} ${x.delivery}`))].sort();
      const unknown = [...new Set(m.milestones.map((x) => x.delivery))].filter((d) => !known.has(d));
      const late = [...new Set(m.milestones.map((x) => x.delivery))].filter((d) => pushed.has(d));
      const notes = [
        own.join(', '),
        ...(unknown.length > 0 ? [`delivery not (yet) known: ${unknown.sort().join(', ')}`] : []),
        ...(late.length > 0 ? [`already pushed back, not applied: ${late.sort().join(', ')}`] : []),
      ];
      return { messageId: m.messageId, outcome: 'milestone', note: notes.join('; ') };
    });
    await markApplied(tx, marks, now);
  });
}

/** Outstanding quantity stored for a delivery (for quick checks and tests). */
export async function outstandingOf(q: Queryable, delivery: string): Promise<number | undefined> {
  const { rows } = await q.query('SELECT outstanding_qty FROM delivery_ledger WHERE delivery = $1', [
    delivery,
  ]);
  return rows[0] === undefined ? undefined : milli(rows[0], 'outstanding_qty');
}
