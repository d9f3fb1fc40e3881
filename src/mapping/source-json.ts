/**
 * JSON source model: paths walk properties (`items.serialNumbers`, `$.site`,
 * `partners[role=WE].id`). When the source has a payload contract, every property is checked
 * against the contract's JSON Schema when the mapping is loaded.
 */
import type { ParsedPath } from './path.js';
import type { Frame } from './runtime.js';
import {
  specialGetter,
  startFrame,
  startScope,
  type Getter,
  type ListGetter,
  type SourceModel,
} from './source.js';

/** A JSON Schema node (as exported by zod), only the parts navigation needs. */
export interface JsonSchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: boolean | JsonSchemaNode;
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly allOf?: readonly JsonSchemaNode[];
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, JsonSchemaNode>>;
}

/** Static scope: the schema nodes an element may match, or null when unchecked. */
export type JsonScope = readonly JsonSchemaNode[] | null;

/** Object-like alternatives of a schema node (unions flattened, arrays replaced by their items). */
export function expandSchema(root: JsonSchemaNode, nodes: readonly JsonSchemaNode[]): JsonSchemaNode[] {
  const out: JsonSchemaNode[] = [];
  const visit = (n: JsonSchemaNode, depth: number): void => {
    if (depth > 20) return;
    if (n.$ref) {
      const m = /^#\/\$defs\/(.+)$/.exec(n.$ref);
      const target = m ? root.$defs?.[m[1]!] : undefined;
      if (target) visit(target, depth + 1);
      return;
    }
    for (const b of [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])]) visit(b, depth + 1);
    if (n.items) visit(n.items, depth + 1);
    if (n.properties || n.additionalProperties !== undefined) out.push(n);
  };
  for (const n of nodes) visit(n, 0);
  return out;
}

/** The schema of property `name` under `scope`; null = unchecked; string = error. */
export function schemaChild(root: JsonSchemaNode, scope: JsonScope, name: string): JsonScope | string {
  if (scope === null) return null;
  const found: JsonSchemaNode[] = [];
  let open = false;
  for (const n of expandSchema(root, scope)) {
    const p = n.properties?.[name];
    if (p) found.push(p);
    else if (n.additionalProperties !== undefined && n.additionalProperties !== false) open = true;
  }
  if (found.length > 0) return found;
  if (open) return null;
  return `property "${name}" is not in the contract`;
}

function pick(v: unknown, name: string, field: string | undefined, value: string): unknown {
  if (Array.isArray(v)) {
    for (const e of v) {
      const r = pick(e, name, field, value);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const c = (v as Record<string, unknown>)[name];
  if (field === undefined) return Array.isArray(c) ? c[0] : c;
  if (Array.isArray(c)) return c.find((e) => filterMatch(e, field, value));
  return filterMatch(c, field, value) ? c : undefined;
}

function filterMatch(e: unknown, field: string, value: string): boolean {
  if (e === null || typeof e !== 'object') return false;
  const f = (e as Record<string, unknown>)[field];
  return f !== undefined && f !== null && String(f) === value;
}

export function jsonSourceModel(schema: JsonSchemaNode | undefined): SourceModel<JsonScope> {
  const rootSchema: JsonSchemaNode = schema ?? {};
  const check = (scope: JsonScope, path: ParsedPath): JsonScope | string => {
    let cur = scope;
    for (const s of path.steps) {
      const next = schemaChild(rootSchema, cur, s.name);
      if (typeof next === 'string') return `"${path.text}": ${next}`;
      if (s.filter && next !== null) {
        const f = schemaChild(rootSchema, next, s.filter.field);
        if (typeof f === 'string') return `"${path.text}": filter ${f}`;
      }
      cur = next;
    }
    return cur;
  };
  return {
    kind: 'json',
    root: schema ? [schema] : null,
    value(path: ParsedPath, scopes: readonly JsonScope[]): Getter | string {
      if (!path.now) {
        const reach = startScope(path, scopes);
        if (typeof reach === 'string') return reach;
      }
      const special = specialGetter(path);
      if (special) return special;
      if (path.terminal !== 'value') return `"${path.text}": "#" and "@" cannot follow property steps`;
      const s = startScope(path, scopes);
      if (typeof s === 'string') return s;
      const c = check(s.scope, path);
      if (typeof c === 'string') return c;
      const start = startFrame(path);
      const steps = path.steps.map((p) => ({
        name: p.name,
        field: p.filter?.field,
        value: p.filter?.value ?? '',
      }));
      if (steps.length === 1 && steps[0]!.field === undefined) {
        const name = steps[0]!.name;
        return (frame: Frame) => {
          const n = start(frame).node;
          return n !== null && typeof n === 'object' && !Array.isArray(n)
            ? (n as Record<string, unknown>)[name]
            : undefined;
        };
      }
      return (frame: Frame) => {
        let v: unknown = start(frame).node;
        for (let i = 0; i < steps.length && v !== undefined; i++) {
          const st = steps[i]!;
          v = pick(v, st.name, st.field, st.value);
        }
        return v;
      };
    },
    list(path: ParsedPath, scopes: readonly JsonScope[]): { get: ListGetter; scope: JsonScope } | string {
      if (path.now || path.terminal !== 'value' || path.steps.length === 0)
        return `"${path.text}" is not a loop path (name the array to loop over)`;
      const s = startScope(path, scopes);
      if (typeof s === 'string') return s;
      const c = check(s.scope, path);
      if (typeof c === 'string') return c;
      const start = startFrame(path);
      const steps = path.steps.map((p) => ({
        name: p.name,
        field: p.filter?.field,
        value: p.filter?.value ?? '',
      }));
      const collect = (v: unknown, i: number, out: unknown[]): void => {
        if (v === undefined || v === null) return;
        if (Array.isArray(v)) {
          for (const e of v) collect(e, i, out);
          return;
        }
        if (i === steps.length) {
          out.push(v);
          return;
        }
        if (typeof v !== 'object') return;
        const st = steps[i]!;
        const c2 = (v as Record<string, unknown>)[st.name];
        if (st.field === undefined) collect(c2, i + 1, out);
        else if (Array.isArray(c2)) {
          for (const e of c2) if (filterMatch(e, st.field, st.value)) collect(e, i + 1, out);
        } else if (filterMatch(c2, st.field, st.value)) collect(c2, i + 1, out);
      };
      return {
        scope: c === null ? null : c,
        get: (frame: Frame) => {
          const out: unknown[] = [];
          collect(start(frame).node, 0, out);
          return out;
        },
      };
    },
  };
}
