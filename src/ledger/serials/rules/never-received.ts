/**
 * Shipped or transferred but never received (possible diversion or counterfeit downstream): in
 * transit for longer than `afterDays`. A sweep rule: the repository lists the candidates
 * (state in-transit since before now - afterDays), this decides and explains.
 */
import { z } from 'zod';
import type { SerialState } from '../types.js';
import { ruleSettings } from './settings.js';
import { evidenceOfState, type AlertDraft } from './types.js';

export const neverReceivedSettings = ruleSettings(
  { afterDays: z.number().positive().max(3650).default(14) },
  'warning',
);
export type NeverReceivedSettings = z.output<typeof neverReceivedSettings>;

export function neverReceivedCutoff(now: Date, config: NeverReceivedSettings): Date {
  return new Date(now.getTime() - config.afterDays * 86_400_000);
}

export function checkNeverReceived(
  state: SerialState,
  now: Date,
  config: NeverReceivedSettings,
): AlertDraft | undefined {
  if (state.state !== 'in-transit' || state.since > neverReceivedCutoff(now, config)) return undefined;
  const days = Math.floor((now.getTime() - state.since.getTime()) / 86_400_000);
  return {
    rule: 'neverReceived',
    severity: config.severity,
    material: state.material,
    serial: state.serial,
    summary: `Serial ${state.serial} (material ${state.material}) left ${state.originSite ?? 'its site'} on delivery ${state.delivery ?? '(none)'} ${days} days ago and was never received${state.site !== null ? ` at ${state.site}` : ''}`,
    dedupeKey: String(state.sinceEventId),
    evidence: {
      events: [evidenceOfState(state)],
      details: { delivery: state.delivery, from: state.originSite, to: state.site, days },
    },
    at: now,
  };
}
