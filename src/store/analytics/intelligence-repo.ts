/**
 * SQL of the intelligence features: the facts of goods-issued deliveries as of their goods issue
 * (delivery ledger + the DC's serial confirmations in the serial ledger), the custody evidence of
 * one delivery (announced serials, receipts, serial events) and the versioned at-risk models.
 */
import type { DeliveryCustody } from '../../intelligence/claims/attribution.js';
import type { RiskAlertOutbox } from '../../intelligence/at-risk.js';
import type { CustodyEvent } from '../../intelligence/integrity/custody.js';
import type { DeliveryFacts } from '../../intelligence/risk/types.js';
import { CUSTODY_EVENT_SELECT, toCustodyEvent, type CustodyEventRow } from '../serials/custody-models.js';
import { parseEvent } from '../serials/queries.js';
import { riskModelSchema, type IntelligencePort } from '../../intelligence/service.js';
import type { Queryable } from '../db/db.js';

interface FactsRow {
  delivery: string;
  origin_site: string;
  dest_site: string;
  carrier: string | null;
  goods_issue_at: Date | string;
  picked_at: Date | string | null;
  due_at: Date | string;
  expected_qty: number | string;
  lines: number | string;
  unserialized: number | string;
  serials: number | string;
  hus: number | string;
  loose: number | string;
  confirmed: number | string;
  by_due: number | string;
  hus_missing: number | string;
}

const asDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/**
 * Goods-issued deliveries (optionally only those with goods issue up to `until`, or the listed
 * ones), ordered by goods issue. `dcConfirmedSerials` counts only confirmations dated up to the
 * goods issue; `receivedByDue` only receipts dated up to the due date (never late ones).
 */
export async function loadDeliveryFacts(
  db: Queryable,
  options: { readonly until?: Date; readonly deliveries?: readonly string[] } = {},
): Promise<DeliveryFacts[]> {
  const where: string[] = ['d.goods_issue_at IS NOT NULL'];
  const params: unknown[] = [];
  if (options.until !== undefined) {
    params.push(options.until);
    where.push(`d.goods_issue_at <= $${params.length}`);
  }
  if (options.deliveries !== undefined) {
    params.push(options.deliveries);
    where.push(`d.delivery = ANY($${params.length}::text[])`);
  }
  const { rows } = await db.query<FactsRow>(
    `SELECT d.delivery, d.origin_site, d.dest_site, d.carrier, d.goods_issue_at, d.picked_at, d.due_at,
            d.expected_qty::float8 AS expected_qty,
            (SELECT count(*) FROM delivery_ledger_items i WHERE i.delivery = d.delivery) AS lines,
            (SELECT coalesce(sum(greatest(0, i.expected_qty - n.serials)), 0)::float8
               FROM delivery_ledger_items i
               CROSS JOIN LATERAL (SELECT count(*) AS serials FROM delivery_ledger_serials x
                                    WHERE x.delivery = i.delivery AND x.position = i.position) n
              WHERE i.delivery = d.delivery AND n.serials > 0) AS unserialized,
            s.serials, s.hus, s.loose,
            (SELECT count(DISTINCT e.serial) FROM serial_events e
              WHERE e.delivery = d.delivery AND e.movement IN ('packed', 'shipped')
                AND e.event_time <= d.goods_issue_at) AS confirmed,
            (SELECT coalesce(sum(r.quantity), 0)::float8 FROM delivery_ledger_receipts r
              WHERE r.delivery = d.delivery AND NOT r.late AND r.event_at <= d.due_at) AS by_due,
            (SELECT count(*) FROM (
               SELECT x.handling_unit FROM delivery_ledger_serials x
                WHERE x.delivery = d.delivery AND x.handling_unit IS NOT NULL
                GROUP BY x.handling_unit
               HAVING NOT bool_or(EXISTS (
                 SELECT 1 FROM delivery_ledger_receipts r
                  CROSS JOIN LATERAL jsonb_array_elements_text(r.serials) AS rs(serial)
                  WHERE r.delivery = d.delivery AND NOT r.late AND r.event_at <= d.due_at
                    AND rs.serial = x.serial))) h) AS hus_missing
       FROM delivery_ledger d
       CROSS JOIN LATERAL (
         SELECT count(*) AS serials, count(DISTINCT x.handling_unit) AS hus,
                count(*) FILTER (WHERE x.handling_unit IS NULL) AS loose
           FROM delivery_ledger_serials x WHERE x.delivery = d.delivery) s
      WHERE ${where.join(' AND ')}
      ORDER BY d.goods_issue_at, d.delivery`,
    params,
  );
  return rows.map((r) => ({
    delivery: r.delivery,
    originSite: r.origin_site,
    destinationSite: r.dest_site,
    carrier: r.carrier,
    goodsIssueAt: asDate(r.goods_issue_at),
    pickedAt: r.picked_at === null ? null : asDate(r.picked_at),
    dueAt: asDate(r.due_at),
    expectedQuantity: Number(r.expected_qty),
    lines: Number(r.lines),
    unserializedQuantity: Number(r.unserialized),
    serials: Number(r.serials),
    handlingUnits: Number(r.hus),
    looseSerials: Number(r.loose),
    dcConfirmedSerials: Number(r.confirmed),
    receivedByDue: Number(r.by_due),
    handlingUnitsMissingByDue: Number(r.hus_missing),
  }));
}

const EVENT_COLUMNS =
  'id, material, serial, movement, move_type, from_site, from_sloc, to_site, to_sloc, state_after, handling_unit, delivery, partner, event_time, doc_ref, message_id::text AS message_id, recorded_at';

