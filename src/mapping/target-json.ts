/**
 * Compiles the JSON target of an `idoc-to-json` mapping: `fields` (object), `each` (array of
 * objects or, with `value`, of scalars) and value rules. Field names are checked against the
 * target contract's JSON Schema at load time.
 */
import { compileLoopLevels, compileValuePath, fail, type CompileEnv } from './compile-env.js';
import { compileCondition } from './conditions.js';
import { runLoop, type CompiledLoop, type LoopJoin } from './loops.js';
import { parsePath } from './path.js';
import { generateObjectBuilder } from './codegen.js';
import { compileRule, type ValueFn } from './rules.js';
import { isEmpty } from './runtime.js';
import { schemaChild, type JsonSchemaNode, type JsonScope } from './source-json.js';
import type { JsonNodeObject, JsonNodeSpec } from './types.js';

export interface JsonTargetSchema {
  readonly root: JsonSchemaNode;
  readonly scope: JsonScope;
}

const RULE_KEYS = ['from', 'const', 'first', 'lookup', 'default', 'map', 'otherwise', 'convert', 'required'];

export function compileJsonObject<S>(
  env: CompileEnv<S>,
  fields: Record<string, JsonNodeSpec>,
  at: string,
  scopes: readonly S[],
  relTarget: string,
  target: JsonTargetSchema,
): ValueFn {
  const compiled: { key: string; fn: ValueFn }[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    const child = schemaChild(target.root, target.scope, key);
    if (typeof child === 'string') fail(env, `${at}/${key}`, 'MAPPING_UNKNOWN_TARGET', `target ${child}`);
    const scope = typeof child === 'string' ? null : child;
    compiled.push({
      key,
      fn: compileJsonNode(env, spec, `${at}/${key}`, scopes, `${relTarget}/${key}`, {
        root: target.root,
        scope,
      }),
    });
  }
  return generateObjectBuilder(
    compiled.map((c) => c.key),
    compiled.map((c) => c.fn),
  );
}

export function compileJsonNode<S>(
  env: CompileEnv<S>,
  spec: JsonNodeSpec,
  at: string,
  scopes: readonly S[],
  relTarget: string,
  target: JsonTargetSchema,
): ValueFn {
  if (typeof spec === 'string' || (spec.each === undefined && spec.fields === undefined))
    return compileValueNode(env, spec, at, scopes, relTarget);
  const node: JsonNodeObject = spec;
  const misplaced = RULE_KEYS.filter((k) => k in node);
  if (misplaced.length > 0)
    fail(
      env,
      at,
      'MAPPING_BAD_RULE',
      `${misplaced.join(', ')} belong in a value rule, not on an object or loop (use "value")`,
    );
  const keepEmpty = node.keepEmpty === true;
  const when = node.when ? compileCondition(env, node.when, `${at}/when`, scopes) : undefined;
  if (node.each === undefined) {
    const obj = compileJsonObject(env, node.fields ?? {}, `${at}/fields`, scopes, relTarget, target);
    return (frame, state) => {
      if (when && !when(frame, state)) return undefined;
      const v = obj(frame, state);
      return v === undefined && keepEmpty ? {} : v;
    };
  }
  const loop = compileLoopLevels(env, node.each, `${at}/each`, scopes);
  if (!loop) return () => undefined;
  const where = node.where ? compileCondition(env, node.where, `${at}/where`, loop.scopes) : undefined;
  let element: ValueFn;
  if (node.fields !== undefined && node.value !== undefined) {
    fail(env, at, 'MAPPING_BAD_RULE', 'a loop has either "fields" (objects) or "value" (scalars), not both');
    return () => undefined;
  }
  if (node.value !== undefined) element = compileValueNode(env, node.value, `${at}/value`, loop.scopes, '');
  else if (node.fields !== undefined)
    element = compileJsonObject(env, node.fields, `${at}/fields`, loop.scopes, '', target);
  else {
    fail(env, at, 'MAPPING_BAD_RULE', 'a loop needs "fields" or "value"');
    return () => undefined;
  }
  const join = joinOf(env, node, loop.scopes, at);
  const compiled: CompiledLoop<unknown[]> = {
    levels: loop.levels,
    where,
    ...(join ? { join } : {}),
    targetStep: relTarget,
    body: (inner, state, out) => {
      const v = element(inner, state);
      if (isEmpty(v)) return false;
      out.push(v);
      return true;
    },
  };
  return (frame, state) => {
    if (when && !when(frame, state)) return undefined;
    const out: unknown[] = [];
    runLoop(compiled, frame, state, out);
    return out.length > 0 || keepEmpty ? out : undefined;
  };
}

/**
 * A loop over a root path (`$.X`) whose `where` is only `{ path: K, sameAs: P }`, with K read
 * from the element and P from outside it (`^.`, `$.`), is a join: run it through an index.
 */
function joinOf<S>(
  env: CompileEnv<S>,
  node: JsonNodeObject,
  scopes: readonly S[],
  at: string,
): LoopJoin | undefined {
  const w = node.where;
  if (typeof node.each !== 'string' || !w || w.path === undefined || w.sameAs === undefined) return undefined;
  if (Object.keys(w).length !== 2) return undefined;
  const each = parsePath(node.each);
  const key = parsePath(w.path);
  const probe = parsePath(w.sameAs);
  if (typeof each === 'string' || typeof key === 'string' || typeof probe === 'string') return undefined;
  if (!each.root || key.root || key.up > 0 || key.now || key.terminal !== 'value') return undefined;
  if (!(probe.root || probe.now || probe.up > 0)) return undefined;
  return {
    key: compileValuePath(env, w.path, `${at}/where/path`, scopes),
    probe: compileValuePath(env, w.sameAs, `${at}/where/sameAs`, scopes),
  };
}

function compileValueNode<S>(
  env: CompileEnv<S>,
  spec: JsonNodeSpec,
  at: string,
  scopes: readonly S[],
  relTarget: string,
): ValueFn {
  if (typeof spec !== 'string') {
    const extra = ['each', 'where', 'value', 'keepEmpty'].filter((k) => k in spec);
    if (extra.length > 0) fail(env, at, 'MAPPING_BAD_RULE', `${extra.join(', ')} only apply to loops (each)`);
  }
  return compileRule(env, spec, at, scopes, { path: relTarget });
}
