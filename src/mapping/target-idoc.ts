/**
 * Compiles the IDoc target of a `json-to-idoc` mapping: control-record rules and a segment
 * template (`segment`, `each`, `where`, `when`, `fields`, `children`). Segment placement, loops,
 * field names and lengths are checked against the definition at load time; at run time every
 * value is checked against its field length and data type (too long = issue, never cut silently).
 */
import type { CompiledDefinition } from '../definitions/registry.js';
import type { SapDataType } from '../definitions/types.js';
import { CONTROL_FIELDS, type ControlRecord, type Segment } from '../idoc/model.js';
import { compileLoopLevels, fail, type CompileEnv } from './compile-env.js';
import { compileCondition, type Predicate } from './conditions.js';
import { runLoop, type CompiledLoop, type LoopLevel } from './loops.js';
import { generateFieldFiller } from './codegen.js';
import { compileRule, type ValueFn } from './rules.js';
import { isEmpty, raise, type Frame, type RunState } from './runtime.js';
import type { RuleSpec, SegmentSpec } from './types.js';

type Emit = (frame: Frame, state: RunState, out: Segment[]) => void;

const FORMATS: Partial<Record<SapDataType, { re: RegExp; text: string }>> = {
  NUMC: { re: /^\d+$/, text: 'digits only (NUMC)' },
  DATS: { re: /^\d{8}$/, text: 'a date YYYYMMDD (DATS)' },
  TIMS: { re: /^\d{6}$/, text: 'a time HHMMSS (TIMS)' },
  QUAN: { re: /^\d+(\.\d+)?-?$/, text: 'a quantity like 12.500 or 12.500- (QUAN)' },
  DEC: { re: /^\d+(\.\d+)?-?$/, text: 'a decimal number like 12.50 or 12.50- (DEC)' },
  CURR: { re: /^\d+(\.\d+)?-?$/, text: 'an amount like 12.50 or 12.50- (CURR)' },
  INT1: { re: /^\d+-?$/, text: 'an integer (INT1)' },
  INT2: { re: /^\d+-?$/, text: 'an integer (INT2)' },
  INT4: { re: /^\d+-?$/, text: 'an integer (INT4)' },
};

interface FieldFn {
  readonly name: string;
  readonly fn: ValueFn;
  readonly length: number;
  readonly format: { re: RegExp; text: string } | undefined;
  readonly targetPath: string;
  readonly sourcePath: string;
}

function compileFields<S>(
  env: CompileEnv<S>,
  def: CompiledDefinition,
  type: string,
  fields: Record<string, RuleSpec>,
  at: string,
  scopes: readonly S[],
  relTarget: string,
): FieldFn[] {
  const seg = def.segment(type);
  const out: (FieldFn & { order: number })[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const f = seg?.fieldByName.get(name);
    if (!f) {
      fail(
        env,
        `${at}/${name}`,
        'MAPPING_UNKNOWN_FIELD',
        `segment ${type} has no field ${name} in ${def.key}`,
      );
      continue;
    }
    const targetPath = `${relTarget}.${name}`;
    out.push({
      name,
      fn: compileRule(env, spec, `${at}/${name}`, scopes, { path: targetPath, length: f.length }),
      length: f.length,
      format: FORMATS[f.dataType],
      targetPath,
      sourcePath: typeof spec === 'string' ? spec : (spec.from ?? ''),
      order: f.offset,
    });
  }
  return out.sort((a, b) => a.order - b.order);
}

/** The generated function that fills a segment's fields and reports values that do not fit. */
function fieldFiller(
  fields: readonly FieldFn[],
): (frame: Frame, state: RunState, values: Record<string, string>) => boolean {
  return generateFieldFiller(
    fields.map((f) => f.name),
    fields.map((f) => f.fn),
    fields.map((f) => f.length),
    fields.map((f) => f.format?.re),
    (i, frame, state, s) => {
      const f = fields[i]!;
      raise(
        state,
        { frame, sourcePath: f.sourcePath, targetPath: f.targetPath },
        'VALUE_TOO_LONG',
        'length',
        s,
        `value has ${s.length} characters, field ${f.name} holds ${f.length}`,
      );
    },
    (i, frame, state, s) => {
      const f = fields[i]!;
      raise(
        state,
        { frame, sourcePath: f.sourcePath, targetPath: f.targetPath },
        'VALUE_FORMAT',
        'format',
        s,
        `value is not ${f.format?.text ?? ''}`,
      );
    },
  );
}

