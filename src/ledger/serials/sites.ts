/**
 * Site directory: SAP plant <-> site code (mappings/tables/sites.yaml plus the ledger config),
 * ship-to partner numbers that are our own sites, GLNs, and minimum transit times between sites.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTable } from '../../mapping/tables.js';
import type { LookupTable } from '../../mapping/types.js';
import { MAPPINGS_DIR } from '../../paths.js';
import { normalizeKey } from './types.js';

export interface SiteDirectory {
  /** Site code for an SAP plant; the plant itself when no site is known. */
  siteOfPlant(plant: string | null | undefined): string | null;
  /** A site code as given by a partner (already a site code) — checked against the known ones. */
  site(code: string | null | undefined): string | null;
  /** Our site behind a ship-to partner number, or null for a customer. */
  siteOfShipTo(partner: string | null | undefined): string | null;
  /** Default storage location of a site (from sites.yaml). */
  defaultSloc(site: string | null): string | null;
  /** Minimum transit time from `from` to `to` in milliseconds, when the table has one. */
  minTransitMs(from: string, to: string): number | undefined;
  readonly sites: readonly string[];
}

export interface SiteRow {
  readonly site: string;
  readonly plant: string;
  readonly storageLocation?: string;
}

/** Rows of a sites table (columns site, plant, storageLocation found by name). */
export function siteRowsOf(table: LookupTable): SiteRow[] {
  const s = table.columns.indexOf('site');
  const p = table.columns.indexOf('plant');
  const l = table.columns.indexOf('storageLocation');
  if (s < 0 || p < 0) return [];
  return table.rows.map((r) => {
    const row: SiteRow = { site: r[s] ?? '', plant: r[p] ?? '' };
    const sloc = l >= 0 ? r[l] : undefined;
    return sloc ? { ...row, storageLocation: sloc } : row;
  });
}

/** Reads mappings/tables/sites.yaml (or another file); [] when it does not exist. */
export function loadSiteRows(file: string = join(MAPPINGS_DIR, 'tables', 'sites.yaml')): SiteRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return siteRowsOf(parseTable(text, file));
}

/**
 * What the directory reads of the `ledger` config section (`sites`, `transit`), declared here so
 * the ledger does not import the config module that assembles the ledger rules' own settings.
 */
export interface SiteSettings {
  readonly sites: Readonly<
    Record<string, { readonly plants: readonly string[]; readonly customers: readonly string[] }>
  >;
  readonly transit: readonly { readonly from: string; readonly to: string; readonly minHours: number }[];
}

export function buildSiteDirectory(rows: readonly SiteRow[], config: SiteSettings): SiteDirectory {
  const byPlant = new Map<string, string>();
  const slocs = new Map<string, string>();
  const known = new Set<string>();
  const byShipTo = new Map<string, string>();
  for (const r of rows) {
    if (r.site === '') continue;
    known.add(r.site);
    if (r.plant !== '') byPlant.set(normalizeKey(r.plant), r.site);
    if (r.storageLocation) slocs.set(r.site, r.storageLocation);
  }
  for (const [site, s] of Object.entries(config.sites)) {
    known.add(site);
    for (const p of s.plants) byPlant.set(normalizeKey(p), site);
    for (const c of s.customers) byShipTo.set(normalizeKey(c), site);
  }
  const transit = new Map<string, number>();
  for (const t of config.transit) {
    const ms = t.minHours * 3_600_000;
    transit.set(`${t.from}\u0000${t.to}`, ms);
    if (!transit.has(`${t.to}\u0000${t.from}`)) transit.set(`${t.to}\u0000${t.from}`, ms);
  }
  // Explicit entries win over the symmetric defaults filled above.
  for (const t of config.transit) transit.set(`${t.from}\u0000${t.to}`, t.minHours * 3_600_000);
  return {
    sites: [...known].sort(),
    siteOfPlant(plant) {
      const p = normalizeKey(plant);
      if (p === '') return null;
      return byPlant.get(p) ?? p;
    },
    site(code) {
      const c = (code ?? '').trim();
      if (c === '') return null;
      return c;
    },
    siteOfShipTo(partner) {
      const p = normalizeKey(partner);
      return p === '' ? null : (byShipTo.get(p) ?? null);
    },
    defaultSloc: (site) => (site === null ? null : (slocs.get(site) ?? null)),
    minTransitMs: (from, to) => transit.get(`${from}\u0000${to}`),
  };
}
