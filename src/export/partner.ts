/**
 * Data products for partners (OEMs): sell-through, returns and repairs per article × site × ISO
 * week, for the partner's own articles only, with every cell that describes fewer than k units
 * left out. Pure: cells in, publishable cells out.
 *
 * A cell describes the units sold in it (sold ≥ k to be published; returns and repairs are counts
 * about those cells' units). Only one level of aggregation is published (no totals next to the
 * cells), so a suppressed cell cannot be recovered by subtracting published ones.
 */

export interface PartnerProductConfig {
  readonly partner: string;
  /** The partner's articles (material numbers, normalised). */
  readonly materials: readonly string[];
  /** Smallest number of units a published cell may describe (default 10). */
  readonly k?: number;
}

export interface PartnerCell {
  readonly material: string;
  readonly site: string;
  /** ISO week, e.g. 2025-W07. */
  readonly week: string;
  readonly sold: number;
  readonly returned: number;
  readonly repairs: number;
}

export interface PartnerProduct {
  readonly partner: string;
  readonly k: number;
  readonly cells: readonly PartnerCell[];
  /** How many cells were left out for having fewer than k units (their contents are not given). */
  readonly suppressed: number;
}

export const DEFAULT_K = 10;

export function partnerProduct(config: PartnerProductConfig, cells: readonly PartnerCell[]): PartnerProduct {
  const k = config.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k < 1) throw new Error('k must be a positive integer');
  const own = new Set(config.materials);
  const out: PartnerCell[] = [];
  let suppressed = 0;
  for (const c of cells) {
    if (!own.has(c.material)) continue; // another partner's article: never, not even as a count
    if (c.sold < k) {
      suppressed++;
      continue;
    }
    out.push(c);
  }
  out.sort(
    (a, b) =>
      a.material.localeCompare(b.material) || a.site.localeCompare(b.site) || a.week.localeCompare(b.week),
  );
  return { partner: config.partner, k, cells: out, suppressed };
}

const CSV_COLUMNS = ['material', 'site', 'week', 'sold', 'returned', 'repairs'] as const;

export function partnerCsv(p: PartnerProduct): string {
  const q = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of p.cells) lines.push(CSV_COLUMNS.map((col) => q(String(c[col]))).join(','));
  return lines.join('\r\n') + '\r\n';
}