function compileSegment<S>(
  env: CompileEnv<S>,
  def: CompiledDefinition,
  spec: SegmentSpec,
  at: string,
  scopes: readonly S[],
  relParent: string,
): Emit {
  const type = spec.segment;
  const segDef = def.segment(type);
  const relTarget = relParent ? `${relParent}/${type}` : type;
  let loop: { levels: LoopLevel[]; scopes: S[] } | undefined;
  if (spec.each !== undefined) {
    if (segDef && segDef.max !== null && segDef.max <= 1)
      fail(
        env,
        `${at}/each`,
        'MAPPING_BAD_LOOP',
        `loop over the non-repeating segment ${type} (max ${segDef.max})`,
      );
    loop = compileLoopLevels(env, spec.each, `${at}/each`, scopes);
  } else if (spec.where) fail(env, `${at}/where`, 'MAPPING_BAD_RULE', '"where" only applies to loops (each)');
  const inner = loop?.scopes ?? scopes;
  // Inside a loop, paths are relative to the loop element: the segment itself.
  const fieldRel = loop ? '' : relTarget;
  const when: Predicate | undefined = spec.when
    ? compileCondition(env, spec.when, `${at}/when`, scopes)
    : undefined;
  const where = loop && spec.where ? compileCondition(env, spec.where, `${at}/where`, inner) : undefined;
  const fill = fieldFiller(compileFields(env, def, type, spec.fields ?? {}, `${at}/fields`, inner, fieldRel));
  const children = compileChildren(env, def, type, spec.children ?? [], `${at}/children`, inner, fieldRel);
  const keepEmpty = spec.keepEmpty === true;

  const build = (frame: Frame, state: RunState, out: Segment[]): boolean => {
    const values: Record<string, string> = {};
    const hasFields = fill(frame, state, values);
    const kids: Segment[] = [];
    for (let i = 0; i < children.length; i++) children[i]!(frame, state, kids);
    if (!hasFields && kids.length === 0 && !keepEmpty) return false;
    out.push({ type, fields: values, children: kids });
    return true;
  };
  if (!loop) {
    return (frame, state, out) => {
      if (when && !when(frame, state)) return;
      build(frame, state, out);
    };
  }
  const compiled: CompiledLoop<Segment[]> = {
    levels: loop.levels,
    where,
    targetStep: relTarget,
    body: build,
  };
  return (frame, state, out) => {
    if (when && !when(frame, state)) return;
    runLoop(compiled, frame, state, out);
  };
}

export function compileChildren<S>(
  env: CompileEnv<S>,
  def: CompiledDefinition,
  parent: string | null,
  specs: readonly SegmentSpec[],
  at: string,
  scopes: readonly S[],
  relParent: string,
): Emit[] {
  const allowed = parent === null ? def.topLevel : (def.segment(parent)?.children ?? []);
  let lastOrder = -1;
  const out: Emit[] = [];
  specs.forEach((spec, i) => {
    const order = allowed.indexOf(spec.segment);
    if (order < 0) {
      fail(
        env,
        `${at}/${i}/segment`,
        'MAPPING_UNKNOWN_SEGMENT',
        parent === null
          ? `segment ${spec.segment} is not a top-level segment of ${def.key}`
          : `segment ${spec.segment} is not a child of ${parent} in ${def.key}`,
      );
      return;
    }
    if (order < lastOrder)
      fail(
        env,
        `${at}/${i}/segment`,
        'MAPPING_SEGMENT_ORDER',
        `segment ${spec.segment} must come before ${allowed[lastOrder] ?? ''} (definition order)`,
      );
    lastOrder = Math.max(lastOrder, order);
    out.push(compileSegment(env, def, spec, `${at}/${i}`, scopes, relParent));
  });
  return out;
}

const CONTROL_SET = new Set<string>(CONTROL_FIELDS);

export function compileControl<S>(
  env: CompileEnv<S>,
  rules: Record<string, RuleSpec>,
  at: string,
  scopes: readonly S[],
  fixed: ControlRecord,
): (frame: Frame, state: RunState) => ControlRecord {
  const compiled: { name: string; fn: ValueFn }[] = [];
  for (const [name, spec] of Object.entries(rules)) {
    if (!CONTROL_SET.has(name)) {
      fail(env, `${at}/${name}`, 'MAPPING_UNKNOWN_FIELD', `EDI_DC40 has no field ${name}`);
      continue;
    }
    compiled.push({
      name,
      fn: compileRule(env, spec, `${at}/${name}`, scopes, { path: `EDI_DC40.${name}` }),
    });
  }
  return (frame, state) => {
    const values: Record<string, string> = {};
    const set: Record<string, unknown> = { ...fixed };
    for (const c of compiled) {
      const v = c.fn(frame, state);
      if (!isEmpty(v)) set[c.name] = String(v);
    }
    for (const name of CONTROL_FIELDS) {
      const v = set[name];
      if (typeof v === 'string' && v !== '') values[name] = v;
    }
    return values;
  };
}
