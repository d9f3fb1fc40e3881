/** Compiles `when` / `where` conditions into predicates over the current loop frame. */
import { compileValuePath, fail, type CompileEnv } from './compile-env.js';
import { isEmpty, type Frame, type RunState } from './runtime.js';
import type { ConditionSpec } from './types.js';

export type Predicate = (frame: Frame, state: RunState) => boolean;

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Equality of source values: as strings, and as numbers when both look numeric (`006` = 6). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  const sa = String(a).trim();
  const sb = String(b).trim();
  if (sa === sb) return true;
  return NUMERIC.test(sa) && NUMERIC.test(sb) && Number(sa) === Number(sb);
}

export function compileCondition<S>(
  env: CompileEnv<S>,
  spec: ConditionSpec,
  at: string,
  scopes: readonly S[],
): Predicate {
  if (spec.all) {
    const parts = spec.all.map((c, i) => compileCondition(env, c, `${at}/all/${i}`, scopes));
    return (f, s) => parts.every((p) => p(f, s));
  }
  if (spec.any) {
    const parts = spec.any.map((c, i) => compileCondition(env, c, `${at}/any/${i}`, scopes));
    return (f, s) => parts.some((p) => p(f, s));
  }
  if (spec.not) {
    const inner = compileCondition(env, spec.not, `${at}/not`, scopes);
    return (f, s) => !inner(f, s);
  }
  if (spec.path === undefined) {
    fail(env, at, 'MAPPING_BAD_CONDITION', 'a condition needs "path" (or all/any/not)');
    return () => false;
  }
  const get = compileValuePath(env, spec.path, `${at}/path`, scopes);
  const tests: Predicate[] = [];
  if (spec.equals !== undefined) {
    const want = spec.equals;
    tests.push((f, s) => sameValue(get(f, s), want));
  }
  if (spec.notEquals !== undefined) {
    const want = spec.notEquals;
    tests.push((f, s) => !sameValue(get(f, s), want));
  }
  if (spec.in !== undefined) {
    const list = spec.in;
    tests.push((f, s) => {
      const v = get(f, s);
      return list.some((w) => sameValue(v, w));
    });
  }
  if (spec.notIn !== undefined) {
    const list = spec.notIn;
    tests.push((f, s) => {
      const v = get(f, s);
      return !list.some((w) => sameValue(v, w));
    });
  }
  if (spec.exists !== undefined) {
    const want = spec.exists;
    tests.push((f, s) => !isEmpty(get(f, s)) === want);
  }
  if (spec.sameAs !== undefined) {
    const other = compileValuePath(env, spec.sameAs, `${at}/sameAs`, scopes);
    tests.push((f, s) => sameValue(get(f, s), other(f, s)));
  }
  if (tests.length === 0) {
    fail(
      env,
      at,
      'MAPPING_BAD_CONDITION',
      'a condition needs one of equals, notEquals, in, notIn, exists, sameAs',
    );
    return () => false;
  }
  if (tests.length === 1) return tests[0]!;
  return (f, s) => tests.every((t) => t(f, s));
}
