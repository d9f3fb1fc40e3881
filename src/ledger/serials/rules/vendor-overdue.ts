/** Out to a vendor (541) for longer than `afterDays` without coming back (542). A sweep rule. */
import { z } from 'zod';
import type { SerialState } from '../types.js';
import { ruleSettings } from './settings.js';
import { evidenceOfState, type AlertDraft } from './types.js';

export const vendorOverdueSettings = ruleSettings(
  { afterDays: z.number().positive().max(3650).default(30) },
  'warning',
);
export type VendorOverdueSettings = z.output<typeof vendorOverdueSettings>;

export function vendorOverdueCutoff(now: Date, config: VendorOverdueSettings): Date {
  return new Date(now.getTime() - config.afterDays * 86_400_000);
}

export function checkVendorOverdue(
  state: SerialState,
  now: Date,
  config: VendorOverdueSettings,
): AlertDraft | undefined {
  if (state.state !== 'out-to-vendor' || state.since > vendorOverdueCutoff(now, config)) return undefined;
  const days = Math.floor((now.getTime() - state.since.getTime()) / 86_400_000);
  return {
    rule: 'vendorOverdue',
    severity: config.severity,
    material: state.material,
    serial: state.serial,
    summary: `Serial ${state.serial} (material ${state.material}) went out to vendor ${state.partner ?? '(unknown)'} from ${state.site ?? 'an unknown site'} ${days} days ago and has not come back (limit ${config.afterDays} days)`,
    dedupeKey: String(state.sinceEventId),
    evidence: {
      events: [evidenceOfState(state)],
      details: { vendor: state.partner, site: state.site, days },
    },
    at: now,
  };
}
