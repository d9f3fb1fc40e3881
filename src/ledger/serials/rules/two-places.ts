/**
 * Same serial in two places at once: it arrives at (or leaves from) site B while the ledger has
 * it in stock at site A, with no transit (shipment, transfer) out of A in between.
 */
import type { z } from 'zod';
import { ARRIVALS } from '../types.js';
import { ruleSettings } from './settings.js';
import { evidenceOf, evidenceOfState, type EventRule } from './types.js';

export const twoPlacesSettings = ruleSettings({}, 'critical');
export type TwoPlacesSettings = z.output<typeof twoPlacesSettings>;

const DEPARTURES = new Set([
  'shipped',
  'transferred',
  'issued',
  'out-to-vendor',
  'scrapped',
  'returned-to-vendor',
]);

export const twoPlacesRule: EventRule<TwoPlacesSettings> = {
  name: 'twoPlaces',
  description: 'received or moved at one site while still in stock at another, with no transit',
  check({ event, before }, config) {
    if (before?.state !== 'in-stock' || before.site === null) return undefined;
    let where: string | null = null;
    if (ARRIVALS.has(event.movement) && event.toSite !== null && event.toSite !== before.site)
      where = event.toSite;
    else if (DEPARTURES.has(event.movement) && event.fromSite !== null && event.fromSite !== before.site)
      where = event.fromSite;
    if (where === null) return undefined;
    return {
      rule: 'twoPlaces',
      severity: config.severity,
      material: event.material,
      serial: event.serial,
      summary: `Serial ${event.serial} (material ${event.material}) was ${event.movement} at ${where} while in stock at ${before.site} since ${before.since.toISOString()}, with no transit in between`,
      dedupeKey: String(event.id),
      evidence: {
        events: [evidenceOfState(before), evidenceOf(event)],
        details: { inStockAt: before.site, seenAt: where },
      },
      at: event.eventTime,
    };
  },
};
