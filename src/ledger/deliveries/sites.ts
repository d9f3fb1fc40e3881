/**
 * The delivery ledger's view of the site directory (../movements/sites.ts): known sites only —
 * a plant that is not one of ours has no site here (the delivery's origin is then unknown), and
 * a ship-to partner is one of our sites when the sweeper config maps it, or when it is a site
 * code or one of our plants' numbers.
 */
import { buildSites, siteRowsOf, type SiteDirectoryOptions, type SiteRow } from '../movements/sites.js';

export { siteRowsOf, type SiteRow };

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

export type SiteOptions = Pick<SiteDirectoryOptions, 'shipTo' | 'shippingPoints' | 'stores'>;

export function buildDeliverySites(rows: readonly SiteRow[], options: SiteOptions = {}): DeliverySites {
  const sites = buildSites(rows, { ...options, shipToFallback: 'site-or-plant' });
  return {
    sites: sites.sites,
    siteOfPlant(plant) {
      const p = sites.plant(plant);
      return p?.known === true ? p.site : null;
    },
    siteOfShippingPoint: (point) => sites.siteOfShippingPoint(point),
    siteOfShipTo: (partner) => sites.siteOfShipTo(partner),
    plantOf: (site) => sites.plantOf(site),
    storageLocationOf: (site) => sites.storageLocationOf(site),
    isStore: (site) => sites.isStore(site),
  };
}