/** What the ledgers know about one delivery's serials: announced, received, every serial event. */
export async function loadDeliveryCustody(db: Queryable, delivery: string): Promise<DeliveryCustody> {
  const serials = await db.query<{
    material: string;
    serial: string;
    position: string | null;
    handling_unit: string | null;
  }>(
    `SELECT material, serial, position, handling_unit FROM delivery_ledger_serials
      WHERE delivery = $1 ORDER BY material, serial`,
    [delivery],
  );
  const receipts = await db.query<{ serials: unknown }>(
    `SELECT serials FROM delivery_ledger_receipts WHERE delivery = $1 ORDER BY id`,
    [delivery],
  );
  const events = await db.query(
    `SELECT ${EVENT_COLUMNS} FROM serial_events WHERE delivery = $1 ORDER BY event_time, id`,
    [delivery],
  );
  const received: string[] = [];
  for (const r of receipts.rows) {
    const list: unknown = typeof r.serials === 'string' ? JSON.parse(r.serials) : r.serials;
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') received.push(s);
  }
  return {
    delivery,
    serials: serials.rows.map((r) => ({
      material: r.material,
      serial: r.serial,
      handlingUnit: r.handling_unit,
    })),
    receivedSerials: received,
    events: events.rows.map(parseEvent),
  };
}

export interface StoredModel {
  readonly version: number;
  readonly kind: string;
  readonly model: unknown;
  readonly metrics: unknown;
  readonly trainedAt: Date;
  readonly trainedBy: string;
}

export async function saveRiskModel(
  db: Queryable,
  m: { kind: string; model: unknown; metrics: unknown; trainedAt: Date; trainedBy: string },
): Promise<number> {
  const { rows } = await db.query<{ version: number | string }>(
    `INSERT INTO risk_models (kind, model, metrics, trained_at, trained_by)
     VALUES ($1, $2::jsonb, $3::jsonb, $4, $5) RETURNING version`,
    [m.kind, JSON.stringify(m.model), JSON.stringify(m.metrics), m.trainedAt, m.trainedBy],
  );
  return Number(rows[0]?.version);
}

export async function latestRiskModel(db: Queryable): Promise<StoredModel | undefined> {
  const { rows } = await db.query<{
    version: number | string;
    kind: string;
    model: unknown;
    metrics: unknown;
    trained_at: Date | string;
    trained_by: string;
  }>(
    `SELECT version, kind, model, metrics, trained_at, trained_by FROM risk_models
      WHERE active ORDER BY version DESC LIMIT 1`,
  );
  const r = rows[0];
  if (r === undefined) return undefined;
  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    version: Number(r.version),
    kind: r.kind,
    model: json(r.model),
    metrics: json(r.metrics),
    trainedAt: asDate(r.trained_at),
    trainedBy: r.trained_by,
  };
}

/** The IntelligencePort on a database (PostgreSQL or PGlite). */
export function createIntelligenceStore(db: Queryable): IntelligencePort {
  return {
    loadFacts: (options) => loadDeliveryFacts(db, options),
    loadCustody: (delivery) => loadDeliveryCustody(db, delivery),
    saveModel: (m) => saveRiskModel(db, m),
    async latestModel() {
      const r = await latestRiskModel(db);
      if (r === undefined) return undefined;
      return {
        version: r.version,
        model: riskModelSchema.parse(r.model),
        metrics: r.metrics,
        trainedAt: r.trainedAt,
        trainedBy: r.trainedBy,
      };
    },
  };
}

/** Every serial event (time order) in the form the custody-path model reads. */
export async function loadCustodyEvents(db: Queryable): Promise<CustodyEvent[]> {
  const { rows } = await db.query<CustodyEventRow>(
    `SELECT ${CUSTODY_EVENT_SELECT} FROM serial_events e ORDER BY e.event_time, e.id`,
  );
  return rows.map(toCustodyEvent);
}

/** Delivery -> the site it goes to (the serial ledger's delivery routes). */
export async function loadDeliveryDestinations(db: Queryable): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ delivery: string; to_site: string | null }>(
    'SELECT delivery, to_site FROM serial_deliveries',
  );
  return new Map(rows.map((r) => [r.delivery, r.to_site]));
}

/** The serial ledger's alerts (rule, serial, detection time). */
export async function loadSerialAlerts(
  db: Queryable,
): Promise<{ rule: string; material: string; serial: string; at: Date }[]> {
  const { rows } = await db.query<{
    rule: string;
    material: string;
    serial: string;
    detected_at: Date | string;
  }>('SELECT rule, material, serial, detected_at FROM serial_alerts ORDER BY detected_at, id');
  return rows.map((r) => ({
    rule: r.rule,
    material: r.material,
    serial: r.serial,
    at: asDate(r.detected_at),
  }));
}

/** Which at-risk deliveries the webhook was told about (table risk_alerts). */
export function createRiskAlertOutbox(db: Queryable): RiskAlertOutbox {
  return {
    async notified(deliveries) {
      if (deliveries.length === 0) return new Set();
      const { rows } = await db.query<{ delivery: string }>(
        'SELECT delivery FROM risk_alerts WHERE delivery = ANY($1::text[])',
        [deliveries],
      );
      return new Set(rows.map((r) => r.delivery));
    },
    async markNotified(rows, at) {
      for (const r of rows)
        await db.query(
          `INSERT INTO risk_alerts (delivery, model_version, probability, notified_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT (delivery) DO NOTHING`,
          [r.delivery, r.modelVersion, r.probability, at],
        );
    },
  };
}
