/**
 * Importer for SAP WE60/WE63 parser files ("documentation: parser" export of an IDoc type):
 * turns the segment section into an IdocDefinition (grammar and semantics: IDOC-FORMAT.md §6).
 *
 * - Parent: a group head hangs under the head of the enclosing group (top level outside any
 *   group); every other segment hangs under the head of its own group.
 * - Occurrence: a group head takes the group's STATUS/LOOPMIN/LOOPMAX, other segments their own;
 *   OPTIONAL means min 0 (LOOPMIN is written as 1 anyway); LOOPMAX 9999999999 = unbounded.
 * - LEVEL is the HLEVEL SAP writes into flat records; the definition name (`E2EDL24007`) is the
 *   segment's version, SEGMENTTYPE (`E1EDL24`) its type; SDATA offset = CHARACTER_FIRST - 64.
 * - Parser files only say TYPE CHARACTER: the ABAP data type is `CHAR` unless `dataTypes` says more.
 */
import { type Issue, IdocgateError } from '../errors.js';
import { checkDefinition } from './check.js';
import { LineCursor, parserFileError, parserLines } from './import-parser-lines.js';
import { type ParserField, readFields, readRecordSection } from './import-parser-records.js';
import { validateDefinitionSchema } from './schema.js';
import {
  SAP_DATA_TYPES,
  type FieldDefinition,
  type IdocDefinition,
  type SapDataType,
  type SegmentDefinition,
} from './types.js';

/** LOOPMAX values at or above this mean "unbounded". */
export const LOOPMAX_UNBOUNDED = 9_999_999_999;
/** SDATA starts at record position 64 (after the 63 characters of the EDI_DD40 header). */
const SDATA_FIRST = 64;

export interface ParserFileImportOptions {
  /**
   * ABAP data types by `SEGMENTTYPE.FIELD` (`E1EDL24.LFIMG`) or `*.FIELD`; fields not named
   * here are `CHAR` (parser files only say CHARACTER). See `dataTypesOf`.
   */
  readonly dataTypes?: Readonly<Record<string, SapDataType>>;
  /** Message types to record (parser files do not name them). */
  readonly messageTypes?: Readonly<Record<string, string>>;
  readonly description?: string;
  /** Provenance notes for `sources` (e.g. the file name and system). */
  readonly sources?: readonly string[];
}

export interface ParserFileImport {
  readonly definition: IdocDefinition;
  /** Non-fatal findings (record section differs, unknown keywords, odd group heads...). */
  readonly warnings: readonly Issue[];
}

interface Occurrence {
  readonly line: number;
  readonly level: number;
  readonly optional: boolean;
  readonly loopmin: number;
  readonly loopmax: number;
}

interface Context {
  readonly cur: LineCursor;
  readonly warnings: Issue[];
  readonly segments: SegmentDefinition[];
  readonly dataTypes: Readonly<Record<string, SapDataType>>;
}

/** Data-type hints (`TYPE.FIELD` -> type) of every non-CHAR field of an existing definition. */
export function dataTypesOf(def: IdocDefinition): Record<string, SapDataType> {
  const out: Record<string, SapDataType> = {};
  for (const s of def.segments) {
    for (const f of s.fields) if (f.dataType !== 'CHAR') out[`${s.type}.${f.name}`] = f.dataType;
  }
  return out;
}

/** Imports a parser file; throws DEFINITION_PARSER_FILE_INVALID naming the line and what was expected. */
export function importParserFile(text: string, opts: ParserFileImportOptions = {}): IdocDefinition {
  return importParserFileDetailed(text, opts).definition;
}

