/**
 * Compiles one value rule into a plain function. Order of a rule, always the same:
 * `when` -> value (`from` | `const` | `first` | `lookup` with `by`) -> `default` when empty ->
 * `map` -> `lookup` with `key` -> `convert` (in list order) -> `required`.
 * Empty values skip map/lookup/convert; the target omits them.
 */
import { compileValuePath, compileValuePathOrError, fail, type CompileEnv } from './compile-env.js';
import { compileCondition } from './conditions.js';
import { compileConversion, ConversionFailure, type ConvertFn } from './conversions.js';
import { isEmpty, raise, type Frame, type RunState } from './runtime.js';
import type { Getter } from './source.js';
import { tableIndex } from './tables.js';
import type { LookupSpec, RuleSpec } from './types.js';

export type ValueFn = (frame: Frame, state: RunState) => unknown;

export interface TargetInfo {
  /** Static target path relative to the enclosing loop element (`/quantity`, `E1EDL24.LFIMG`). */
  readonly path: string;
  /** IDoc field length (for `alpha-in`, `pad`, `truncate` defaults). */
  readonly length?: number;
}

const omit: ValueFn = () => undefined;

function compileLookup<S>(
  env: CompileEnv<S>,
  spec: LookupSpec,
  at: string,
  scopes: readonly S[],
):
  | {
      byKey?: (v: unknown, state: RunState) => string | undefined;
      bySource?: (f: Frame, s: RunState) => string | undefined;
      keyOf?: (f: Frame, s: RunState) => string;
    }
  | undefined {
  const table = env.tables.get(spec.table);
  if (!table) {
    fail(
      env,
      `${at}/table`,
      'MAPPING_UNKNOWN_TABLE',
      `unknown lookup table "${spec.table}" (known: ${[...env.tables.keys()].join(', ')})`,
    );
    return undefined;
  }
  const col = (name: string, where: string): void => {
    if (!table.columns.includes(name))
      fail(
        env,
        where,
        'MAPPING_UNKNOWN_COLUMN',
        `table "${spec.table}" has no column "${name}" (columns: ${table.columns.join(', ')})`,
      );
  };
  col(spec.get, `${at}/get`);
  const name = spec.table;
  const get = spec.get;
  if (spec.key !== undefined && spec.by !== undefined) {
    fail(env, at, 'MAPPING_BAD_RULE', 'a lookup has either "key" or "by", not both');
    return undefined;
  }
  if (spec.key !== undefined) {
    col(spec.key, `${at}/key`);
    const keys = [spec.key];
    const loaded = tableIndex(table, keys, get);
    return {
      byKey: (v, state) => {
        const t = state.ctx.tables?.[name];
        const idx = t ? tableIndex(t, keys, get) : loaded;
        return idx?.get(String(v));
      },
    };
  }
  if (spec.by === undefined || Object.keys(spec.by).length === 0) {
    fail(env, at, 'MAPPING_BAD_RULE', 'a lookup needs "key" (match the value) or "by" (match source paths)');
    return undefined;
  }
  const entries = Object.entries(spec.by);
  for (const [c] of entries) col(c, `${at}/by/${c}`);
  const keys = entries.map(([c]) => c);
  const getters = entries.map(([c, p]) => compileValuePath(env, p, `${at}/by/${c}`, scopes));
  const loaded = tableIndex(table, keys, get);
  const keyOf = (f: Frame, state: RunState): string =>
    getters.length === 1
      ? String(getters[0]!(f, state) ?? '')
      : getters.map((g) => String(g(f, state) ?? '')).join('\u0000');
  return {
    keyOf: (f, state) => entries.map(([c], i) => `${c}=${String(getters[i]!(f, state) ?? '')}`).join(', '),
    bySource: (f, state) => {
      const t = state.ctx.tables?.[name];
      const idx = t ? tableIndex(t, keys, get) : loaded;
      return idx?.get(keyOf(f, state));
    },
  };
}

