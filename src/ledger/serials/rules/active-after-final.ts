/**
 * Active again after scrap or sale: any movement of a scrapped serial, or of a sold / issued one
 * other than a customer return (re-reports of the same delivery by another channel excepted).
 */
import type { z } from 'zod';
import type { Movement } from '../types.js';
import { ruleSettings } from './settings.js';
import { evidenceOf, evidenceOfState, type EventRule } from './types.js';

export const activeAfterFinalSettings = ruleSettings({}, 'critical');
export type ActiveAfterFinalSettings = z.output<typeof activeAfterFinalSettings>;

const NOT_ACTIVITY = new Set<Movement>(['packed', 'announced', 'reversal', 'other']);

export const activeAfterFinalRule: EventRule<ActiveAfterFinalSettings> = {
  name: 'activeAfterFinal',
  description: 'moved again after it was scrapped, or after it was sold (except a customer return)',
  check({ event, before }, config) {
    if (before === undefined || NOT_ACTIVITY.has(event.movement)) return undefined;
    if (before.state !== 'scrapped' && before.state !== 'issued') return undefined;
    if (before.state === 'issued' && event.movement === 'returned') return undefined;
    if (event.delivery !== null && event.delivery === before.delivery) return undefined;
    const what = before.state === 'scrapped' ? 'scrapped' : 'sold/issued';
    return {
      rule: 'activeAfterFinal',
      severity: config.severity,
      material: event.material,
      serial: event.serial,
      summary: `Serial ${event.serial} (material ${event.material}) was ${what} on ${before.since.toISOString()} but shows up again: ${event.movement} at ${event.toSite ?? event.fromSite ?? 'an unknown site'}`,
      dedupeKey: String(event.id),
      evidence: {
        events: [evidenceOfState(before), evidenceOf(event)],
        details: { finalState: before.state },
      },
      at: event.eventTime,
    };
  },
};
