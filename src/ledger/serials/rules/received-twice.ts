/** Received twice: a goods receipt at the site where the serial already is in stock. */
import type { z } from 'zod';
import { ruleSettings } from './settings.js';
import { evidenceOf, evidenceOfState, type EventRule } from './types.js';

export const receivedTwiceSettings = ruleSettings({}, 'warning');
export type ReceivedTwiceSettings = z.output<typeof receivedTwiceSettings>;

export const receivedTwiceRule: EventRule<ReceivedTwiceSettings> = {
  name: 'receivedTwice',
  description: 'received again at the site where it is already in stock',
  check({ event, before }, config) {
    if (event.movement !== 'received' && event.movement !== 'initial-load') return undefined;
    if (before?.state !== 'in-stock' || before.site === null || event.toSite !== before.site)
      return undefined;
    return {
      rule: 'receivedTwice',
      severity: config.severity,
      material: event.material,
      serial: event.serial,
      summary: `Serial ${event.serial} (material ${event.material}) was received at ${before.site} again; it has been in stock there since ${before.since.toISOString()}`,
      dedupeKey: String(event.id),
      evidence: { events: [evidenceOfState(before), evidenceOf(event)], details: { site: before.site } },
      at: event.eventTime,
    };
  },
};
