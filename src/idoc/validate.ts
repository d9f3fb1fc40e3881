/**
 * Validation of IDocs against their definitions. Returns every issue found (never throws), each
 * with a stable code, a path (`idoc[0]/E1EDL20[0]/E1EDL24[2].MATNR`) and details: IDoc index,
 * DOCNUM, SEGNUM (flat SEGNUM when read from a flat file, else the 1-based depth-first position),
 * segment and field. The codes are documented in docs/definitions.md.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { Issue } from '../errors.js';
import { type Idoc, type Segment, idocTypeOf } from './model.js';
import { type IdocContext, validateControl } from './validate-control.js';
import { type ChildRules, type DefinitionPlan, type SegmentPlan, planFor } from './validate-plan.js';
import { isInitial } from './validate-values.js';

type Details = Record<string, string | number | boolean | null>;

interface Frame {
  readonly list: readonly Segment[];
  index: number;
  /** Position of list[index] among the siblings of its type (kept as the walk goes: paths stay O(depth)). */
  sameType: number;
  /** Siblings seen so far per segment type. */
  readonly seen: Map<string, number>;
}

interface WalkState {
  readonly plan: DefinitionPlan;
  readonly ctx: IdocContext;
  readonly issues: Issue[];
  /** Unknown customer (Z/Y) segments are warnings unless an extension definition is loaded. */
  readonly extensionDefined: boolean;
  readonly frames: Frame[];
  position: number;
}

/** Validates one IDoc. `ctx.index` is the IDoc's position in its file (for paths and details). */
export function validateIdoc(
  idoc: Idoc,
  registry: DefinitionRegistry,
  ctx: { index?: number } = {},
): Issue[] {
  const index = ctx.index ?? 0;
  const docnum = (idoc.control.DOCNUM ?? '').trim();
  const idocCtx: IdocContext = { index, docnum };
  const { basicType, extension } = idocTypeOf(idoc.control);
  const issues = validateControl(idoc.control, idocCtx);
  if (basicType === '') return issues;
  const def = registry.get(basicType, extension || undefined);
  if (!def) {
    // the control record is checked all the same: its layout does not depend on the IDoc type
    issues.push({
      code: 'IDOC_TYPE_UNKNOWN',
      severity: 'error',
      message: `no definition is loaded for IDoc type ${basicType}${extension ? ` / ${extension}` : ''}`,
      path: `idoc[${index}]`,
      details: { idoc: index, docnum, idoctyp: basicType, cimtyp: extension },
    });
    return issues;
  }
  const plan = planFor(def);
  const mestyp = (idoc.control.MESTYP ?? '').trim();
  if (mestyp !== '' && plan.messageTypes.size > 0 && !plan.messageTypes.has(mestyp)) {
    issues.push({
      code: 'MESSAGE_TYPE_UNKNOWN',
      severity: 'warning',
      message: `message type ${mestyp} is not one of ${def.key}'s (${[...plan.messageTypes].join(', ')})`,
      path: `idoc[${index}]/EDI_DC40.MESTYP`,
      details: { idoc: index, docnum, segnum: 0, segment: 'EDI_DC40', field: 'MESTYP', value: mestyp },
    });
  }
  const state: WalkState = {
    plan,
    ctx: idocCtx,
    issues,
    extensionDefined: def.extension !== undefined,
    frames: [],
    position: 0,
  };
  walk(state, idoc.segments, plan.top, undefined, null);
  return issues;
}

/** Validates every IDoc of a file or batch; issues carry the IDoc's index. */
export function validateIdocs(idocs: readonly Idoc[], registry: DefinitionRegistry): Issue[] {
  const out: Issue[] = [];
  idocs.forEach((idoc, index) => {
    for (const i of validateIdoc(idoc, registry, { index })) out.push(i);
  });
  return out;
}

