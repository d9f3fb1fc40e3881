/**
 * Which site a plant, shipping point or ship-to partner is, and a site's plant and storage
 * location: from the sites table (mappings/tables/sites.yaml: site, plant, storageLocation) plus
 * the sweeper config (ship-to partner numbers and shipping points that are our sites, which sites
 * are stores). Pure: the caller reads the table file.
 */
import type { LookupTable } from '../../mapping/types.js';
import { normalizeKey } from './types.js';

export interface SiteRow {
  readonly site: string;
  readonly plant: string;
  readonly storageLocation: string | null;
}

export interface DeliverySites {
  /** Site of an SAP plant (WERKS), or null when the plant is not one of ours. */
  siteOfPlant(plant: string | null | undefined): string | null;
  siteOfShippingPoint(shippingPoint: string | null | undefined): string | null;
  /** Site behind a ship-to partner number (config map, else a site code or plant with that number). */
  siteOfShipTo(partner: string | null | undefined): string | null;
  plantOf(site: string): string | null;
  storageLocationOf(site: string): string | null;
  /** Deliveries to this site are recorded (all known sites unless the config lists the stores). */
  isStore(site: string): boolean;
  readonly sites: readonly string[];
}

export interface SiteOptions {
  /** Ship-to partner number -> site code. */
  readonly shipTo?: Readonly<Record<string, string>>;
  /** Shipping point (VSTEL) -> site code. */
  readonly shippingPoints?: Readonly<Record<string, string>>;
  /** Sites that are stores; absent = every known site. */
  readonly stores?: readonly string[];
}

/** Rows of a sites lookup table (columns site, plant, storageLocation found by name). */
export function siteRowsOf(table: LookupTable): SiteRow[] {
  const s = table.columns.indexOf('site');
  const p = table.columns.indexOf('plant');
  const l = table.columns.indexOf('storageLocation');
  if (s < 0 || p < 0) return [];
  return table.rows
    .map((r) => ({
      site: (r[s] ?? '').trim(),
      plant: (r[p] ?? '').trim(),
      storageLocation: l >= 0 && (r[l] ?? '').trim() !== '' ? (r[l] ?? '').trim() : null,
    }))
    .filter((r) => r.site !== '');
}

export function buildDeliverySites(rows: readonly SiteRow[], options: SiteOptions = {}): DeliverySites {
  const bySite = new Map<string, SiteRow>();
  const byPlant = new Map<string, string>();
  for (const r of rows) {
    bySite.set(r.site, r);
    if (r.plant !== '') byPlant.set(normalizeKey(r.plant), r.site);
  }
  const shipTo = new Map(Object.entries(options.shipTo ?? {}).map(([k, v]) => [normalizeKey(k), v]));
  const points = new Map(Object.entries(options.shippingPoints ?? {}).map(([k, v]) => [k.trim(), v]));
  const stores = options.stores !== undefined ? new Set(options.stores) : undefined;
  const known = new Set<string>([...bySite.keys(), ...shipTo.values(), ...points.values()]);
  return {
    sites: [...known].sort(),
    siteOfPlant(plant) {
      const p = normalizeKey(plant);
      return p === '' ? null : (byPlant.get(p) ?? null);
    },
    siteOfShippingPoint(point) {
      const p = (point ?? '').trim();
      return p === '' ? null : (points.get(p) ?? byPlant.get(normalizeKey(p)) ?? null);
    },
    siteOfShipTo(partner) {
      const raw = (partner ?? '').trim();
      const p = normalizeKey(raw);
      if (p === '') return null;
      return shipTo.get(p) ?? (bySite.has(raw) ? raw : null) ?? byPlant.get(p) ?? null;
    },
    plantOf: (site) => {
      const plant = bySite.get(site)?.plant;
      return plant === undefined || plant === '' ? null : plant;
    },
    storageLocationOf: (site) => bySite.get(site)?.storageLocation ?? null,
    isStore: (site) => (stores !== undefined ? stores.has(site) : known.has(site)),
  };
}
