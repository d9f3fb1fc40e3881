/** Message filters <-> URL search parameters (the same names the API's /api/messages takes). */

export const FILTER_NAMES = [
  'status',
  'partner',
  'direction',
  'idocType',
  'messageType',
  'docnum',
  'keyKind',
  'key',
  'serial',
  'from',
  'to',
  'text',
  'errorCode',
  'orderingKey',
] as const;

export type FilterName = (typeof FILTER_NAMES)[number];
export type Filters = Partial<Record<FilterName, string>>;

export function filtersFromSearch(search: string): Filters {
  const p = new URLSearchParams(search);
  const f: Filters = {};
  for (const n of FILTER_NAMES) {
    const v = p.get(n);
    if (v !== null && v !== '') f[n] = v;
  }
  return f;
}

export function searchFromFilters(f: Filters): string {
  const p = new URLSearchParams();
  for (const n of FILTER_NAMES) {
    const v = f[n];
    if (v !== undefined && v !== '') p.set(n, v);
  }
  return p.toString();
}

/** The filters as the API's query object (bulk replay takes the same). */
export function apiQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const n of FILTER_NAMES) {
    const v = f[n];
    if (v !== undefined && v !== '') q[n] = v;
  }
  return q;
}

export function describeFilters(f: Filters): string {
  const parts = FILTER_NAMES.flatMap((n) => (f[n] ? [`${n}=${f[n]}`] : []));
  return parts.length > 0 ? parts.join(', ') : 'all messages';
}