/** `/SPE/E1BP..` -> false; `Z1EXTEND_ITEM`, `Y1...`, `/RB04/YP3_E1EDK01_XML` -> true. */
function isCustomerSegment(type: string): boolean {
  const name = type.startsWith('/') ? type.slice(type.indexOf('/', 1) + 1) : type;
  const c = name.charAt(0);
  return c === 'Z' || c === 'Y';
}

function countDescendants(s: Segment): number {
  let n = 0;
  for (const c of s.children) n += 1 + countDescendants(c);
  return n;
}

function walk(
  state: WalkState,
  list: readonly Segment[],
  rules: ChildRules,
  parent: SegmentPlan | undefined,
  parentSegnum: number | null,
): void {
  const counts = rules.rules.length > 0 ? new Int32Array(rules.rules.length) : undefined;
  const frame: Frame = { list, index: 0, sameType: 0, seen: new Map() };
  state.frames.push(frame);
  for (let i = 0; i < list.length; i++) {
    frame.index = i;
    const s = list[i]!;
    frame.sameType = frame.seen.get(s.type) ?? 0;
    frame.seen.set(s.type, frame.sameType + 1);
    state.position++;
    const p = state.plan.lookup(s.type);
    if (!p) {
      const warn = !state.extensionDefined && isCustomerSegment(s.type);
      report(
        state,
        s,
        'SEGMENT_UNKNOWN',
        warn ? 'warning' : 'error',
        `segment ${s.type} is not defined in ${state.plan.definition.key}${warn ? ' (customer segment without an extension definition; kept unchecked)' : ''}`,
        undefined,
        { parent: parent?.segment.type ?? null, raw: s.sdata !== undefined },
      );
      state.position += countDescendants(s);
      continue;
    }
    const at = rules.index.get(p.segment.type);
    if (at === undefined || !counts) {
      report(
        state,
        s,
        'SEGMENT_WRONG_PARENT',
        'error',
        `segment ${p.segment.type} cannot appear ${parent ? `under ${parent.segment.type}` : 'at the top level'}; its parent is ${p.segment.parent ?? 'the IDoc (top level)'}`,
        undefined,
        { parent: parent?.segment.type ?? null, expectedParent: p.segment.parent },
      );
    } else {
      counts[at] = (counts[at] ?? 0) + 1;
    }
    checkSegment(state, s, p);
    if (s.children.length > 0 || p.children.required.length > 0) {
      walk(state, s.children, p.children, p, segnumOf(state, s));
    }
  }
  state.frames.pop();
  if (counts) checkOccurrence(state, rules, counts, parent, parentSegnum, list);
}

function checkOccurrence(
  state: WalkState,
  rules: ChildRules,
  counts: Int32Array,
  parent: SegmentPlan | undefined,
  parentSegnum: number | null,
  list: readonly Segment[],
): void {
  const where = parent ? `under this ${parent.segment.type}` : 'in the IDoc';
  for (const r of rules.required) {
    const rule = rules.rules[r]!;
    const n = counts[r] ?? 0;
    if (n < rule.min) {
      reportAt(
        state,
        'OCCURRENCE_BELOW_MIN',
        'error',
        `${rule.type} occurs ${n} time(s) ${where}, at least ${rule.min} required`,
        parentPath(state),
        {
          segnum: parentSegnum,
          segment: rule.type,
          parent: parent?.segment.type ?? null,
          count: n,
          min: rule.min,
        },
      );
    }
  }
  for (let r = 0; r < rules.rules.length; r++) {
    const rule = rules.rules[r]!;
    const n = counts[r] ?? 0;
    if (rule.max !== null && n > rule.max) {
      const first = nthOfType(list, rule.type, rule.max);
      reportAt(
        state,
        'OCCURRENCE_ABOVE_MAX',
        'error',
        `${rule.type} occurs ${n} time(s) ${where}, at most ${rule.max} allowed`,
        parentPath(state),
        {
          segnum: parentSegnum,
          segment: rule.type,
          parent: parent?.segment.type ?? null,
          count: n,
          max: rule.max,
          firstExcessIndex: first,
        },
      );
    }
  }
}