/** Like importParserFile, and also returns the warnings. */
export function importParserFileDetailed(text: string, opts: ParserFileImportOptions = {}): ParserFileImport {
  const lines = parserLines(text);
  const cur = new LineCursor(lines, text.split('\n').length);
  const ctx: Context = { cur, warnings: [], segments: [], dataTypes: opts.dataTypes ?? {} };
  if (lines.length === 0)
    throw parserFileError(1, 'expected BEGIN_RECORD_SECTION or BEGIN_SEGMENT_SECTION, found an empty file');
  readRecordSection(cur, ctx.warnings);
  cur.expect('BEGIN_SEGMENT_SECTION');
  const basicType = cur.expectValue('BEGIN_IDOC').value;
  const extension = cur.accept('EXTENSION')?.value;
  while (!cur.accept('END_IDOC')) readItem(ctx, null);
  cur.expect('END_SEGMENT_SECTION');
  const trailing = cur.peek();
  if (trailing)
    throw cur.fail(trailing.line, 'the end of the file after END_SEGMENT_SECTION', `"${trailing.keyword}"`);

  const definition: IdocDefinition = {
    basicType,
    ...(extension ? { extension } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    messageTypes: { ...(opts.messageTypes ?? {}) },
    segments: ctx.segments,
    ...(opts.sources ? { sources: [...opts.sources] } : {}),
  };
  const problems = [...validateDefinitionSchema(definition), ...checkDefinition(definition)];
  if (problems.length > 0) {
    throw new IdocgateError(
      'DEFINITION_PARSER_FILE_INVALID',
      `the parser file describes an invalid definition:\n${problems.map((p) => `  ${p.path ?? ''}: ${p.message}`).join('\n')}`,
      { issues: problems },
    );
  }
  return { definition, warnings: ctx.warnings };
}

/**
 * One group or segment inside the group headed by `groupHead` (null at top level): a plain segment
 * hangs under that head, and so does the head of a nested group.
 */
function readItem(ctx: Context, groupHead: string | null): void {
  const l = ctx.cur.peek();
  if (l?.keyword === 'BEGIN_GROUP') {
    readGroup(ctx, groupHead);
  } else if (l?.keyword === 'BEGIN_SEGMENT') {
    const own = readSegmentHeader(ctx);
    addSegment(ctx, own, groupHead, {
      min: own.occ.optional ? 0 : own.occ.loopmin,
      max: own.occ.loopmax,
    });
  } else {
    throw ctx.cur.fail(
      l?.line ?? 0,
      'BEGIN_GROUP, BEGIN_SEGMENT or an END_ keyword',
      l ? `"${l.keyword}"` : 'the end of the file',
    );
  }
}

function readGroup(ctx: Context, enclosingHead: string | null): void {
  const { cur } = ctx;
  const begin = cur.expectValue('BEGIN_GROUP');
  const occ = readOccurrence(ctx, 'group');
  const headLine = cur.peek();
  if (headLine?.keyword !== 'BEGIN_SEGMENT') {
    throw cur.fail(
      headLine?.line ?? 0,
      `BEGIN_SEGMENT (the head of group ${begin.value})`,
      headLine ? `"${headLine.keyword}"` : 'the end of the file',
    );
  }
  const head = readSegmentHeader(ctx);
  if (head.occ.optional || head.occ.loopmax !== 1) {
    ctx.warnings.push({
      code: 'PARSER_FILE_GROUP_HEAD',
      severity: 'warning',
      message: `line ${headLine.line}: group ${begin.value} head ${head.type} is not written MANDATORY 1..1; the group's occurrence is used`,
      path: `line ${headLine.line}`,
      details: { line: headLine.line, segment: head.type },
    });
  }
  if (occ.level !== head.occ.level) {
    ctx.warnings.push({
      code: 'PARSER_FILE_GROUP_LEVEL',
      severity: 'warning',
      message: `line ${begin.line}: group ${begin.value} has LEVEL ${occ.level} but its head ${head.type} LEVEL ${head.occ.level}; the segment's LEVEL is used`,
      path: `line ${begin.line}`,
      details: { line: begin.line, segment: head.type },
    });
  }
  addSegment(ctx, head, enclosingHead, { min: occ.optional ? 0 : occ.loopmin, max: occ.loopmax });
  while (!cur.accept('END_GROUP')) readItem(ctx, head.type);
}

interface SegmentHeader {
  readonly line: number;
  readonly name: string;
  readonly type: string;
  readonly qualified: boolean;
  readonly occ: Occurrence;
  readonly fields: readonly ParserField[];
}

function readSegmentHeader(ctx: Context): SegmentHeader {
  const { cur } = ctx;
  const begin = cur.expectValue('BEGIN_SEGMENT');
  const type = cur.expectValue('SEGMENTTYPE').value;
  const qualified = cur.accept('QUALIFIED') !== undefined;
  const occ = readOccurrence(ctx, `segment ${begin.value}`);
  const fields = cur.peek()?.keyword === 'BEGIN_FIELDS' ? readFields(cur, ctx.warnings) : [];
  cur.expect('END_SEGMENT');
  return { line: begin.line, name: begin.value, type, qualified, occ, fields };
}

function readOccurrence(ctx: Context, what: string): Occurrence {
  const { cur } = ctx;
  const level = cur.expectNumber('LEVEL');
  const status = cur.expectValue('STATUS');
  if (status.value !== 'MANDATORY' && status.value !== 'OPTIONAL') {
    throw cur.fail(status.line, `STATUS MANDATORY or OPTIONAL for ${what}`, `"${status.value}"`);
  }
  const loopmin = cur.expectNumber('LOOPMIN').value;
  const loopmax = cur.expectNumber('LOOPMAX');
  if (loopmax.value < 1) throw parserFileError(loopmax.line, `LOOPMAX of ${what} is 0`);
  return {
    line: level.line,
    level: level.value,
    optional: status.value === 'OPTIONAL',
    loopmin,
    loopmax: loopmax.value,
  };
}

function addSegment(
  ctx: Context,
  h: SegmentHeader,
  parent: string | null,
  occ: { min: number; max: number },
): void {
  const fields: FieldDefinition[] = h.fields.map((f, i) => {
    if (f.fieldPos !== i + 1) {
      throw parserFileError(
        f.line,
        `field ${f.name} of ${h.name}: FIELD_POS ${f.fieldPos}, expected ${i + 1}`,
      );
    }
    const offset = f.first - SDATA_FIRST;
    const prev = h.fields[i - 1];
    const expected = prev ? prev.last + 1 - SDATA_FIRST : 0;
    if (offset !== expected) {
      throw parserFileError(
        f.line,
        `field ${f.name} of ${h.name}: CHARACTER_FIRST ${f.first}, expected ${expected + SDATA_FIRST} (fields must be contiguous from 64)`,
      );
    }
    if (f.type !== 'CHARACTER') {
      ctx.warnings.push({
        code: 'PARSER_FILE_FIELD_TYPE',
        severity: 'warning',
        message: `line ${f.line}: field ${f.name} of ${h.name} has TYPE ${f.type}; imported as character data`,
        path: `line ${f.line}`,
        details: { line: f.line, segment: h.type, field: f.name },
      });
    }
    return {
      name: f.name,
      offset,
      length: f.length,
      dataType: hintedType(ctx.dataTypes, h.type, f.name),
      ...(f.text ? { description: f.text } : {}),
    };
  });
  ctx.segments.push({
    type: h.type,
    parent,
    min: occ.min,
    max: occ.max >= LOOPMAX_UNBOUNDED ? null : occ.max,
    level: h.occ.level,
    ...(h.qualified ? { qualified: true } : {}),
    versions: [{ name: h.name, fieldCount: fields.length }],
    fields,
  });
}

function hintedType(
  hints: Readonly<Record<string, SapDataType>>,
  segment: string,
  field: string,
): SapDataType {
  const t = hints[`${segment}.${field}`] ?? hints[`*.${field}`];
  return t && (SAP_DATA_TYPES as readonly string[]).includes(t) ? t : 'CHAR';
}
