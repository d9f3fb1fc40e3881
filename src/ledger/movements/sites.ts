/**
 * The one site directory of both ledgers: which of our sites an SAP plant (WERKS), a shipping
 * point (VSTEL) or a ship-to partner (E1ADRM1 PARTNER_Q WE) is, a site's plant and default
 * storage location, which sites are stores, and minimum transit times between sites. Built from
 * the sites table (mappings/tables/sites.yaml: site, plant, storageLocation) plus what the
 * ledger configs add (serial ledger `ledger.sites`, `ledger.transit`; sweeper `shipTo`,
 * `shippingPoints`, `stores`). Pure: the caller reads the table file.
 *
 * Plants and partner numbers are compared in their ALPHA output form (./keys.ts): `0123` and
 * `123` are the same plant.
 *
 * One rule for a plant that is not in the directory (`plant()`): it stands for itself, with
 * `known: false`. The serial ledger records it as the place of a serial (a unit that moves
 * through a plant nobody listed is still placed and can be followed); the delivery ledger only
 * takes known sites (an unknown origin is an ORIGIN_UNKNOWN issue, never a made-up site).
 */
import type { LookupTable } from '../../mapping/types.js';
import { normalizeKey } from './keys.js';

export interface SiteRow {
  readonly site: string;
  readonly plant: string;
  readonly storageLocation: string | null;
}

/** The site behind a plant: a known one, or the plant code itself (`known: false`). */
export interface PlantSite {
  readonly site: string;
  readonly known: boolean;
}

export interface SiteDirectoryOptions {
  /** More plants per site (serial ledger `ledger.sites.<site>.plants`). */
  readonly plants?: Readonly<Record<string, readonly string[]>>;
  /** Ship-to partner number -> site code (sweeper `shipTo`, serial ledger `ledger.sites.<site>.customers`). */
  readonly shipTo?: Readonly<Record<string, string>>;
  /**
   * When a ship-to partner is not in `shipTo`: `site-or-plant` also takes a partner number that
   * is a site code or one of our plants (the delivery ledger: a stock transport order's ship-to is
   * often the receiving plant's number); `none` (default): the partner is a customer.
   */
  readonly shipToFallback?: 'site-or-plant' | 'none';
  /** Shipping point (VSTEL) -> site code. */
  readonly shippingPoints?: Readonly<Record<string, string>>;
  /** Sites that are stores; absent = every known site. */
  readonly stores?: readonly string[];
  /** Minimum transit times, symmetric unless both directions are listed. */
  readonly transit?: readonly { readonly from: string; readonly to: string; readonly minHours: number }[];
}

export interface Sites {
  /** Known site codes (table, config), sorted. */
  readonly sites: readonly string[];
  /** The site of an SAP plant (the one unknown-plant rule, see the module comment); null when blank. */
  plant(plant: string | null | undefined): PlantSite | null;
  /** A known site behind a shipping point (config map, else the plant with that number), or null. */
  siteOfShippingPoint(shippingPoint: string | null | undefined): string | null;
  /** Our site behind a ship-to partner number, or null for a customer. */
  siteOfShipTo(partner: string | null | undefined): string | null;
  plantOf(site: string): string | null;
  /** Default storage location of a site (sites table), or null. */
  storageLocationOf(site: string): string | null;
  /** Deliveries to this site are recorded (all known sites unless `stores` lists them). */
  isStore(site: string): boolean;
  /** Minimum transit time from `from` to `to` in milliseconds, when one is configured. */
  minTransitMs(from: string, to: string): number | undefined;
}

const cell = (r: readonly (string | undefined)[], i: number): string => (i < 0 ? '' : (r[i] ?? '').trim());

/** Rows of a sites lookup table (columns site, plant, storageLocation found by name; blank sites dropped). */
export function siteRowsOf(table: LookupTable): SiteRow[] {
  const s = table.columns.indexOf('site');
  const p = table.columns.indexOf('plant');
  const l = table.columns.indexOf('storageLocation');
  if (s < 0 || p < 0) return [];
  return table.rows
    .map((r) => ({ site: cell(r, s), plant: cell(r, p), storageLocation: cell(r, l) || null }))
    .filter((r) => r.site !== '');
}

export function buildSites(rows: readonly SiteRow[], options: SiteDirectoryOptions = {}): Sites {
  const bySite = new Map<string, SiteRow>();
  const byPlant = new Map<string, string>();
  for (const r of rows) {
    if (r.site === '') continue;
    bySite.set(r.site, r);
    if (r.plant !== '') byPlant.set(normalizeKey(r.plant), r.site);
  }
  for (const [site, plants] of Object.entries(options.plants ?? {}))
    for (const p of plants) byPlant.set(normalizeKey(p), site);
  const shipTo = new Map(Object.entries(options.shipTo ?? {}).map(([k, v]) => [normalizeKey(k), v]));
  const points = new Map(Object.entries(options.shippingPoints ?? {}).map(([k, v]) => [k.trim(), v]));
  const stores = options.stores !== undefined ? new Set(options.stores) : undefined;
  const known = new Set<string>([
    ...bySite.keys(),
    ...Object.keys(options.plants ?? {}),
    ...shipTo.values(),
    ...points.values(),
  ]);
  const transit = new Map<string, number>();
  const key = (from: string, to: string): string => `${from}\u0000${to}`;
  for (const t of options.transit ?? []) {
    const ms = t.minHours * 3_600_000;
    transit.set(key(t.from, t.to), ms);
    if (!transit.has(key(t.to, t.from))) transit.set(key(t.to, t.from), ms);
  }
  // Explicit entries win over the symmetric defaults filled above.
  for (const t of options.transit ?? []) transit.set(key(t.from, t.to), t.minHours * 3_600_000);
  const fallback = options.shipToFallback ?? 'none';
  return {
    sites: [...known].sort(),
    plant(plant) {
      const p = normalizeKey(plant);
      if (p === '') return null;
      const site = byPlant.get(p);
      return site !== undefined ? { site, known: true } : { site: p, known: false };
    },
    siteOfShippingPoint(point) {
      const p = (point ?? '').trim();
      return p === '' ? null : (points.get(p) ?? byPlant.get(normalizeKey(p)) ?? null);
    },
    siteOfShipTo(partner) {
      const raw = (partner ?? '').trim();
      const p = normalizeKey(raw);
      if (p === '') return null;
      const mapped = shipTo.get(p);
      if (mapped !== undefined || fallback === 'none') return mapped ?? null;
      return (bySite.has(raw) ? raw : null) ?? byPlant.get(p) ?? null;
    },
    plantOf: (site) => {
      const plant = bySite.get(site)?.plant;
      return plant === undefined || plant === '' ? null : plant;
    },
    storageLocationOf: (site) => bySite.get(site)?.storageLocation ?? null,
    isStore: (site) => (stores !== undefined ? stores.has(site) : known.has(site)),
    minTransitMs: (from, to) => transit.get(key(from, to)),
  };
}
