/**
 * The delivery ledger's view of the site directory (../movements/sites.ts): known sites only —
 * a plant that is not one of ours has no site here (the delivery's origin is then unknown), and
 * a ship-to partner is one of our sites when the sweeper config maps it, or when it is a site
 * code or one of our plants' numbers.
 */
import {
  buildSites,
  siteRowsOf,
  type SiteDirectoryOptions,
  type SiteRow,
  type Sites,
} from '../movements/sites.js';

export { siteRowsOf, type SiteRow };

/** The directory without the unknown-plant fallback: `siteOfPlant` is null for a plant not ours. */
export interface DeliverySites extends Pick<
  Sites,
  'sites' | 'siteOfShippingPoint' | 'siteOfShipTo' | 'plantOf' | 'storageLocationOf' | 'isStore'
> {
  /** Site of an SAP plant (WERKS), or null when the plant is not one of ours. */
  siteOfPlant(plant: string | null | undefined): string | null;
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
