/**
 * What a compiled mapping carries while it runs one message: loop frames (the current element
 * and its position, linked to the enclosing loop) and the list of issues. Paths for issues are
 * built only when an issue is raised, never on the happy path.
 */
import type { LookupTable, MappingContext, MappingIssue } from './types.js';

export interface Frame {
  /** The current element: IDoc segment, JSON value, or the message root. */
  readonly node: unknown;
  /** 1-based position in its loop (1 for the root). */
  readonly position: number;
  readonly parent: Frame | undefined;
  /** Loop path as written in the mapping (for source paths in issues). */
  readonly sourceStep: string;
  /** Static target path from the enclosing element to this loop's array/segments ('' = none). */
  readonly targetStep: string;
  /** 0-based index of the produced target element, -1 when this frame produced none. */
  readonly targetIndex: number;
}

export interface RunState {
  readonly ctx: MappingContext;
  readonly issues: MappingIssue[];
  /** Tables to use for this run (loaded ones unless the context overrides them). */
  table(name: string): LookupTable | undefined;
  /** Per-message memo of compiled parts (e.g. join indexes), created on first use. */
  cache?: Map<object, unknown>;
}

export function rootFrame(node: unknown): Frame {
  return { node, position: 1, parent: undefined, sourceStep: '', targetStep: '', targetIndex: -1 };
}

export function childFrame(
  parent: Frame,
  node: unknown,
  position: number,
  sourceStep: string,
  targetStep: string,
  targetIndex: number,
): Frame {
  return { node, position, parent, sourceStep, targetStep, targetIndex };
}

/** Source path of a value read by `path` in `frame`, e.g. `E1EDL20.E1EDL24[2]/LFIMG` (0-based). */
export function sourcePathOf(frame: Frame, path: string): string {
  if (path.startsWith('$.')) return path.slice(2);
  let start: Frame | undefined = frame;
  let rest = path;
  while (rest.startsWith('^.')) {
    start = start?.parent;
    rest = rest.slice(2);
  }
  const parts: string[] = [];
  for (let f: Frame | undefined = start; f?.parent; f = f.parent)
    parts.push(`${f.sourceStep}[${f.position - 1}]`);
  parts.reverse();
  if (rest) parts.push(rest);
  return parts.join('/');
}

/**
 * Target path: JSON pointer for JSON targets (`/items/2/quantity`), segment path for IDoc targets
 * (`E1MBGMCR/E1BP2017_GM_ITEM_CREATE[1].ENTRY_QNT`).
 */
export function targetPathOf(frame: Frame, rest: string): string {
  const parts: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) {
    if (f.targetIndex >= 0)
      parts.push(
        f.targetStep.startsWith('/')
          ? `${f.targetStep}/${f.targetIndex}`
          : `${f.targetStep}[${f.targetIndex}]`,
      );
  }
  parts.reverse();
  let out = '';
  for (const p of parts) out += out === '' || p.startsWith('/') ? p : `/${p}`;
  if (rest) out += out === '' || rest.startsWith('/') || rest.startsWith('.') ? rest : `/${rest}`;
  return out;
}

export function valueText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export interface IssueWhere {
  readonly frame: Frame;
  readonly sourcePath: string;
  readonly targetPath: string;
}

export function raise(
  state: RunState,
  where: IssueWhere,
  code: string,
  rule: string,
  value: unknown,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  const targetPath = targetPathOf(where.frame, where.targetPath);
  state.issues.push({
    code,
    message,
    severity,
    path: targetPath,
    sourcePath: sourcePathOf(where.frame, where.sourcePath),
    targetPath,
    rule,
    value: valueText(value),
  });
}

/** Empty = absent, null or the empty string (IDoc fields are omitted or blank when empty). */
export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}
