/**
 * Recall: which units of a material are affected (a list or a range of serials, a delivery or a
 * handling unit) and where each one is now. Pure parts: the recall query, serial ranges as index
 * friendly bounds, the result shape and its CSV form.
 */
import { z } from 'zod';
import { normalizeKey, type Movement, type SerialStateName } from './types.js';

export const recallQuerySchema = z
  .strictObject({
    material: z.string().min(1).max(40).optional(),
    serials: z.array(z.string().min(1).max(40)).max(100_000).optional(),
    range: z.strictObject({ from: z.string().min(1).max(40), to: z.string().min(1).max(40) }).optional(),
    delivery: z.string().min(1).max(20).optional(),
    handlingUnit: z.string().min(1).max(40).optional(),
  })
  .refine(
    (q) => [q.serials, q.range, q.delivery, q.handlingUnit].filter((v) => v !== undefined).length === 1,
    { message: 'give exactly one of serials, range, delivery or handlingUnit' },
  )
  .refine((q) => (q.serials === undefined && q.range === undefined) || q.material !== undefined, {
    message: 'serials and range need a material',
    path: ['material'],
  });
export type RecallQuery = z.output<typeof recallQuerySchema>;

/**
 * Bounds for a serial range, each usable as `serial BETWEEN lo AND hi AND length(serial) = len`:
 * all-digit ranges compare numerically (one bound pair per length, serials without leading
 * zeros as the ledger stores them); other ranges compare lexicographically on serials of the
 * same length as the bounds.
 */
export interface RangeBound {
  readonly lo: string;
  readonly hi: string;
  readonly length: number;
  readonly digitsOnly: boolean;
}

export function rangeBounds(fromRaw: string, toRaw: string): RangeBound[] {
  const from = normalizeKey(fromRaw);
  const to = normalizeKey(toRaw);
  const digits = /^\d+$/.test(from) && /^\d+$/.test(to);
  if (!digits) {
    if (from.length !== to.length) return [];
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    return [{ lo, hi, length: lo.length, digitsOnly: false }];
  }
  let [lo, hi] = [from, to];
  if (lo.length > hi.length || (lo.length === hi.length && lo > hi)) [lo, hi] = [hi, lo];
  const out: RangeBound[] = [];
  for (let len = lo.length; len <= hi.length; len++) {
    const min = len === 1 ? '0' : '1' + '0'.repeat(len - 1);
    out.push({
      lo: len === lo.length ? lo : min,
      hi: len === hi.length ? hi : '9'.repeat(len),
      length: len,
      digitsOnly: true,
    });
  }
  return out;
}

export interface RecallRow {
  readonly material: string;
  readonly serial: string;
  /** null: the serial is not in the ledger. */
  readonly state: SerialStateName | null;
  readonly site: string | null;
  readonly sloc: string | null;
  readonly partner: string | null;
  /** The delivery it is travelling on (in transit) or last travelled on. */
  readonly delivery: string | null;
  readonly handlingUnit: string | null;
  readonly lastMovement: Movement | null;
  readonly lastEventAt: string | null;
  readonly lastMessageId: string | null;
}

export interface RecallResult {
  readonly query: RecallQuery;
  readonly total: number;
  readonly notFound: number;
  readonly rows: readonly RecallRow[];
  /** Serial count per site and state (customers as `customer:<id>`, unknown as `(none)`). */
  readonly bySite: readonly { site: string; state: string; count: number }[];
  /** Deliveries with affected serials in transit. */
  readonly inTransit: readonly { delivery: string; toSite: string | null; count: number }[];
}

/** Aggregates rows into the per-site counts and in-transit deliveries. */
export function summarize(query: RecallQuery, rows: readonly RecallRow[]): RecallResult {
  const bySite = new Map<string, number>();
  const transit = new Map<string, { toSite: string | null; count: number }>();
  let notFound = 0;
  for (const r of rows) {
    if (r.state === null) {
      notFound++;
      continue;
    }
    const where = r.state === 'issued' && r.partner !== null ? `customer:${r.partner}` : (r.site ?? '(none)');
    const k = `${where}\u0000${r.state}`;
    bySite.set(k, (bySite.get(k) ?? 0) + 1);
    if (r.state === 'in-transit' && r.delivery !== null) {
      const t = transit.get(r.delivery) ?? { toSite: r.site, count: 0 };
      t.count++;
      transit.set(r.delivery, t);
    }
  }
  return {
    query,
    total: rows.length,
    notFound,
    rows,
    bySite: [...bySite]
      .map(([k, count]) => {
        const [site = '', state = ''] = k.split('\u0000');
        return { site, state, count };
      })
      .sort((a, b) => a.site.localeCompare(b.site) || a.state.localeCompare(b.state)),
    inTransit: [...transit]
      .map(([delivery, t]) => ({ delivery, ...t }))
      .sort((a, b) => a.delivery.localeCompare(b.delivery)),
  };
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; formula prefixes neutralised. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  let v = value;
  // A spreadsheet would run =, +, -, @ at the start of a cell as a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const CSV_COLUMNS = [
  'material',
  'serial',
  'state',
  'site',
  'sloc',
  'partner',
  'delivery',
  'handlingUnit',
  'lastMovement',
  'lastEventAt',
  'lastMessageId',
] as const;

/** The recall rows as CSV (header line, CRLF line ends as RFC 4180 says). */
export function recallCsv(rows: readonly RecallRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
