/**
 * Small read helpers over the IDoc model, shared by both ledgers' IDoc readers: child segments,
 * trimmed field values, serial numbers along a layout's paths (./idoc-layouts.ts), header
 * conditions, and the IDoc's creation time.
 */
import type { Idoc, Segment } from '../../idoc/model.js';
import type { HeaderCondition, SerialPath } from './idoc-layouts.js';
import { sapInstant } from './sap-time.js';

export function childrenOf(segment: Segment, type: string): Segment[] {
  return segment.children.filter((c) => c.type === type);
}

export function field(segment: Segment | undefined, name: string): string {
  return (segment?.fields[name] ?? '').trim();
}

/** The first non-blank value of the fields, in order. */
export function firstField(segment: Segment | undefined, names: readonly string[]): string {
  for (const n of names) {
    const v = field(segment, n);
    if (v !== '') return v;
  }
  return '';
}

/** Segments at the end of a chain of child types below `parent`. */
export function descendants(parent: Segment, path: readonly string[]): Segment[] {
  let level: Segment[] = [parent];
  for (const type of path) level = level.flatMap((s) => childrenOf(s, type));
  return level;
}

/** Serial numbers below a segment along the given paths, in document order, without blanks. */
export function serialsBelow(parent: Segment, paths: readonly SerialPath[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    for (const s of descendants(parent, p.path)) {
      const v = field(s, p.field);
      if (v !== '') out.push(v);
    }
  }
  return out;
}

export function holds(header: Segment, condition: HeaderCondition): boolean {
  return childrenOf(header, condition.segment).some((s) =>
    condition.values.includes(field(s, condition.field)),
  );
}

/** When SAP created the IDoc (control record CREDAT/CRETIM, in the SAP system's time zone). */
export function controlTime(idoc: Idoc, timeZone: string): Date | undefined {
  return sapInstant(idoc.control.CREDAT, idoc.control.CRETIM, timeZone);
}
