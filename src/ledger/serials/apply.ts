/**
 * Applying a batch of serial events in memory: drop events already in the ledger (same
 * fingerprint), give each new event its id and resulting state, run the event rules against
 * the state before it, and collect the serials' new states. The repository loads the states
 * before and writes the result in one transaction.
 */
import { createHash } from 'node:crypto';
import type { LedgerRules } from '../../config/ledger.js';
import { checkEventRules } from './rules/registry.js';
import type { AlertDraft } from './rules/types.js';
import type { SiteDirectory } from './sites.js';
import { nextState, stateAfter } from './state-machine.js';
import type { SerialEvent, SerialEventDraft, SerialState } from './types.js';

export interface DraftWithSource {
  readonly draft: SerialEventDraft;
  readonly messageId: string | null;
}

export function serialKey(material: string, serial: string): string {
  return `${material}\u0000${serial}`;
}

/** 128-bit hash of what the event says (not which message said it), as a UUID string. */
export function fingerprint(d: SerialEventDraft): string {
  const h = createHash('sha256')
    .update(
      [
        d.material,
        d.serial,
        d.movement,
        d.moveType ?? '',
        d.fromSite ?? '',
        d.fromSloc ?? '',
        d.toSite ?? '',
        d.toSloc ?? '',
        d.handlingUnit ?? '',
        d.delivery ?? '',
        d.partner ?? '',
        d.eventTime.toISOString(),
        d.docRef ?? '',
      ].join('\u0001'),
    )
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface ApplyPlan {
  /** New events with ids and states, in application order. */
  readonly events: readonly (SerialEvent & { readonly fingerprint: string })[];
  /** Final state per serial touched. */
  readonly states: ReadonlyMap<string, SerialState>;
  readonly alerts: readonly AlertDraft[];
  readonly duplicates: number;
}

export interface PlanInput {
  readonly items: readonly DraftWithSource[];
  /** fingerprint() of each item, when the caller computed them already. */
  readonly fingerprints?: readonly string[];
  /** Fingerprints already stored. */
  readonly existing: ReadonlySet<string>;
  /** Current states of the serials in `items`. */
  readonly states: ReadonlyMap<string, SerialState>;
  /** Ids to use for new events, in order (pre-allocated from the sequence). */
  nextId(): number;
  readonly sites: SiteDirectory;
  readonly rules: LedgerRules;
  readonly recordedAt: Date;
}

export function planApply(input: PlanInput): ApplyPlan {
  const states = new Map<string, SerialState>();
  const seen = new Set(input.existing);
  const events: (SerialEvent & { fingerprint: string })[] = [];
  const alerts: AlertDraft[] = [];
  let duplicates = 0;
  for (let i = 0; i < input.items.length; i++) {
    const { draft, messageId } = input.items[i]!;
    const fp = input.fingerprints?.[i] ?? fingerprint(draft);
    if (seen.has(fp)) {
      duplicates++;
      continue;
    }
    seen.add(fp);
    const key = serialKey(draft.material, draft.serial);
    const before = states.get(key) ?? input.states.get(key);
    const event = {
      ...draft,
      id: input.nextId(),
      stateAfter: stateAfter(draft, before),
      messageId,
      recordedAt: input.recordedAt,
      fingerprint: fp,
    };
    alerts.push(...checkEventRules({ event, before, sites: input.sites }, input.rules));
    events.push(event);
    states.set(key, nextState(before, event));
  }
  return { events, states, alerts, duplicates };
}
