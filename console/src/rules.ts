/**
 * Display names of the serial ledger's anomaly rules (src/ledger/serials/rules/types.ts
 * RULE_NAMES; docs/serial-ledger.md "Anomaly rules"): a readable label and one line on what
 * fired, for the alert lists' badges and their tooltips. test/console/rule-labels.test.ts checks
 * every rule the ledger can raise has one; a name this map does not know is shown spelled out.
 */
export interface RuleLabel {
  readonly label: string;
  readonly description: string;
}

export const RULE_LABELS: Readonly<Record<string, RuleLabel>> = {
  twoPlaces: {
    label: 'Two places',
    description:
      'Arrived at (or left) a site while the ledger has it in stock at another, with no transit in between.',
  },
  receivedTwice: {
    label: 'Received twice',
    description: 'Received at the site where it already is in stock.',
  },
  activeAfterFinal: {
    label: 'Active after final',
    description:
      'Moved after it was scrapped, or after it was sold or issued (other than a customer return).',
  },
  impossibleTransit: {
    label: 'Impossible transit',
    description: 'Received sooner after leaving the sending site than the configured transit time allows.',
  },
  neverReceived: {
    label: 'Never received',
    description: 'In transit for longer than the configured number of days without a receipt.',
  },
  vendorOverdue: {
    label: 'Vendor overdue',
    description: 'Out to a vendor (repair) for longer than the configured number of days.',
  },
  frequency: {
    label: 'Unusual frequency',
    description:
      'Far more movements in the recent window than the other serials of the same material (robust z-score).',
  },
  custodyPath: {
    label: 'Custody path',
    description:
      'Its path is improbable as one unit whose scans are sometimes missed (model learned from the ledger): a clone or a diversion explains it better.',
  },
};

/** camelCase or kebab-case -> "Words like this" (a rule this console does not know yet). */
function spelledOut(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replaceAll(/[-_]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.length === 0 ? name : words[0]!.toUpperCase() + words.slice(1);
}

/** The label and explanation of a rule; unknown names are spelled out, with the raw name. */
export function ruleLabel(name: string): RuleLabel {
  return (
    RULE_LABELS[name] ?? {
      label: spelledOut(name),
      description: `Rule "${name}" (no description in this console version).`,
    }
  );
}
