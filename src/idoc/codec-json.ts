/**
 * The canonical JSON form of IDocs: `{ control, segments: [{ type, fields, children }] }`, the
 * model without codec layout hints (flat record lengths, XML root names). One IDoc is written as
 * an object, several as an array of them; both are read.
 *
 * `sdata` appears only on segments read from a flat file without a definition (their raw SDATA,
 * which cannot be split into fields); it is kept so that no data is lost.
 */
import { z } from 'zod';
import { IdocgateError, type Issue } from '../errors.js';
import { CONTROL_FIELDS, type Idoc, type Segment } from './model.js';
import { decodeText, type TextEncodingOption } from './text.js';

/** Deepest segment nesting accepted from JSON (SAP IDoc types stay below 10 levels). */
export const MAX_JSON_DEPTH = 64;

export interface CanonicalSegment {
  type: string;
  fields: Record<string, string>;
  children: CanonicalSegment[];
  sdata?: string;
}

export interface CanonicalIdoc {
  control: Idoc['control'];
  segments: CanonicalSegment[];
}

const segmentSchema = z.strictObject({
  type: z.string().min(1, 'segment type must not be empty'),
  fields: z.record(z.string(), z.string()),
  get children(): z.ZodArray<typeof segmentSchema> {
    return z.array(segmentSchema);
  },
  sdata: z.string().optional(),
});

const idocSchema = z.strictObject({
  control: z.partialRecord(z.enum(CONTROL_FIELDS), z.string()),
  segments: z.array(segmentSchema),
});

const documentSchema = z.union([idocSchema, z.array(idocSchema)]);

function canonicalSegment(s: Segment): CanonicalSegment {
  const out: CanonicalSegment = {
    type: s.type,
    fields: s.fields,
    children: s.children.map(canonicalSegment),
  };
  if (s.sdata !== undefined) out.sdata = s.sdata;
  return out;
}

/** The IDoc without layout hints (shares field objects with the input; do not mutate). */
export function toCanonical(idoc: Idoc): CanonicalIdoc {
  return { control: idoc.control, segments: idoc.segments.map(canonicalSegment) };
}

/**
 * Canonical JSON text: one IDoc as an object, several as an array. `indent` 0 writes one line.
 * Always ends with a newline when indented.
 */
export function writeJson(idocs: readonly Idoc[], indent = 2): string {
  const value = idocs.length === 1 ? toCanonical(idocs[0]!) : idocs.map(toCanonical);
  const text = JSON.stringify(value, null, indent > 0 ? indent : undefined);
  return indent > 0 ? text + '\n' : text;
}

function pointer(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '/';
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Depth of the deepest segment, without recursion (so a hostile document cannot blow the stack). */
function segmentDepth(value: unknown): number {
  let max = 0;
  const stack: { v: unknown; d: number }[] = [];
  const roots = Array.isArray(value) ? value : [value];
  for (const r of roots) {
    if (r !== null && typeof r === 'object' && Array.isArray((r as { segments?: unknown }).segments)) {
      for (const s of (r as { segments: unknown[] }).segments) stack.push({ v: s, d: 1 });
    }
  }
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    if (d > max) max = d;
    if (d > MAX_JSON_DEPTH) return d;
    if (v !== null && typeof v === 'object') {
      const children = (v as { children?: unknown }).children;
      if (Array.isArray(children)) for (const c of children) stack.push({ v: c, d: d + 1 });
    }
  }
  return max;
}

/**
 * Checks a parsed JSON value against the canonical shape and returns the IDocs. Throws
 * PAYLOAD_INVALID with one issue per problem, each with a JSON pointer
 * (`/segments/0/children/2/fields/MATNR`), and IDOC_TOO_LARGE for absurd nesting.
 */
export function fromJson(value: unknown): Idoc[] {
  const depth = segmentDepth(value);
  if (depth > MAX_JSON_DEPTH) {
    throw new IdocgateError('IDOC_TOO_LARGE', `Segments are nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const r = documentSchema.safeParse(value);
  if (!r.success) {
    const issues: Issue[] = [];
    for (const i of r.error.issues) collect(i, issues);
    const shown = issues.slice(0, 5).map((i) => `${i.path ?? '/'}: ${i.message}`);
    const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : '';
    throw new IdocgateError(
      'PAYLOAD_INVALID',
      `The JSON is not the canonical IDoc model: ${shown.join('; ')}${more}`,
      { issues },
    );
  }
  const docs = Array.isArray(r.data) ? r.data : [r.data];
  return docs.map((d) => ({ control: d.control, segments: d.segments as Segment[] }));
}

/**
 * Zod reports a failed union once, with the issues of each branch inside. A document that is
 * an object is reported against the object branch, an array against the array branch, so the
 * paths point at the real problem.
 */
function collect(issue: z.core.$ZodIssue, out: Issue[]): void {
  if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.path.length === 0) {
    const best = issue.errors.reduce((a, b) => (score(b) < score(a) ? b : a));
    for (const i of best) collect(i, out);
    return;
  }
  if (issue.code === 'unrecognized_keys') {
    const known = issue.path[issue.path.length - 1] === 'control' ? ' (not an EDI_DC40 field)' : '';
    for (const key of issue.keys) {
      out.push({
        code: 'JSON_SHAPE',
        severity: 'error',
        message: `unknown key "${key}"${known}`,
        path: pointer([...issue.path, key]),
        details: { zodCode: issue.code },
      });
    }
    return;
  }
  const path = pointer(issue.path);
  out.push({
    code: 'JSON_SHAPE',
    severity: 'error',
    message: issue.message,
    path,
    details: { zodCode: issue.code },
  });
}

/** Branches that fail at the root (wrong kind of value) are the worse explanation. */
function score(issues: readonly z.core.$ZodIssue[]): number {
  return issues.some((i) => i.path.length === 0 && i.code === 'invalid_type') ? 1e9 : issues.length;
}

/** Parses canonical JSON text or bytes (UTF-8 unless told otherwise) into IDocs. */
export function parseJson(input: string | Uint8Array, encoding: TextEncodingOption = 'auto'): Idoc[] {
  const text = decodeText(input, encoding);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new IdocgateError('PAYLOAD_INVALID', `The input is not valid JSON (${(e as Error).message})`, {
      issues: [{ code: 'JSON_SYNTAX', severity: 'error', message: (e as Error).message, path: '/' }],
    });
  }
  return fromJson(value);
}
