/**
 * Merges the segment versions of another definition (typically an older basic type or an older
 * release's parser file, e.g. DELVRY03's E2EDL24xxx) into a definition, so that flat files written
 * with older segment versions resolve to the right field count. A version is only taken when its
 * field list is a true prefix of the target's (same names, offsets and lengths): SAP appends fields
 * in newer versions and never changes existing ones.
 */
import type { Issue } from '../errors.js';
import type { IdocDefinition, SegmentDefinition, SegmentVersion } from './types.js';

export interface VersionMerge {
  readonly definition: IdocDefinition;
  /** `E1EDL24: E2EDL24006 (59 fields)` for every version added. */
  readonly added: readonly string[];
  /** Versions that were not taken because the field lists differ. */
  readonly rejected: readonly Issue[];
}

function isPrefix(older: SegmentDefinition, count: number, target: SegmentDefinition): string | undefined {
  if (count > target.fields.length) return `has ${count} fields, ${target.type} only ${target.fields.length}`;
  for (let i = 0; i < count; i++) {
    const a = older.fields[i];
    const b = target.fields[i];
    if (!a || !b) return `field ${i + 1} missing`;
    if (a.name !== b.name || a.offset !== b.offset || a.length !== b.length) {
      return `field ${i + 1} is ${a.name} ${a.offset}+${a.length}, in the target ${b.name} ${b.offset}+${b.length}`;
    }
  }
  return undefined;
}

/** Adds `older`'s segment versions to `target` where they are prefixes; versions stay sorted by field count. */
export function mergeSegmentVersions(target: IdocDefinition, older: IdocDefinition): VersionMerge {
  const added: string[] = [];
  const rejected: Issue[] = [];
  const olderByType = new Map(older.segments.map((s) => [s.type, s]));
  const segments = target.segments.map((t) => {
    const o = olderByType.get(t.type);
    if (!o) return t;
    const known = new Set(t.versions.map((v) => v.name));
    const extra: SegmentVersion[] = [];
    for (const v of o.versions) {
      if (known.has(v.name)) continue;
      const problem = isPrefix(o, v.fieldCount, t);
      if (problem) {
        rejected.push({
          code: 'VERSION_NOT_A_PREFIX',
          severity: 'warning',
          message: `${t.type}: version ${v.name} not merged: ${problem}`,
          path: t.type,
          details: { segment: t.type, version: v.name },
        });
        continue;
      }
      extra.push({ ...v });
      known.add(v.name);
      added.push(`${t.type}: ${v.name} (${v.fieldCount} fields)`);
    }
    if (extra.length === 0) return t;
    const versions = [...extra, ...t.versions].sort((a, b) => a.fieldCount - b.fieldCount);
    return { ...t, versions };
  });
  return { definition: { ...target, segments }, added, rejected };
}
