/**
 * IDoc source model: paths walk the segment tree (`E1EDL20.E1EDL24.MATNR`,
 * `E1ADRM1[PARTNER_Q=WE].PARTNER_ID`, `$.EDI_DC40.MESTYP`). Every segment, field and filter is
 * checked against the definition when the mapping is loaded.
 */
import type { CompiledDefinition } from '../definitions/registry.js';
import { CONTROL_FIELDS, type Idoc, type Segment } from '../idoc/model.js';
import type { ParsedPath, PathStep } from './path.js';
import type { Frame } from './runtime.js';
import {
  specialGetter,
  startFrame,
  startScope,
  type Getter,
  type ListGetter,
  type SourceModel,
} from './source.js';

/** Static scope: a segment type, or the message root. */
export type IdocScope = string;
export const IDOC_ROOT = '$root';
const CONTROL = 'EDI_DC40';
const controlFields = new Set<string>(CONTROL_FIELDS);

interface SegStep {
  readonly type: string;
  readonly field: string | undefined;
  readonly value: string;
}

function childrenOf(node: unknown): readonly Segment[] {
  return (node as { children?: Segment[]; segments?: Segment[] }).children ?? (node as Idoc).segments ?? [];
}

function matches(s: Segment, step: SegStep): boolean {
  return s.type === step.type && (step.field === undefined || (s.fields[step.field] ?? '') === step.value);
}

function first(node: unknown, step: SegStep): Segment | undefined {
  const list = childrenOf(node);
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    if (matches(s, step)) return s;
  }
  return undefined;
}

export function idocSourceModel(def: CompiledDefinition): SourceModel<IdocScope> {
  function fieldExists(scope: IdocScope, field: string): boolean {
    if (scope === CONTROL) return controlFields.has(field);
    return def.segment(scope)?.fieldByName.has(field) ?? false;
  }
  function childExists(scope: IdocScope, type: string): boolean {
    if (scope === IDOC_ROOT) return type === CONTROL || def.topLevel.includes(type);
    return def.segment(scope)?.children.includes(type) ?? false;
  }

  /** Resolves segment steps statically: the segment types walked, or an error. */
  function walk(
    scope: IdocScope,
    steps: readonly PathStep[],
  ): { steps: SegStep[]; scope: IdocScope; repeats: boolean } | string {
    const out: SegStep[] = [];
    let cur = scope;
    let repeats = false;
    for (const s of steps) {
      if (!childExists(cur, s.name)) {
        return cur === IDOC_ROOT
          ? `segment ${s.name} is not a top-level segment of ${def.key}`
          : `segment ${s.name} is not a child of ${cur} in ${def.key}`;
      }
      if (s.filter && !fieldExists(s.name, s.filter.field))
        return `segment ${s.name} has no field ${s.filter.field}`;
      const max = s.name === CONTROL ? 1 : def.segment(s.name)?.max;
      repeats = max === null || (max !== undefined && max > 1);
      out.push({ type: s.name, field: s.filter?.field, value: s.filter?.value ?? '' });
      cur = s.name;
    }
    return { steps: out, scope: cur, repeats };
  }

  return {
    kind: 'idoc',
    root: IDOC_ROOT,
    value(path: ParsedPath, scopes: readonly IdocScope[]): Getter | string {
      if (!path.now) {
        const reach = startScope(path, scopes);
        if (typeof reach === 'string') return reach;
      }
      const special = specialGetter(path);
      if (special) return special;
      const start0 = startScope(path, scopes);
      if (typeof start0 === 'string') return start0;
      const scope = start0.scope;
      if (path.terminal !== 'value') return `"${path.text}": "#" and "@" cannot follow segment steps`;
      const segSteps = path.steps.slice(0, -1);
      const last = path.steps[path.steps.length - 1]!;
      if (last.filter) return `"${path.text}": the last step names a field and cannot have a filter`;
      const w = walk(scope, segSteps);
      if (typeof w === 'string') return `"${path.text}": ${w}`;
      if (w.scope === IDOC_ROOT)
        return `"${path.text}": fields are read from segments, not from the IDoc root`;
      if (!fieldExists(w.scope, last.name))
        return `"${path.text}": segment ${w.scope} has no field ${last.name}`;
      const start = startFrame(path);
      const field = last.name;
      const steps = w.steps;
      if (steps.length === 1 && steps[0]!.type === CONTROL)
        return (frame) => ((start(frame).node as Idoc).control as Record<string, string | undefined>)[field];
      if (steps.length === 0) return (frame) => (start(frame).node as Segment).fields[field];
      if (steps.length === 1) {
        const s0 = steps[0]!;
        return (frame) => first(start(frame).node, s0)?.fields[field];
      }
      return (frame) => {
        let node: unknown = start(frame).node;
        for (let i = 0; i < steps.length; i++) {
          node = first(node, steps[i]!);
          if (node === undefined) return undefined;
        }
        return (node as Segment).fields[field];
      };
    },
    list(path: ParsedPath, scopes: readonly IdocScope[]): { get: ListGetter; scope: IdocScope } | string {
      if (path.now || path.terminal !== 'value' || path.steps.length === 0)
        return `"${path.text}" is not a loop path (name segments to loop over)`;
      const start0 = startScope(path, scopes);
      if (typeof start0 === 'string') return start0;
      const w = walk(start0.scope, path.steps);
      if (typeof w === 'string') return `"${path.text}": ${w}`;
      if (w.steps.some((s) => s.type === CONTROL))
        return `"${path.text}": cannot loop over the control record`;
      if (!w.repeats) return `"${path.text}": loop over a non-repeating segment (the last segment has max 1)`;
      const start = startFrame(path);
      const steps = w.steps;
      const collect = (node: unknown, i: number, out: Segment[]): void => {
        const step = steps[i]!;
        const list = childrenOf(node);
        for (let k = 0; k < list.length; k++) {
          const s = list[k]!;
          if (!matches(s, step)) continue;
          if (i === steps.length - 1) out.push(s);
          else collect(s, i + 1, out);
        }
      };
      return {
        scope: w.scope,
        get: (frame: Frame) => {
          const out: Segment[] = [];
          collect(start(frame).node, 0, out);
          return out;
        },
      };
    },
  };
}
