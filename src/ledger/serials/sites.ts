/**
 * The serial ledger's view of the site directory (../movements/sites.ts): plants of the sites
 * table plus `ledger.sites.<site>.plants`, ship-to partners that are our own sites
 * (`ledger.sites.<site>.customers`), minimum transit times (`ledger.transit`). A plant that is
 * not one of ours is recorded as itself (the directory's unknown-plant rule).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTable } from '../../mapping/tables.js';
import { MAPPINGS_DIR } from '../../paths.js';
import { buildSites, siteRowsOf, type SiteRow } from '../movements/sites.js';

export { siteRowsOf, type SiteRow };

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
  const plants: Record<string, readonly string[]> = {};
  const shipTo: Record<string, string> = {};
  for (const [site, s] of Object.entries(config.sites)) {
    plants[site] = s.plants;
    for (const c of s.customers) shipTo[c] = site;
  }
  const sites = buildSites(rows, { plants, shipTo, shipToFallback: 'none', transit: config.transit });
  return {
    sites: sites.sites,
    siteOfPlant: (plant) => sites.plant(plant)?.site ?? null,
    site(code) {
      const c = (code ?? '').trim();
      return c === '' ? null : c;
    },
    siteOfShipTo: (partner) => sites.siteOfShipTo(partner),
    defaultSloc: (site) => (site === null ? null : sites.storageLocationOf(site)),
    minTransitMs: (from, to) => sites.minTransitMs(from, to),
  };
}
