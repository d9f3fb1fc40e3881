/** What every compile step shares: the source model, the tables, and the list of load errors. */
import type { Issue } from '../errors.js';
import { parsePath } from './path.js';
import type { Getter, ListGetter, SourceModel } from './source.js';
import type { LookupTable } from './types.js';

export interface CompileEnv<S> {
  readonly file: string;
  readonly model: SourceModel<S>;
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly errors: Issue[];
}

/** Records a load error at a JSON pointer inside the mapping file. */
export function fail<S>(env: CompileEnv<S>, at: string, code: string, message: string): void {
  env.errors.push({ code, path: at, message: `${at}: ${message}`, details: { file: env.file } });
}

const nothing: Getter = () => undefined;

export function compileValuePath<S>(
  env: CompileEnv<S>,
  text: string,
  at: string,
  scopes: readonly S[],
): Getter {
  const r = compileValuePathOrError(env, text, scopes);
  if (typeof r === 'string') {
    fail(env, at, 'MAPPING_BAD_PATH', r);
    return nothing;
  }
  return r;
}

export function compileValuePathOrError<S>(
  env: CompileEnv<S>,
  text: string,
  scopes: readonly S[],
): Getter | string {
  const p = parsePath(text);
  if (typeof p === 'string') return p;
  return env.model.value(p, scopes);
}

/**
 * Compiles `each`: one path (flattened) or a list of paths (one loop level each, so `^` and `^.#`
 * reach the outer levels). Returns the levels, or undefined after recording an error.
 */
export function compileLoopLevels<S>(
  env: CompileEnv<S>,
  each: string | readonly string[],
  at: string,
  scopes: readonly S[],
): { levels: { path: string; get: ListGetter }[]; scopes: S[] } | undefined {
  const list = typeof each === 'string' ? [each] : each;
  const levels: { path: string; get: ListGetter }[] = [];
  const inner = [...scopes];
  for (const [i, text] of list.entries()) {
    const p = parsePath(text);
    const r = typeof p === 'string' ? p : env.model.list(p, inner);
    if (typeof r === 'string') {
      fail(env, typeof each === 'string' ? at : `${at}/${i}`, 'MAPPING_BAD_LOOP', r);
      return undefined;
    }
    levels.push({ path: text, get: r.get });
    inner.push(r.scope);
  }
  return { levels, scopes: inner };
}
