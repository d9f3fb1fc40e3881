/**
 * Generated JavaScript for the two innermost loops of a mapping: building one JSON object from
 * its field rules, and filling one segment's fields. Each field gets its own call site in the
 * generated function, so V8 can inline every rule (a shared loop over closures would make one
 * megamorphic call site). Mapping files are trusted configuration, like ajv's generated
 * validators; only property names and indexes are written into the source, as JSON literals.
 */
import type { Frame, RunState } from './runtime.js';

export type FieldValueFn = (frame: Frame, state: RunState) => unknown;

/** `(frame, state) => object | undefined` setting each key whose rule gives a non-empty value. */
export function generateObjectBuilder(
  keys: readonly string[],
  fns: readonly FieldValueFn[],
): (frame: Frame, state: RunState) => Record<string, unknown> | undefined {
  const lines = keys.map(
    (k, i) =>
      `v = f[${i}](frame, state); if (v !== undefined && v !== '') { o[${JSON.stringify(k)}] = v; any = true; }`,
  );
  const src = `const ${fns.map((_, i) => `f${i} = f[${i}]`).join(', ') || '_ = 0'};
return function buildObject(frame, state) {
  const o = {}; let any = false; let v;
  ${lines.map((l, i) => l.replace(`f[${i}](`, `f${i}(`)).join('\n  ')}
  return any ? o : undefined;
};`;
  return new Function('f', src)(fns) as (
    frame: Frame,
    state: RunState,
  ) => Record<string, unknown> | undefined;
}

/**
 * `(frame, state, values) => boolean` filling `values[name]` for each field whose rule gives a
 * non-empty value that fits the field (`tooLong`/`badFormat` report the others by index).
 */
export function generateFieldFiller(
  names: readonly string[],
  fns: readonly FieldValueFn[],
  lengths: readonly number[],
  formats: readonly (RegExp | undefined)[],
  tooLong: (i: number, frame: Frame, state: RunState, s: string) => void,
  badFormat: (i: number, frame: Frame, state: RunState, s: string) => void,
): (frame: Frame, state: RunState, values: Record<string, string>) => boolean {
  const body = names
    .map((name, i) => {
      const check = formats[i] ? `else if (!r${i}.test(s)) badFormat(${i}, frame, state, s);` : '';
      return `v = f${i}(frame, state);
  if (v !== undefined && v !== null && v !== '') {
    s = typeof v === 'string' ? v : String(v);
    if (s.length > ${lengths[i] ?? 0}) tooLong(${i}, frame, state, s);
    ${check}
    else { values[${JSON.stringify(name)}] = s; any = true; }
  }`;
    })
    .join('\n  ');
  const decl = [...fns.map((_, i) => `f${i} = f[${i}]`), ...formats.map((_, i) => `r${i} = r[${i}]`)];
  const src = `const ${decl.join(', ') || '_ = 0'};
return function fillFields(frame, state, values) {
  let any = false; let v; let s;
  ${body}
  return any;
};`;
  return new Function('f', 'r', 'tooLong', 'badFormat', src)(fns, formats, tooLong, badFormat) as (
    frame: Frame,
    state: RunState,
    values: Record<string, string>,
  ) => boolean;
}
