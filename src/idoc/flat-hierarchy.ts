/**
 * Rebuilds the segment tree of a flat IDoc from EDI_DD40-SEGNUM/PSGNUM, as SAP writes them:
 * PSGNUM is the SEGNUM of the parent, `000000` for a top-level segment, and records come
 * depth-first, so a parent is always one of the open ancestors of the previous record.
 *
 * Where the numbers cannot be trusted (blank, self-referencing, pointing forward or nowhere) the
 * segment is placed by its definition (nearest open ancestor of the definition's parent type, else
 * top level) or, without a definition, under the nearest open ancestor with a lower HLEVEL (else
 * top level), and an issue is reported. Both fallbacks keep the document order, so one broken
 * record does not make the PSGNUMs of the records after it look wrong too. Used by the reader and by the
 * writer (which keeps the header values as read only when they still describe the same tree).
 */

/** What the hierarchy needs of a record: its type and the header values as read. */
export interface HierarchyRecord {
  readonly type: string;
  /** SEGNUM/PSGNUM/HLEVEL as read, trimmed (HLEVEL only places segments without definition). */
  readonly flat?: { readonly segnum: string; readonly psgnum: string; readonly hlevel: string };
}

/** Parent type from the definition: null = top level, undefined = no definition. */
export type ParentType = string | null | undefined;

export type HierarchyIssueCode = 'SEGNUM_BLANK' | 'SEGNUM_DUPLICATE' | 'PSGNUM_BLANK' | 'PSGNUM_INVALID';

export interface HierarchyIssue {
  readonly code: HierarchyIssueCode;
  readonly severity: 'error' | 'warning';
  /** Index of the record, or -1 for the IDoc as a whole. */
  readonly index: number;
  readonly message: string;
}

export interface Hierarchy {
  /** Parent record index per record, -1 for top level. */
  readonly parents: Int32Array;
  readonly issues: HierarchyIssue[];
}

const TOP = '000000';
const NO_HEADER = { segnum: '', psgnum: '', hlevel: '' };

export function buildHierarchy(
  records: readonly HierarchyRecord[],
  parentTypes: readonly ParentType[],
): Hierarchy {
  const n = records.length;
  const parents = new Int32Array(n);
  const issues: HierarchyIssue[] = [];
  let allBlank = n > 0;
  for (let i = 0; i < n && allBlank; i++) {
    const h = records[i]!.flat;
    if (h !== undefined && (h.segnum !== '' || h.psgnum !== '')) allBlank = false;
  }
  if (allBlank) {
    issues.push({
      code: 'SEGNUM_BLANK',
      severity: 'warning',
      index: -1,
      message: 'SEGNUM/PSGNUM are blank in every data record: hierarchy taken from the definition',
    });
  }
  // SAP numbers records in increasing order: a set of the numbers seen is only needed (and then
  // built) once a number does not increase.
  let seen: Set<string> | undefined;
  let last = '';
  /** First and last record index per SEGNUM, built once when a PSGNUM misses (keeps misses O(1)). */
  let where: SegnumIndex | undefined;
  /** Record indices of the open path from a top-level segment to the previous record. */
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = records[i]!.flat ?? NO_HEADER;
    let parent = -2; // unresolved
    if (!allBlank) {
      if (r.segnum === '') {
        issues.push({ code: 'SEGNUM_BLANK', severity: 'error', index: i, message: 'SEGNUM is blank' });
      } else if (
        seen === undefined &&
        (last === '' || (r.segnum.length === last.length && r.segnum > last))
      ) {
        last = r.segnum;
      } else if ((seen ??= numbersBefore(records, i)).has(r.segnum)) {
        issues.push({
          code: 'SEGNUM_DUPLICATE',
          severity: 'warning',
          index: i,
          message: `SEGNUM ${r.segnum} is used by an earlier record (PSGNUM references resolve to the nearest open ancestor)`,
        });
      } else {
        seen.add(r.segnum);
      }
      if (r.psgnum === '') {
        issues.push({ code: 'PSGNUM_BLANK', severity: 'error', index: i, message: 'PSGNUM is blank' });
      } else if (r.psgnum === TOP) {
        parent = -1;
      } else if (r.psgnum === r.segnum) {
        issues.push({
          code: 'PSGNUM_INVALID',
          severity: 'error',
          index: i,
          message: `PSGNUM ${r.psgnum} refers to the segment itself`,
        });
      } else {
        for (let k = stack.length - 1; k >= 0; k--) {
          const j = stack[k]!;
          if (records[j]!.flat?.segnum === r.psgnum) {
            parent = j;
            break;
          }
        }
        if (parent === -2) {
          issues.push({
            code: 'PSGNUM_INVALID',
            severity: 'error',
            index: i,
            message: `PSGNUM ${r.psgnum} ${describeMiss((where ??= segnumIndex(records)), i, r.psgnum)}`,
          });
        }
      }
    }
    if (parent === -2) parent = fallbackParent(records, stack, r.hlevel, parentTypes[i]);
    if (parent === -1) {
      stack.length = 0;
    } else {
      let k = stack.length - 1;
      while (k >= 0 && stack[k] !== parent) k--;
      stack.length = k + 1;
    }
    stack.push(i);
    parents[i] = parent;
  }
  return { parents, issues };
}

function numbersBefore(records: readonly HierarchyRecord[], i: number): Set<string> {
  const seen = new Set<string>();
  for (let j = 0; j < i; j++) {
    const segnum = records[j]!.flat?.segnum;
    if (segnum) seen.add(segnum);
  }
  return seen;
}

type SegnumIndex = Map<string, { first: number; last: number }>;

function segnumIndex(records: readonly HierarchyRecord[]): SegnumIndex {
  const index: SegnumIndex = new Map();
  records.forEach((r, i) => {
    const segnum = r.flat?.segnum;
    if (!segnum) return;
    const at = index.get(segnum);
    if (at === undefined) index.set(segnum, { first: i, last: i });
    else at.last = i;
  });
  return index;
}

function describeMiss(index: SegnumIndex, i: number, psgnum: string): string {
  const at = index.get(psgnum);
  if (at !== undefined && at.first < i)
    return 'refers to an earlier segment that is not an ancestor (records out of order)';
  if (at !== undefined && at.last > i) return 'refers to a later segment';
  return 'refers to no segment of this IDoc';
}

/** Where a segment goes when its PSGNUM cannot be used (see the module comment). */
function fallbackParent(
  records: readonly HierarchyRecord[],
  stack: readonly number[],
  hlevel: string,
  parentType: ParentType,
): number {
  if (parentType === null) return -1;
  if (parentType !== undefined) {
    for (let k = stack.length - 1; k >= 0; k--) {
      const j = stack[k]!;
      if (records[j]!.type === parentType) return j;
    }
    return -1;
  }
  const level = levelOf(hlevel);
  if (level < 0) return -1;
  for (let k = stack.length - 1; k >= 0; k--) {
    const j = stack[k]!;
    const l = levelOf(records[j]!.flat?.hlevel ?? '');
    if (l >= 0 && l < level) return j;
  }
  return -1;
}

function levelOf(hlevel: string): number {
  if (hlevel.length === 0 || hlevel.length > 2) return -1;
  let n = 0;
  for (let i = 0; i < hlevel.length; i++) {
    const d = hlevel.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