export function compileRule<S>(
  env: CompileEnv<S>,
  spec: RuleSpec,
  at: string,
  scopes: readonly S[],
  target: TargetInfo,
): ValueFn {
  const rule = typeof spec === 'string' ? { from: spec } : spec;
  const sources = ['from', 'const', 'first'].filter((k) => k in rule).length + (rule.lookup?.by ? 1 : 0);
  if (sources > 1) {
    fail(env, at, 'MAPPING_BAD_RULE', 'a rule takes its value from one of from, const, first, lookup.by');
    return omit;
  }
  if (sources === 0 && rule.default === undefined) {
    fail(env, at, 'MAPPING_BAD_RULE', 'a rule needs from, const, first, lookup.by or default');
    return omit;
  }
  const sourceText = rule.from ?? (rule.lookup?.by ? Object.values(rule.lookup.by).join('+') : '');
  const where = { sourcePath: sourceText, targetPath: target.path };

  // 1. the value
  let base: Getter;
  if (rule.from !== undefined) base = compileValuePath(env, rule.from, `${at}/from`, scopes);
  else if (rule.const !== undefined) {
    const c = rule.const;
    base = () => c;
  } else if (rule.first) {
    const alts = rule.first.map((r, i) => compileRule(env, r, `${at}/first/${i}`, scopes, target));
    base = (f, s) => {
      for (const a of alts) {
        const v = a(f, s);
        if (!isEmpty(v)) return v;
      }
      return undefined;
    };
  } else base = () => undefined;
  let lookupKey: ((v: unknown, state: RunState) => string | undefined) | undefined;
  if (rule.lookup) {
    const lk = compileLookup(env, rule.lookup, `${at}/lookup`, scopes);
    if (lk?.bySource && lk.keyOf) {
      const by = lk.bySource;
      const keyOf = lk.keyOf;
      const otherwise = rule.lookup.otherwise;
      const table = rule.lookup.table;
      base = (f, s) => {
        const v = by(f, s);
        if (v !== undefined) return v;
        if (otherwise !== undefined) return otherwise;
        const key = keyOf(f, s);
        raise(
          s,
          { frame: f, ...where },
          'LOOKUP_MISS',
          `lookup:${table}`,
          key,
          `no row of table "${table}" has ${key}`,
        );
        return undefined;
      };
    }
    lookupKey = lk?.byKey;
  }
  const when = rule.when ? compileCondition(env, rule.when, `${at}/when`, scopes) : undefined;
  const dflt = rule.default;
  const map = rule.map;
  const mapOtherwise = rule.otherwise;
  const lookupOtherwise = rule.lookup?.otherwise;
  const lookupTable = rule.lookup?.table ?? '';
  const required = rule.required === true;

  const convs: { name: string; fn: ConvertFn }[] = [];
  const convSpecs =
    rule.convert === undefined ? [] : Array.isArray(rule.convert) ? rule.convert : [rule.convert];
  convSpecs.forEach((c, i) => {
    const cat = Array.isArray(rule.convert) ? `${at}/convert/${i}` : `${at}/convert`;
    const r = compileConversion(c, {
      targetLength: target.length,
      compilePath: (p) => compileValuePathOrError(env, p, scopes),
      warn: (frame, state, ruleName, value, message) =>
        raise(state, { frame, ...where }, 'VALUE_TRUNCATED', ruleName, value, message, 'warning'),
    });
    if (typeof r === 'string') fail(env, cat, 'MAPPING_UNKNOWN_CONVERSION', r);
    else convs.push(r);
  });

  const simple = !when && dflt === undefined && !map && !lookupKey && convs.length === 0 && !required;
  if (simple) return base;

  return (frame, state) => {
    if (when && !when(frame, state)) return undefined;
    const reported = state.issues.length;
    let v = base(frame, state);
    // A lookup that already reported its miss: one issue per problem, not a "required" on top.
    if (state.issues.length !== reported) return undefined;
    if (isEmpty(v) && dflt !== undefined) v = dflt;
    if (!isEmpty(v)) {
      if (map) {
        const key = String(v);
        const m = Object.hasOwn(map, key) ? map[key] : mapOtherwise;
        if (m === undefined) {
          raise(state, { frame, ...where }, 'MAP_MISS', 'map', v, `value "${key}" is not in the value map`);
          return undefined;
        }
        v = m;
      }
      if (lookupKey) {
        const r = lookupKey(v, state) ?? lookupOtherwise;
        if (r === undefined) {
          raise(
            state,
            { frame, ...where },
            'LOOKUP_MISS',
            `lookup:${lookupTable}`,
            v,
            `value "${String(v)}" is not in table "${lookupTable}"`,
          );
          return undefined;
        }
        v = r;
      }
      for (let i = 0; i < convs.length; i++) {
        const c = convs[i]!;
        const r = c.fn(v, frame, state);
        if (r instanceof ConversionFailure) {
          raise(state, { frame, ...where }, 'CONVERSION_FAILED', `convert:${c.name}`, v, r.message);
          return undefined;
        }
        v = r;
      }
    }
    if (required && isEmpty(v)) {
      raise(
        state,
        { frame, ...where },
        'REQUIRED_VALUE_MISSING',
        'required',
        v,
        `a value is required (from ${sourceText || 'rule'})`,
      );
      return undefined;
    }
    return v;
  };
}