function nthOfType(list: readonly Segment[], type: string, n: number): number {
  let seen = 0;
  for (let i = 0; i < list.length; i++) {
    if (list[i]!.type === type && seen++ === n) return i;
  }
  return -1;
}

function checkSegment(state: WalkState, s: Segment, p: SegmentPlan): void {
  const flat = s.flat;
  if (flat) {
    if (flat.docnum !== '' && flat.docnum !== state.ctx.docnum) {
      report(
        state,
        s,
        'DOCNUM_MISMATCH',
        'error',
        `data record DOCNUM ${flat.docnum} differs from the control record's ${state.ctx.docnum || '(blank)'}`,
        undefined,
        { value: flat.docnum },
      );
    }
    if (flat.hlevel !== '' && Number(flat.hlevel) !== p.segment.level) {
      report(
        state,
        s,
        'HLEVEL_MISMATCH',
        'warning',
        `HLEVEL ${flat.hlevel} of ${p.segment.type}, the definition says ${p.segment.level}`,
        undefined,
        { value: flat.hlevel, expected: p.segment.level },
      );
    }
  }
  let any = false;
  for (const name in s.fields) {
    any = true;
    const v = s.fields[name]!;
    const rule = p.fields.get(name);
    if (!rule) {
      report(state, s, 'FIELD_UNKNOWN', 'error', `${p.segment.type} has no field ${name}`, name, {
        value: v,
      });
      continue;
    }
    if (v.length > rule.length) {
      report(
        state,
        s,
        'VALUE_TOO_LONG',
        'error',
        `${p.segment.type}.${name} "${v}" is ${v.length} characters, the field holds ${rule.length}`,
        name,
        { value: v, maxLength: rule.length },
      );
    }
    if (rule.check && !isInitial(v)) {
      const why = rule.check.check(v);
      if (why !== undefined) {
        report(state, s, rule.check.code, 'error', `${p.segment.type}.${name} "${v}": ${why}`, name, {
          value: v,
        });
      }
    }
  }
  if (!any && s.sdata !== undefined && !isInitial(s.sdata)) {
    report(
      state,
      s,
      'SEGMENT_RAW_ONLY',
      'warning',
      `${p.segment.type} was kept as raw SDATA only; its fields were not split and not checked`,
      undefined,
      { raw: true },
    );
  }
}

function segnumOf(state: WalkState, s: Segment): number {
  const hint = s.flat?.segnum;
  if (hint) {
    const n = Number(hint);
    if (Number.isInteger(n)) return n;
  }
  return state.position;
}

/** Path of the current segment: every frame contributes `TYPE[index among same-type siblings]`. */
function framePath(state: WalkState, frames: number): string {
  let path = `idoc[${state.ctx.index}]`;
  for (let f = 0; f < frames; f++) {
    const { list, index, sameType } = state.frames[f]!;
    path += `/${list[index]!.type}[${sameType}]`;
  }
  return path;
}

function parentPath(state: WalkState): string {
  // called after the child frame was popped: all remaining frames lead to the parent
  return framePath(state, state.frames.length);
}

function report(
  state: WalkState,
  s: Segment,
  code: string,
  severity: 'error' | 'warning',
  message: string,
  field: string | undefined,
  extra: Details,
): void {
  const path = framePath(state, state.frames.length) + (field ? `.${field}` : '');
  state.issues.push({
    code,
    severity,
    message,
    path,
    details: {
      idoc: state.ctx.index,
      docnum: state.ctx.docnum,
      segnum: segnumOf(state, s),
      segment: s.type,
      field: field ?? null,
      ...extra,
    },
  });
}

function reportAt(
  state: WalkState,
  code: string,
  severity: 'error' | 'warning',
  message: string,
  path: string,
  extra: Details,
): void {
  state.issues.push({
    code,
    severity,
    message,
    path,
    details: { idoc: state.ctx.index, docnum: state.ctx.docnum, segnum: null, field: null, ...extra },
  });
}
