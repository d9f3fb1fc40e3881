/** The event rules in the order they are checked, and their evaluation with the config. */
import type { LedgerRules } from '../../../config/ledger.js';
import { activeAfterFinalRule } from './active-after-final.js';
import { impossibleTransitRule } from './impossible-transit.js';
import { receivedTwiceRule } from './received-twice.js';
import { twoPlacesRule } from './two-places.js';
import type { AlertDraft, EventRuleInput } from './types.js';

/** Runs every enabled event rule on one event; returns the alerts raised. */
export function checkEventRules(input: EventRuleInput, rules: LedgerRules): AlertDraft[] {
  const out: AlertDraft[] = [];
  const add = (a: AlertDraft | undefined): void => {
    if (a !== undefined) out.push(a);
  };
  if (rules.activeAfterFinal.enabled) add(activeAfterFinalRule.check(input, rules.activeAfterFinal));
  if (rules.twoPlaces.enabled) add(twoPlacesRule.check(input, rules.twoPlaces));
  if (rules.receivedTwice.enabled) add(receivedTwiceRule.check(input, rules.receivedTwice));
  if (rules.impossibleTransit.enabled) add(impossibleTransitRule.check(input, rules.impossibleTransit));
  return out;
}
