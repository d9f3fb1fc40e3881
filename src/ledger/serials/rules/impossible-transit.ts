/**
 * Arrival faster than physically possible: received at B sooner after leaving A than the
 * configured minimum transit time between the two sites (ledger.transit).
 */
import type { z } from 'zod';
import { ruleSettings } from './settings.js';
import { evidenceOf, evidenceOfState, type EventRule } from './types.js';

export const impossibleTransitSettings = ruleSettings({}, 'critical');
export type ImpossibleTransitSettings = z.output<typeof impossibleTransitSettings>;

export const impossibleTransitRule: EventRule<ImpossibleTransitSettings> = {
  name: 'impossibleTransit',
  description: 'arrived sooner after leaving the previous site than the minimum transit time allows',
  check({ event, before, sites }, config) {
    if (event.movement !== 'received' || before?.state !== 'in-transit') return undefined;
    const from = before.originSite;
    const to = event.toSite;
    if (from === null || to === null || from === to) return undefined;
    const min = sites.minTransitMs(from, to);
    if (min === undefined) return undefined;
    const took = event.eventTime.getTime() - before.since.getTime();
    if (took >= min) return undefined;
    const hours = (ms: number): number => Math.round((ms / 3_600_000) * 100) / 100;
    return {
      rule: 'impossibleTransit',
      severity: config.severity,
      material: event.material,
      serial: event.serial,
      summary: `Serial ${event.serial} (material ${event.material}) went from ${from} to ${to} in ${hours(took)} h; the minimum transit time is ${hours(min)} h`,
      dedupeKey: String(event.id),
      evidence: {
        events: [evidenceOfState(before), evidenceOf(event)],
        details: { from, to, tookHours: hours(took), minHours: hours(min) },
      },
      at: event.eventTime,
    };
  },
};
