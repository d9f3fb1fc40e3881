/** The lookup tables as plain maps, the way a hand-written mapping would hold them. */
import type { LookupTable } from '../../src/mapping/types.js';

export function indexBy(table: LookupTable | undefined, key: string, get: string): Map<string, string> {
  if (!table) throw new Error('missing table');
  const k = table.columns.indexOf(key);
  const g = table.columns.indexOf(get);
  const m = new Map<string, string>();
  for (const row of table.rows) if (!m.has(row[k] ?? '')) m.set(row[k] ?? '', row[g] ?? '');
  return m;
}

export const alphaIn = (s: string, len: number): string =>
  /^\d+$/.test(s) && s.length < len ? s.padStart(len, '0') : s;
export const alphaOut = (s: string): string => {
  const t = s.trim();
  if (!/^\d+$/.test(t)) return t;
  const u = t.replace(/^0+/, '');
  return u === '' ? '0' : u;
};
