/**
 * Per-definition tables for validation, computed once per compiled definition and cached:
 * field rules (length + value check) and child occurrence rules per parent.
 */
import type { CompiledDefinition, CompiledSegment } from '../definitions/registry.js';
import { type ValueCheck, valueCheckFor } from './validate-values.js';

export interface FieldRule {
  readonly name: string;
  readonly length: number;
  readonly check: ValueCheck | undefined;
}

export interface ChildRule {
  readonly type: string;
  readonly min: number;
  readonly max: number | null;
}

export interface ChildRules {
  readonly rules: readonly ChildRule[];
  /** Allowed child type -> index into `rules`. */
  readonly index: ReadonlyMap<string, number>;
  /** Indexes of rules with min > 0 (checked even when a parent has no children). */
  readonly required: readonly number[];
}

export interface SegmentPlan {
  readonly segment: CompiledSegment;
  readonly fields: ReadonlyMap<string, FieldRule>;
  readonly children: ChildRules;
}

export interface DefinitionPlan {
  readonly definition: CompiledDefinition;
  readonly top: ChildRules;
  /** Plan for a segment name as found in the model (type name, or a definition/XML name). */
  lookup(name: string): SegmentPlan | undefined;
  /** True when the definition has message types and `mestyp` is not one of them. */
  readonly messageTypes: ReadonlySet<string>;
}

const cache = new WeakMap<CompiledDefinition, DefinitionPlan>();

function childRules(def: CompiledDefinition, types: readonly string[]): ChildRules {
  const rules: ChildRule[] = [];
  const index = new Map<string, number>();
  const required: number[] = [];
  for (const t of types) {
    const s = def.segment(t);
    if (!s) continue;
    index.set(t, rules.length);
    if (s.min > 0) required.push(rules.length);
    rules.push({ type: t, min: s.min, max: s.max });
  }
  return { rules, index, required };
}

export function planFor(def: CompiledDefinition): DefinitionPlan {
  const hit = cache.get(def);
  if (hit) return hit;
  const byType = new Map<string, SegmentPlan>();
  for (const s of def.segments) {
    const fields = new Map<string, FieldRule>();
    for (const f of s.fields) {
      fields.set(f.name, { name: f.name, length: f.length, check: valueCheckFor(f.dataType) });
    }
    byType.set(s.type, { segment: s, fields, children: childRules(def, s.children) });
  }
  const aliases = new Map<string, SegmentPlan | null>();
  const plan: DefinitionPlan = {
    definition: def,
    top: childRules(def, def.topLevel),
    messageTypes: new Set(Object.keys(def.source.messageTypes)),
    lookup(name) {
      const direct = byType.get(name);
      if (direct) return direct;
      const known = aliases.get(name);
      if (known !== undefined) return known ?? undefined;
      const resolved = def.resolve(name);
      const p = resolved ? byType.get(resolved.segment.type) : undefined;
      aliases.set(name, p ?? null);
      return p;
    },
  };
  cache.set(def, plan);
  return plan;
}
