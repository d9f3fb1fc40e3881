/**
 * The console's rule labels (console/src/rules.ts) cover every rule the serial ledger can raise
 * (RULE_NAMES, the type every rule's alert draft carries), each with a readable label and a
 * one-line explanation; an unknown name falls back to itself spelled out.
 */
import { describe, expect, it } from 'vitest';
import { RULE_LABELS, ruleLabel } from '../../console/src/rules.js';
import { RULE_NAMES } from '../../src/ledger/serials/rules/types.js';

describe('console rule labels', () => {
  it('has a label and an explanation for every serial-ledger rule, and no others', () => {
    expect(Object.keys(RULE_LABELS).sort()).toEqual([...RULE_NAMES].sort());
    for (const name of RULE_NAMES) {
      const { label, description } = ruleLabel(name);
      expect(label, name).not.toBe(name);
      expect(label, name).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
      expect(description.length, name).toBeGreaterThan(20);
      expect(description, name).toMatch(/\.$/);
    }
    expect(ruleLabel('custodyPath').label).toBe('Custody path');
  });

  it('spells out a rule name it does not know', () => {
    expect(ruleLabel('serialSeenOffline')).toEqual({
      label: 'Serial seen offline',
      description: 'Rule "serialSeenOffline" (no description in this console version).',
    });
    expect(ruleLabel('two-places-again').label).toBe('Two places again');
    expect(ruleLabel('').label).toBe('');
  });
});
