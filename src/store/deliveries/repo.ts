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

async function isApplied(tx: Queryable, messageId: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM delivery_ledger_applied WHERE message_id = $1', [messageId]);
  return rows.length > 0;
}

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
  const { rows } = await q.query(
    `SELECT * FROM delivery_ledger WHERE delivery = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [delivery],
  );
  const d = rows[0];
  if (d === undefined) return undefined;
  // one after the other: a pg client in a transaction runs one query at a time
  const items = await q.query('SELECT * FROM delivery_ledger_items WHERE delivery = $1', [delivery]);
  const serials = await q.query(
    'SELECT * FROM delivery_ledger_serials WHERE delivery = $1 ORDER BY position NULLS LAST, material, serial',
    [delivery],
  );
  const receipts = await q.query('SELECT * FROM delivery_ledger_receipts WHERE delivery = $1 ORDER BY id', [
    delivery,
  ]);
  const pushbacks = await q.query('SELECT * FROM delivery_pushbacks WHERE delivery = $1', [delivery]);
  const discrepancies = await q.query('SELECT * FROM delivery_discrepancies WHERE delivery = $1', [delivery]);
  const hus = d['handling_units'];
  const expected: ExpectedDelivery = {
    delivery: str(d, 'delivery'),
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
    items: items.rows
      .map(toItem)
      .sort((a, b) => Number(a.position) - Number(b.position) || a.position.localeCompare(b.position)),
    handlingUnits: Array.isArray(hus) ? hus.filter((h): h is string => typeof h === 'string') : [],
    serials: serials.rows.map(toSerial),
  };
  const pb = pushbacks.rows[0];
  const disc = discrepancies.rows[0];
  return {
    expected,
    state: storedState(d),
    dueAt: date(d, 'due_at'),
    messageId: optStr(d, 'message_id'),
    messageType: optStr(d, 'message_type'),
    receipts: receipts.rows.map(toReceipt),
    pushback: pb === undefined ? null : toPushback(pb),
    discrepancy: disc === undefined ? null : toDiscrepancy(disc),
    createdAt: date(d, 'created_at'),
    updatedAt: date(d, 'updated_at'),
    version: num(d, 'version'),
  };
}

/**
 * Recomputes and stores a delivery's aggregates and lifecycle state (keeps a pushing-back /
 * pushed-back state); with `dueAt`, also its due time (actual goods issue + grace) and planned
 * due time (planned goods issue + grace).
 */
export async function recompute(
  tx: Queryable,
  delivery: string,
  now: Date,
  dueAt?: DueFn,
): Promise<DeliveryStatus | undefined> {
  const record = await loadDelivery(tx, delivery, true);
  if (record === undefined) return undefined;
  const status = computeDeliveryStatus(record.expected, record.receipts);
  const e = record.expected;
  const state = PUSHED_STATES.includes(record.state)
    ? record.state
    : lifecycleStateOf(status.state, { goodsIssued: e.goodsIssueAt !== null, picked: e.pickedAt !== null });
  await tx.query(
    `UPDATE delivery_ledger_items i SET received_qty = x.q::numeric
       FROM unnest($2::text[], $3::text[]) AS x(p, q)
      WHERE i.delivery = $1 AND i.position = x.p`,
    [delivery, status.items.map((i) => i.position), status.items.map((i) => sqlQty(i.receivedMilli))],
  );
  const due = dueAt?.(e.destinationSite, e.goodsIssueAt) ?? record.dueAt;
  const plannedDue =
    dueAt === undefined
      ? undefined
      : e.plannedGoodsIssueAt === null
        ? null
        : dueAt(e.destinationSite, e.plannedGoodsIssueAt);
  await tx.query(
    `UPDATE delivery_ledger SET state = $2, expected_qty = $3::numeric, received_qty = $4::numeric,
            outstanding_qty = $5::numeric, over_received = $6, unexpected_serials = $7, late_receipts = $8,
            updated_at = $9, due_at = $10,
            planned_due_at = CASE WHEN $11::boolean THEN $12::timestamptz ELSE planned_due_at END,
            version = version + 1
      WHERE delivery = $1`,
    [
      delivery,
      state,
      sqlQty(status.expectedMilli),
      sqlQty(status.receivedMilli),
      sqlQty(status.outstandingMilli),
      status.overReceived,
      status.unexpectedSerials,
      status.lateReceipts,
      now,
      PUSHED_STATES.includes(record.state) ? record.dueAt : due,
      plannedDue !== undefined,
      plannedDue === undefined || plannedDue === null || plannedDue.getTime() === NEVER_DUE.getTime()
        ? null
        : plannedDue,
    ],
  );
  return status;
}

const FIRST_MILESTONE = `(SELECT min(event_at) FROM delivery_ledger_milestones m
                           WHERE m.delivery = $1 AND m.kind = $KIND)`;

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
            COALESCE($13::timestamptz, ${FIRST_MILESTONE.replace('$KIND', "'goods-issued'")}),
            $14, ${FIRST_MILESTONE.replace('$KIND', "'picked'")}, $17, 'announced', $15::text::jsonb, $16, $16, $18)
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
 * Records the deliveries a message announces (a later announcement of the same delivery
 * replaces items and serials, unless it was already pushed back) and marks the message applied.
 */
export async function applyExpected(
  db: Db,
  messageId: string,
  messageType: string | null,
  deliveries: readonly ExpectedDelivery[],
  dueAt: DueFn,
  now: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (await isApplied(tx, messageId)) return;
    const kept: string[] = [];
    for (const d of deliveries) {
      const { rows } = await tx.query('SELECT state FROM delivery_ledger WHERE delivery = $1 FOR UPDATE', [
        d.delivery,
      ]);
      const current = rows[0];
      if (current !== undefined && PUSHED_STATES.includes(storedState(current))) {
        kept.push(d.delivery);
        continue;
      }
      await writeExpected(tx, d, messageId, messageType, now);
      await recompute(tx, d.delivery, now, dueAt);
    }
    const note =
      kept.length > 0
        ? `already pushed back, announcement not applied: ${kept.join(', ')}`
        : deliveries.map((d) => d.delivery).join(', ');
    await markApplied(tx, [{ messageId, outcome: 'expect', note }], now);
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
    for (const d of deliveries) if (known.has(d)) await recompute(tx, d, now);
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
    for (const d of deliveries) {
      if (!known.has(d) || pushed.has(d)) continue;
      await tx.query(
        `UPDATE delivery_ledger SET
            goods_issue_at = COALESCE(goods_issue_at, ${FIRST_MILESTONE.replace('$KIND', "'goods-issued'")}),
            picked_at = COALESCE(picked_at, ${FIRST_MILESTONE.replace('$KIND', "'picked'")})
          WHERE delivery = $1`,
        [d],
      );
      await recompute(tx, d, now, dueAt);
    }
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
