/**
 * Row parsing: drivers differ (pg returns bigint as string, PGlite as number; bytea as Buffer or
 * Uint8Array), so every column is read through a checked helper rather than cast. Shared by every
 * aggregate's rows (messages, deliveries, serials, analytics).
 */
import { IdocgateError } from '../../errors.js';
import type { Row } from './db.js';

export function bad(column: string, value: unknown): never {
  throw new IdocgateError('STORE_QUERY_FAILED', `Unexpected value in column ${column}: ${String(value)}`);
}

export function str(row: Row, column: string): string {
  const v = row[column];
  return typeof v === 'string' ? v : bad(column, v);
}

export function optStr(row: Row, column: string): string | null {
  const v = row[column];
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : bad(column, v);
}

export function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return bad(column, v);
}

export function date(row: Row, column: string): Date {
  const v = row[column];
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return bad(column, v);
}

export function optDate(row: Row, column: string): Date | null {
  const v = row[column];
  return v === null || v === undefined ? null : date(row, column);
}
