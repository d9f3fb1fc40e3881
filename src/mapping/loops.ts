/** Runs compiled loop levels (`each`), creating one frame per element, with an optional `where`. */
import type { ListGetter } from './source.js';
import { childFrame, type Frame, type RunState } from './runtime.js';
import type { Predicate } from './conditions.js';

export interface LoopLevel {
  readonly path: string;
  readonly get: ListGetter;
}

/**
 * Calls `body` for every innermost element; `body` returns whether it produced a target element
 * (so target indexes count produced elements only).
 */
export function runLoop(
  levels: readonly LoopLevel[],
  where: Predicate | undefined,
  targetStep: string,
  frame: Frame,
  state: RunState,
  body: (frame: Frame, targetIndex: number) => boolean,
): void {
  let produced = 0;
  const last = levels.length - 1;
  const level = (f: Frame, i: number): void => {
    const lv = levels[i]!;
    const items = lv.get(f);
    for (let k = 0; k < items.length; k++) {
      if (i < last) {
        level(childFrame(f, items[k], k + 1, lv.path, '', -1), i + 1);
        continue;
      }
      const inner = childFrame(f, items[k], k + 1, lv.path, targetStep, produced);
      if (where && !where(inner, state)) continue;
      if (body(inner, produced)) produced++;
    }
  };
  level(frame, 0);
}
