/**
 * What an anomaly rule is and what it produces. Two kinds: event rules look at one new event
 * and the serial's state before it (as the event is applied); sweep rules look at the ledger as
 * a whole at a moment (run by the catch-up job with the injected clock).
 */
import type { SiteDirectory } from '../sites.js';
import type { SerialEvent, SerialState } from '../types.js';

export const RULE_NAMES = [
  'twoPlaces',
  'neverReceived',
  'receivedTwice',
  'activeAfterFinal',
  'vendorOverdue',
  'frequency',
  'impossibleTransit',
  'custodyPath',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export type Severity = 'info' | 'warning' | 'critical';

/** One event an alert points at, with the message it came from. */
export interface EvidenceEvent {
  readonly eventId: number;
  readonly messageId: string | null;
  readonly movement?: string;
  readonly at?: string;
  readonly site?: string | null;
}

export interface AlertDraft {
  readonly rule: RuleName;
  readonly severity: Severity;
  readonly material: string;
  readonly serial: string;
  /** One sentence a person can act on. */
  readonly summary: string;
  /** Same rule + key = same alert (not raised twice). */
  readonly dedupeKey: string;
  readonly evidence: {
    readonly events: readonly EvidenceEvent[];
    readonly details?: Readonly<Record<string, string | number | boolean | null>>;
  };
  /** Event time of the anomaly (the triggering event or the sweep's now). */
  readonly at: Date;
}

export interface EventRuleInput {
  readonly event: SerialEvent;
  readonly before: SerialState | undefined;
  readonly sites: SiteDirectory;
}

export interface RuleSettings {
  readonly enabled: boolean;
  readonly severity: Severity;
}

export interface EventRule<C extends RuleSettings = RuleSettings> {
  readonly name: RuleName;
  readonly description: string;
  check(input: EventRuleInput, config: C): AlertDraft | undefined;
}

export function evidenceOf(e: SerialEvent): EvidenceEvent {
  return {
    eventId: e.id,
    messageId: e.messageId,
    movement: e.movement,
    at: e.eventTime.toISOString(),
    site: e.toSite ?? e.fromSite,
  };
}

export function evidenceOfState(s: SerialState): EvidenceEvent {
  return { eventId: s.sinceEventId, messageId: s.sinceMessageId, at: s.since.toISOString(), site: s.site };
}

/** A rule's settings schema: enabled + severity + its own thresholds. */
export { ruleSettings } from './settings.js';
