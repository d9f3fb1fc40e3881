/** What every repository function gets: the database, the clock and the id generator. */
import type { Db } from '../db/db.js';

export interface StoreContext {
  readonly db: Db;
  /** Timestamps written by the store come from here (inject a fake clock in tests). */
  readonly clock: () => Date;
  readonly newId: () => string;
}

/** Content as the two columns of a version row. */
export function contentColumns(content: string | Uint8Array): [string | null, Uint8Array | null] {
  return typeof content === 'string' ? [content, null] : [null, content];
}

/** All-digit DOCNUMs are NUMC 16: `12345` and `0000000000012345` are the same IDoc. */
export function normalizeDocnum(docnum: string | undefined): string | null {
  const t = (docnum ?? '').trim();
  if (t === '') return null;
  return /^\d{1,16}$/.test(t) ? t.padStart(16, '0') : t;
}

export function blankToNull(value: string | undefined): string | null {
  const t = (value ?? '').trim();
  return t === '' ? null : t;
}

/** Free-text index input is capped so one huge payload cannot bloat the tsvector (1 MB limit). */
export const MAX_INDEXED_TEXT = 100_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs cannot exist; answering "not found" avoids a SQL cast error. */
export function isMessageId(id: string): boolean {
  return UUID.test(id);
}
