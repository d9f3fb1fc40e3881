/**
 * WE19-style edits of a working copy of an IDoc (canonical JSON) against its definition: set a
 * field (clearing one keeps it, blank, so its input stays where it is), add a segment where the
 * definition allows it (under its parent, below its max, in the definition's order, with its
 * required children), remove one above its min. Pure functions returning a new copy; the gateway
 * validates the result again before it replays it.
 */
import type { CanonicalIdoc, CanonicalSegment, IdocDefinitionView, SegmentDef } from './types';

export type Path = readonly number[];

export interface Layout {
  readonly defs: ReadonlyMap<string, SegmentDef>;
  readonly topLevel: readonly string[];
}

export function layoutOf(definition: IdocDefinitionView | undefined): Layout {
  return {
    defs: new Map((definition?.segments ?? []).map((s) => [s.type, s])),
    topLevel: definition?.topLevel ?? [],
  };
}

export function segmentAt(idoc: CanonicalIdoc, path: Path): CanonicalSegment | undefined {
  let list = idoc.segments;
  let seg: CanonicalSegment | undefined;
  for (const i of path) {
    seg = list[i];
    if (!seg) return undefined;
    list = seg.children;
  }
  return seg;
}

/** The list a segment at `path` lives in (the IDoc's top level for a one-element path). */
function listAt(idoc: CanonicalIdoc, parent: Path): CanonicalSegment[] | undefined {
  if (parent.length === 0) return idoc.segments;
  return segmentAt(idoc, parent)?.children;
}

export function setField(idoc: CanonicalIdoc, path: Path, field: string, value: string): CanonicalIdoc {
  const next = structuredClone(idoc);
  const seg = segmentAt(next, path);
  if (!seg) return idoc;
  if (value === '' && seg.fields[field] === undefined) return idoc;
  seg.fields[field] = value;
  return next;
}

export interface ChildOption {
  readonly type: string;
  readonly description: string | null;
  readonly count: number;
  readonly min: number;
  readonly max: number | null;
  /** False when the definition's max is reached. */
  readonly canAdd: boolean;
}

/** The segment types the definition allows under `parent` (the IDoc itself for []), with counts. */
export function childOptions(idoc: CanonicalIdoc, layout: Layout, parent: Path): ChildOption[] {
  const list = listAt(idoc, parent) ?? [];
  const types =
    parent.length === 0
      ? layout.topLevel
      : (layout.defs.get(segmentAt(idoc, parent)?.type ?? '')?.children ?? []);
  return types.flatMap((type) => {
    const def = layout.defs.get(type);
    if (!def) return [];
    const count = list.filter((s) => s.type === type).length;
    return [
      {
        type,
        description: def.description,
        count,
        min: def.min,
        max: def.max,
        canAdd: def.max === null || count < def.max,
      },
    ];
  });
}

/** True when removing the segment at `path` keeps its type at or above the definition's min. */
export function canRemove(idoc: CanonicalIdoc, layout: Layout, path: Path): boolean {
  const seg = segmentAt(idoc, path);
  if (!seg) return false;
  const def = layout.defs.get(seg.type);
  if (!def) return true; // not in the definition: removing it can only help
  const siblings = listAt(idoc, path.slice(0, -1)) ?? [];
  return siblings.filter((s) => s.type === seg.type).length > def.min;
}

/** A new empty segment with the required children (each at its min), recursively. */
function emptySegment(layout: Layout, type: string, depth = 0): CanonicalSegment {
  const def = layout.defs.get(type);
  const children: CanonicalSegment[] = [];
  if (def && depth < 20) {
    for (const c of def.children) {
      const cd = layout.defs.get(c);
      for (let i = 0; i < (cd?.min ?? 0); i++) children.push(emptySegment(layout, c, depth + 1));
    }
  }
  return { type, fields: {}, children };
}

/**
 * Adds a `type` segment under `parent`, after the siblings that come before it in the
 * definition's order (so after the last one of its own type). Returns the new copy and the new
 * segment's path, or undefined when the definition does not allow it there.
 */
export function addSegment(
  idoc: CanonicalIdoc,
  layout: Layout,
  parent: Path,
  type: string,
): { readonly idoc: CanonicalIdoc; readonly path: Path } | undefined {
  const option = childOptions(idoc, layout, parent).find((o) => o.type === type);
  if (!option?.canAdd) return undefined;
  const order =
    parent.length === 0
      ? layout.topLevel
      : (layout.defs.get(segmentAt(idoc, parent)?.type ?? '')?.children ?? []);
  const rank = order.indexOf(type);
  const next = structuredClone(idoc);
  const list = listAt(next, parent);
  if (!list) return undefined;
  let at = 0;
  list.forEach((s, i) => {
    if (order.indexOf(s.type) <= rank) at = i + 1;
  });
  list.splice(at, 0, emptySegment(layout, type));
  return { idoc: next, path: [...parent, at] };
}

export function removeSegment(idoc: CanonicalIdoc, layout: Layout, path: Path): CanonicalIdoc {
  if (!canRemove(idoc, layout, path)) return idoc;
  const next = structuredClone(idoc);
  const list = listAt(next, path.slice(0, -1));
  list?.splice(path[path.length - 1] ?? 0, 1);
  return next;
}

/** Input width in characters: the field's length, or the value's when longer, within bounds. */
export function inputChars(length: number | undefined, value: string): number {
  return Math.min(72, Math.max(4, length ?? 20, value.length) + 1);
}
