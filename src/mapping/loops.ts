/** Runs compiled loop levels (`each`), creating one frame per element, with an optional `where`. */
import type { ListGetter } from './source.js';
import { childFrame, type Frame, type RunState } from './runtime.js';
import type { Predicate } from './conditions.js';

export interface LoopLevel {
  readonly path: string;
  readonly get: ListGetter;
}

/**
 * Produces one target element for a loop element into `acc`; returns whether it produced one
 * (target indexes count produced elements only). Created once at load time, never per message.
 */
export type LoopBody<A> = (frame: Frame, state: RunState, acc: A) => boolean;

export interface CompiledLoop<A> {
  readonly levels: readonly LoopLevel[];
  readonly where: Predicate | undefined;
  readonly targetStep: string;
  readonly body: LoopBody<A>;
  /** A `where` that joins on a key, run through a per-message index instead of a scan. */
  readonly join?: LoopJoin;
}

/**
 * `each: $.X` + `where: { path: K, sameAs: ^.Y }`: the elements of X are indexed once per
 * message by K, and each loop run takes the elements whose K equals ^.Y, in document order.
 */
export interface LoopJoin {
  readonly key: (frame: Frame, state: RunState) => unknown;
  readonly probe: (frame: Frame, state: RunState) => unknown;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Join key: trimmed text, numbers without leading zeros (`0001` = `1`), as sameValue compares. */
export function joinKey(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v).trim();
  return NUMERIC.test(s) ? String(Number(s)) : s;
}

interface Indexed {
  readonly node: unknown;
  readonly position: number;
}

function joinIndex<A>(
  loop: CompiledLoop<A>,
  join: LoopJoin,
  frame: Frame,
  state: RunState,
): Map<string, Indexed[]> {
  state.cache ??= new Map();
  let idx = state.cache.get(loop) as Map<string, Indexed[]> | undefined;
  if (idx) return idx;
  idx = new Map();
  const lv = loop.levels[0]!;
  const items = lv.get(frame);
  for (let k = 0; k < items.length; k++) {
    const key = joinKey(join.key(childFrame(frame, items[k], k + 1, lv.path, '', -1), state));
    let list = idx.get(key);
    if (!list) idx.set(key, (list = []));
    list.push({ node: items[k], position: k + 1 });
  }
  state.cache.set(loop, idx);
  return idx;
}

/** Runs the loop from `frame`; returns the number of target elements produced. */
export function runLoop<A>(loop: CompiledLoop<A>, frame: Frame, state: RunState, acc: A): number {
  const join = loop.join;
  if (!join) return runLevel(loop, frame, state, acc, 0, 0);
  const probe = joinKey(join.probe(childFrame(frame, undefined, 0, '', '', -1), state));
  const hits = joinIndex(loop, join, frame, state).get(probe);
  let produced = 0;
  const path = loop.levels[0]!.path;
  for (const h of hits ?? []) {
    if (loop.body(childFrame(frame, h.node, h.position, path, loop.targetStep, produced), state, acc))
      produced++;
  }
  return produced;
}

function runLevel<A>(
  loop: CompiledLoop<A>,
  frame: Frame,
  state: RunState,
  acc: A,
  i: number,
  produced: number,
): number {
  const lv = loop.levels[i]!;
  const items = lv.get(frame);
  const inner = i < loop.levels.length - 1;
  for (let k = 0; k < items.length; k++) {
    if (inner) {
      produced = runLevel(
        loop,
        childFrame(frame, items[k], k + 1, lv.path, '', -1),
        state,
        acc,
        i + 1,
        produced,
      );
      continue;
    }
    const f = childFrame(frame, items[k], k + 1, lv.path, loop.targetStep, produced);
    if (loop.where && !loop.where(f, state)) continue;
    if (loop.body(f, state, acc)) produced++;
  }
  return produced;
}
