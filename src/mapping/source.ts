/**
 * Compiled access to the source of a mapping. Two models implement it: IDoc (segment tree,
 * checked against the definition) and JSON (checked against the payload contract's JSON Schema).
 * Paths are parsed and checked at load time; the getters do no string parsing per message.
 */
import type { ParsedPath } from './path.js';
import type { Frame, RunState } from './runtime.js';

/** Reads one value (string, number, boolean) or undefined. */
export type Getter = (frame: Frame, state: RunState) => unknown;
/** Reads the elements a loop runs over. */
export type ListGetter = (frame: Frame) => readonly unknown[];

export interface SourceModel<S> {
  readonly kind: 'idoc' | 'json';
  /** Static description of the root element. */
  readonly root: S;
  /** A getter for a value path, or an error message. `scopes`: innermost loop level last. */
  value(path: ParsedPath, scopes: readonly S[]): Getter | string;
  /** A getter for a loop path and the static scope of its elements, or an error message. */
  list(path: ParsedPath, scopes: readonly S[]): { get: ListGetter; scope: S } | string;
}

/** The scope a path starts in, or an error message. */
export function startScope<S>(path: ParsedPath, scopes: readonly S[]): { scope: S } | string {
  if (path.root) return { scope: scopes[0]! };
  const i = scopes.length - 1 - path.up;
  if (i < 0)
    return `path "${path.text}" goes up ${path.up} loop level(s), but only ${scopes.length - 1} enclose it`;
  return { scope: scopes[i]! };
}

/** The frame a path starts in (mirror of startScope at run time). */
export function startFrame(path: ParsedPath): (frame: Frame) => Frame {
  if (path.root)
    return (frame) => {
      let f = frame;
      while (f.parent) f = f.parent;
      return f;
    };
  const up = path.up;
  if (up === 0) return (frame) => frame;
  return (frame) => {
    let f = frame;
    for (let i = 0; i < up; i++) f = f.parent ?? f;
    return f;
  };
}

/** Getters that do not depend on the model: `$now`, `#`, and `@` without steps. */
export function specialGetter(path: ParsedPath): Getter | undefined {
  if (path.now) return (_frame, state) => state.ctx.now.toISOString();
  if (path.steps.length > 0) return undefined;
  const start = startFrame(path);
  if (path.terminal === 'position') return (frame) => start(frame).position;
  if (path.terminal === 'self') return (frame) => start(frame).node;
  return undefined;
}
