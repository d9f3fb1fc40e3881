/** Row parsing and SQL value helpers of the delivery ledger tables. */
import { IdocgateError } from '../../errors.js';
import type {
  Discrepancy,
  DiscrepancyItem,
  PushbackRecord,
  PushbackStep,
} from '../../ledger/deliveries/port.js';
import {
  parseQuantityMilli,
  STORED_STATES,
  type ExpectedItem,
  type ExpectedSerial,
  type RecordedReceipt,
  type ReceiptSource,
  type StoredState,
} from '../../ledger/deliveries/types.js';
import type { Row } from '../db/db.js';
import { date, num, optDate, optStr, str } from '../db/columns.js';

function bad(column: string, value: unknown): never {
  throw new IdocgateError('STORE_QUERY_FAILED', `Unexpected value in column ${column}: ${String(value)}`);
}

/** numeric(18,3) -> thousandths (pg and PGlite return numeric as text). */
export function milli(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'number') return Math.round(v * 1000);
  if (typeof v === 'string') {
    const m = parseQuantityMilli(v);
    if (m !== undefined) return m;
  }
  return bad(column, v);
}

/** Thousandths -> numeric literal text. */
export function sqlQty(milliValue: number): string {
  return (milliValue / 1000).toFixed(3);
}

export function json(row: Row, column: string): unknown {
  const v = row[column];
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return bad(column, v);
    }
  }
  return v;
}

export function bool(row: Row, column: string): boolean {
  const v = row[column];
  return typeof v === 'boolean' ? v : bad(column, v);
}

export function storedState(row: Row, column = 'state'): StoredState {
  const v = row[column];
  return typeof v === 'string' && (STORED_STATES as readonly string[]).includes(v)
    ? (v as StoredState)
    : bad(column, v);
}

function stringArray(value: unknown, column: string): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) return bad(column, value);
  return value as string[];
}

export function toItem(row: Row): ExpectedItem {
  return {
    position: str(row, 'position'),
    material: str(row, 'material'),
    sapMaterial: str(row, 'sap_material'),
    quantityMilli: milli(row, 'expected_qty'),
    unit: str(row, 'unit'),
    plant: optStr(row, 'plant'),
    storageLocation: optStr(row, 'sloc'),
    batch: optStr(row, 'batch'),
    purchaseOrder: optStr(row, 'po_number'),
    purchaseOrderItem: optStr(row, 'po_item'),
  };
}

export function toSerial(row: Row): ExpectedSerial {
  return {
    material: str(row, 'material'),
    serial: str(row, 'serial'),
    position: optStr(row, 'position'),
    handlingUnit: optStr(row, 'handling_unit'),
  };
}

export function toReceipt(row: Row): RecordedReceipt {
  return {
    delivery: str(row, 'delivery'),
    line: num(row, 'line'),
    source: str(row, 'source') as ReceiptSource,
    position: optStr(row, 'position'),
    material: optStr(row, 'material'),
    quantityMilli: milli(row, 'quantity'),
    unit: optStr(row, 'unit'),
    serials: stringArray(json(row, 'serials'), 'serials'),
    eventAt: date(row, 'event_at'),
    messageId: str(row, 'message_id'),
    recordedAt: date(row, 'recorded_at'),
    late: bool(row, 'late'),
  };
}

export function toPushback(row: Row): PushbackRecord {
  const steps = json(row, 'steps');
  if (!Array.isArray(steps)) return bad('steps', steps);
  return {
    delivery: str(row, 'delivery'),
    runId: str(row, 'run_id'),
    decidedAt: date(row, 'decided_at'),
    completedAt: optDate(row, 'completed_at'),
    steps: steps as PushbackStep[],
  };
}

const RESOLUTIONS: readonly Discrepancy['resolution'][] = [
  'transfer-back',
  'loss',
  'freight-claim',
  'custom',
];

function resolutionOf(row: Row): Discrepancy['resolution'] {
  const v = row['resolution'];
  if (v === null || v === undefined) return 'transfer-back'; // recorded before migration 0040
  return typeof v === 'string' && (RESOLUTIONS as readonly string[]).includes(v)
    ? (v as Discrepancy['resolution'])
    : bad('resolution', v);
}

export function toDiscrepancy(row: Row): Discrepancy {
  const items = json(row, 'items');
  if (!Array.isArray(items)) return bad('items', items);
  return {
    id: num(row, 'id'),
    delivery: str(row, 'delivery'),
    originSite: str(row, 'origin_site'),
    destinationSite: str(row, 'dest_site'),
    missingQuantity: milli(row, 'missing_qty') / 1000,
    missingSerials: num(row, 'missing_serials'),
    items: items as DiscrepancyItem[],
    resolution: resolutionOf(row),
    createdAt: date(row, 'created_at'),
  };
}
