/**
 * The source-path grammar shared by IDoc and JSON sources (parsed once, at load time):
 *
 *   $now                       the context's "now" (ISO 8601)
 *   [$.] [^.]* step(.step)* [.#|.@]
 *   step  = name | name[FIELD=value]
 *
 * `$` starts at the message root, each `^` goes one loop level up, otherwise the path starts at
 * the current loop element. `#` is the 1-based position of that element in its loop, `@` the
 * element itself (for arrays of strings). Steps name JSON properties, or IDoc segment types and
 * finally a field; `[FIELD=value]` keeps only the segments/objects whose FIELD equals value.
 */

export interface PathStep {
  readonly name: string;
  readonly filter?: { readonly field: string; readonly value: string };
}

export interface ParsedPath {
  readonly text: string;
  readonly now: boolean;
  readonly root: boolean;
  /** Number of `^` (loop levels up). */
  readonly up: number;
  readonly steps: readonly PathStep[];
  readonly terminal: 'value' | 'position' | 'self';
}

/** Parses a path; returns an error message instead of throwing. */
export function parsePath(text: string): ParsedPath | string {
  if (text === '$now') return { text, now: true, root: false, up: 0, steps: [], terminal: 'value' };
  const parts = splitSteps(text);
  if (typeof parts === 'string') return parts;
  let root = false;
  let up = 0;
  let i = 0;
  if (parts[0] === '$') {
    root = true;
    i = 1;
  }
  while (!root && parts[i] === '^') {
    up++;
    i++;
  }
  const steps: PathStep[] = [];
  let terminal: ParsedPath['terminal'] = 'value';
  for (; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '#' || p === '@') {
      if (i !== parts.length - 1) return `"${p}" must be the last step of a path`;
      if (p === '#' && steps.length > 0) return '"#" (position) can only follow "$" or "^"';
      terminal = p === '#' ? 'position' : 'self';
      continue;
    }
    if (p === '$' || p === '^') return `"${p}" can only start a path`;
    const m = /^([A-Za-z0-9_/]+)(?:\[([A-Za-z0-9_]+)=([^\]]*)\])?$/.exec(p);
    if (!m) return `"${p}" is not a valid path step`;
    const [, name = '', field, value] = m;
    steps.push(field !== undefined ? { name, filter: { field, value: value ?? '' } } : { name });
  }
  if (steps.length === 0 && terminal === 'value') {
    if (root || up > 0) return `path "${text}" names no value`;
  }
  return { text, now: false, root, up, steps, terminal };
}

function splitSteps(text: string): string[] | string {
  if (text.length === 0) return 'empty path';
  const out: string[] = [];
  let cur = '';
  let inBracket = false;
  for (const ch of text) {
    if (ch === '[') inBracket = true;
    else if (ch === ']') inBracket = false;
    if (ch === '.' && !inBracket) {
      if (cur === '') return `empty step in path "${text}"`;
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (inBracket) return `unclosed "[" in path "${text}"`;
  if (cur === '') return `empty step in path "${text}"`;
  out.push(cur);
  return out;
}
