/**
 * Turns the lines of one flat IDoc (control record + data records) into the canonical model. The
 * one implementation behind parseFlat and readFlatStream.
 */
import type { CompiledDefinition, DefinitionRegistry, ResolvedSegment } from '../definitions/registry.js';
import type { Issue } from '../errors.js';
import { buildHierarchy, type ParentType } from './flat-hierarchy.js';
import {
  CONTROL_LAYOUT,
  CONTROL_RECORD_LENGTH,
  DATA_HEADER_LENGTH,
  MAX_RECORD_LENGTH,
  column,
  padRight,
  controlCharAt,
  trimmedEnd,
  twoCharColumn,
  typeFromSegnam,
} from './flat-layout.js';
import type { ControlRecord, FieldValues, FlatLayoutHints, FlatRecordHints, Idoc, Segment } from './model.js';

/** The lines of one IDoc as collected by the assembler. */
const HEADER = DATA_HEADER_LENGTH;
const SPACE = 32;

export interface IdocLines {
  /** Position of this IDoc in the input (0-based). */
  readonly index: number;
  /** lines[0] is the control record. */
  readonly lines: readonly string[];
  /** 1-based line number of each line in the input. */
  readonly lineNos: readonly number[];
  /** Line end after the control record ('' when the input ended there). */
  readonly lineEnding: '\n' | '\r\n' | '';
  /** False when this is the last IDoc and the input did not end with a line end. */
  readonly finalNewline: boolean;
  /**
   * True when every line comes from text that isPlainText accepted (Latin-1, no control
   * characters but line ends, no NO-BREAK SPACE): then trimEnd trims blanks only and the
   * per-character junk and surrogate checks are skipped. Default false (every character checked).
   */
  readonly plain?: boolean;
}

export interface FlatIdocResult {
  /** Absent when the IDoc had fatal problems. */
  readonly idoc?: Idoc;
  /** Non-fatal problems (hierarchy, unknown segments...). */
  readonly issues: Issue[];
  /** Problems that make the input unreadable (record too long or truncated...). */
  readonly fatal: Issue[];
}

export function issueAt(
  idocIndex: number,
  lineNo: number,
  code: string,
  severity: 'error' | 'warning',
  message: string,
  details: Record<string, string | number | boolean | null> = {},
  record?: number,
): Issue {
  return {
    code,
    severity,
    message: `line ${lineNo}: ${message}`,
    path: record === undefined ? `idoc[${idocIndex}]` : `idoc[${idocIndex}]/record[${record}]`,
    details: { idoc: idocIndex, line: lineNo, ...details },
  };
}

export function parseControlRecord(line: string): ControlRecord {
  const control: ControlRecord = {};
  for (const f of CONTROL_LAYOUT) {
    const v = column(line, f.offset, f.length);
    if (v !== '') control[f.name] = v;
  }
  return control;
}

/** Shared strings for 6-digit numbers (SEGNUM/PSGNUM `000001`...), made on first use. */
const SIX_DIGITS: string[] = [];
const SIX_DIGITS_LIMIT = 100_000;

/** A 6-character column (SEGNUM, PSGNUM): the shared string for six digits below 100000, else as `column`. */
function sixDigitColumn(line: string, start: number): string {
  let n = 0;
  for (let i = start; i < start + 6; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return column(line, start, 6);
    n = n * 10 + d;
  }
  if (n >= SIX_DIGITS_LIMIT) return column(line, start, 6);
  return (SIX_DIGITS[n] ??= line.slice(start, start + 6));
}

function binaryAt(index: number, lineNo: number, line: string, at: number): Issue {
  const code = line.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  const column = at + 1;
  return issueAt(index, lineNo, 'BINARY_INPUT', 'error', `column ${column}: control character U+${code}`, {
    column,
    char: `U+${code}`,
  });
}

/**
 * Builds one IDoc from its lines. Never throws: problems come back as issues.
 *
 * The text is not searched for binary junk beforehand: every character is looked at once here,
 * either as a blank skipped at the end of a record or field, or by controlCharAt over the header
 * and the values. Exception: lines the assembler screened as plain (`input.plain`, see
 * isPlainText) hold no junk and no characters outside Latin-1, so the checks are skipped and the
 * native `trimEnd` finds the end of a record's data.
 *
 * Offsets and lengths count characters as ABAP does: UTF-16 code units, so a character outside the
 * BMP takes two positions (src/idoc/flat-chars.ts).
 */
export function buildIdoc(input: IdocLines, registry: DefinitionRegistry): FlatIdocResult {
  const { lines, lineNos, index } = input;
  const plain = input.plain === true;
  const issues: Issue[] = [];
  const fatal: Issue[] = [];
  const rawControl = lines[0]!;
  const controlLine = rawControl;
  const controlLineNo = lineNos[0]!;
  const controlEnd = plain ? controlLine.trimEnd().length : trimmedEnd(controlLine, 0, controlLine.length);
  const bad = plain ? -1 : controlCharAt(controlLine, 0, controlEnd);
  if (bad >= 0) return { issues, fatal: [binaryAt(index, controlLineNo, controlLine, bad)] };
  if (controlLine.length > MAX_RECORD_LENGTH) {
    fatal.push(recordTooLong(index, controlLineNo, controlLine.length));
  } else if (controlEnd > CONTROL_RECORD_LENGTH) {
    fatal.push(
      issueAt(index, controlLineNo, 'RECORD_TOO_LONG', 'error', 'data after the 524 characters of EDI_DC40', {
        length: controlLine.length,
      }),
    );
  }
  const control = parseControlRecord(rawControl);
  for (const name of ['IDOCTYP', 'MESTYP'] as const) {
    if (control[name] === undefined) {
      issues.push(
        issueAt(index, controlLineNo, 'CONTROL_FIELD_BLANK', 'error', `EDI_DC40-${name} is blank`, {
          field: name,
        }),
      );
    }
  }
  const idoctyp = control.IDOCTYP ?? '';
  const def: CompiledDefinition | undefined =
    idoctyp === '' ? undefined : registry.get(idoctyp, control.CIMTYP ?? '');
  if (def === undefined && idoctyp !== '') {
    issues.push(
      issueAt(
        index,
        controlLineNo,
        'NO_DEFINITION',
        'warning',
        `no definition loaded for ${idoctyp}${control.CIMTYP ? `/${control.CIMTYP}` : ''}: segments kept unsplit (raw SDATA)`,
        { idoctyp, cimtyp: control.CIMTYP ?? null },
      ),
    );
  }

  const segments: Segment[] = [];
  const parentTypes: ParentType[] = [];
  let unknown: Set<string> | undefined;
  // SEGNAM repeats from record to record: reuse the string and its resolution. MANDT and DOCNUM
  // repeat too (start with the control record's strings), SEGNUM and PSGNUM come from a shared
  // table of 6-digit numbers: equal header values are one string, not one per record.
  let segnam = '';
  /** The 30-character SEGNAM column as read, blanks included (lines without surrogate pairs). */
  let segnamColumn: string | undefined;
  let resolved: ResolvedSegment | undefined;
  /** Fields to split and where the definition's SDATA ends, for `resolved`. */
  let fieldCount = 0;
  let layoutEnd = HEADER;
  let mandt = control.MANDT ?? '';
  let docnum = control.DOCNUM ?? '';
  /** MANDT and DOCNUM columns (19 characters) as read, for lines without surrogate pairs. */
  let headerColumns = padRight(mandt, 3) + padRight(docnum, 16);
  // The tree is built while reading, from SEGNUM/PSGNUM as SAP writes them (increasing numbers,
  // PSGNUM naming an open ancestor). At the first record that does not follow that, `regular`
  // turns false and buildHierarchy places every segment afterwards, with its issues.
  const top: Segment[] = [];
  let regular = true;
  let lastSegnum = '';
  /** The open path from a top-level segment to the previous record. */
  const path: Segment[] = [];
  for (let r = 1; r < lines.length; r++) {
    const line = lines[r]!;
    const lineNo = lineNos[r]!;
    const length = line.length;
    const end = plain ? line.trimEnd().length : trimmedEnd(line, 0, length); // [end, length) blank
    if (length > MAX_RECORD_LENGTH || length < HEADER) {
      const junk = plain ? -1 : controlCharAt(line, 0, end);
      if (junk >= 0) return { issues, fatal: [...fatal, binaryAt(index, lineNo, line, junk)] };
      fatal.push(
        length > MAX_RECORD_LENGTH
          ? recordTooLong(index, lineNo, length, r - 1)
          : issueAt(
              index,
              lineNo,
              'RECORD_TRUNCATED',
              'error',
              `data record of ${length} characters is shorter than its ${HEADER}-character header`,
              { length },
              r - 1,
            ),
      );
      continue;
    }
    if (fatal.length > 0) continue; // keep scanning for further fatal problems only
    let junk = plain ? -1 : controlCharAt(line, 0, HEADER);
    if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
    if (segnamColumn === undefined || !line.startsWith(segnamColumn)) {
      const segEnd = trimmedEnd(line, 0, 30);
      segnam = line.slice(0, segEnd);
      segnamColumn = line.slice(0, 30);
      resolved = def?.resolve(segnam);
      if (resolved) {
        const { segment: seg, version } = resolved;
        fieldCount = version ? Math.min(version.fieldCount, seg.fields.length) : seg.fields.length;
        layoutEnd = HEADER + (version ? seg.lengthOf(version) : seg.sdataLength);
      }
    }
    if (!line.startsWith(headerColumns, 30)) {
      mandt = column(line, 30, 3);
      docnum = column(line, 33, 16);
      headerColumns = line.slice(30, 49);
    }
    const hints: FlatRecordHints = {
      recordLength: length,
      segnam,
      mandt,
      docnum,
      segnum: sixDigitColumn(line, 49),
      psgnum: sixDigitColumn(line, 55),
      hlevel: twoCharColumn(line, 61),
    };
    let segment: Segment;
    if (resolved) {
      const seg = resolved.segment;
      const defs = seg.fields;
      const fields: FieldValues = {};
      for (let i = 0; i < fieldCount; i++) {
        const f = defs[i]!;
        const s = HEADER + f.offset;
        if (s >= end) break;
        let e = s + f.length;
        if (e > end) e = end;
        if (line.charCodeAt(e - 1) === SPACE) e = trimmedEnd(line, s, e);
        if (e > s) {
          if (!plain) {
            junk = controlCharAt(line, s, e);
            if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
          }
          fields[f.name] = line.slice(s, e);
        }
      }
      segment = { type: seg.type, fields, children: [], flat: hints };
      if (end > layoutEnd) {
        junk = plain ? -1 : controlCharAt(line, layoutEnd, end);
        if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
        segment.sdata = line.slice(HEADER, end);
        issues.push(
          issueAt(
            index,
            lineNo,
            'SDATA_BEYOND_DEFINITION',
            'warning',
            `${segnam} has data after the ${layoutEnd - HEADER} characters of its definition (kept in sdata)`,
            { segnam },
            r - 1,
          ),
        );
      }
      parentTypes.push(seg.parent);
    } else {
      const type = typeFromSegnam(segnam);
      junk = plain ? -1 : controlCharAt(line, HEADER, end);
      if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
      segment = { type, fields: {}, children: [], flat: hints };
      segment.sdata = end <= HEADER ? '' : line.slice(HEADER, end);
      if (def !== undefined && !unknown?.has(segnam)) {
        (unknown ??= new Set()).add(segnam);
        issues.push(
          issueAt(
            index,
            lineNo,
            'SEGMENT_UNKNOWN',
            'warning',
            `segment ${segnam} is not in the definition of ${def.key}: kept unsplit (raw SDATA)`,
            { segnam },
            r - 1,
          ),
        );
      }
      parentTypes.push(undefined);
    }
    segments.push(segment);
    if (regular) regular = attachRegular(segment, hints, lastSegnum, path, top);
    lastSegnum = hints.segnum;
  }
  if (fatal.length > 0) return { issues, fatal };
  if (!regular) placeByHierarchy(segments, parentTypes, top, lineNos, controlLineNo, index, issues);

  const flat: FlatLayoutHints = {
    lineEnding: input.lineEnding === '\r\n' ? '\r\n' : '\n',
    controlLength: controlLine.length,
    tabnam: control.TABNAM ?? '',
    controlMandt: control.MANDT ?? '',
    controlDocnum: control.DOCNUM ?? '',
    segmentCount: segments.length,
    ...(input.finalNewline ? {} : { finalNewline: false }),
  };
  return { idoc: { control, segments: top, flat }, issues, fatal };
}

/**
 * Puts `segment` into the tree when its SEGNUM follows `lastSegnum` (same width, greater) and its
 * PSGNUM is `000000` or the SEGNUM of an open ancestor; false (nothing changed) otherwise.
 */
export function attachRegular(
  segment: Segment,
  hints: FlatRecordHints,
  lastSegnum: string,
  path: Segment[],
  top: Segment[],
): boolean {
  const { segnum, psgnum } = hints;
  if (segnum === '' || psgnum === '' || psgnum === segnum) return false;
  if (lastSegnum !== '' && (segnum.length !== lastSegnum.length || segnum <= lastSegnum)) return false;
  if (psgnum === TOP_PSGNUM) {
    top.push(segment);
    path.length = 0;
    path.push(segment);
    return true;
  }
  for (let k = path.length - 1; k >= 0; k--) {
    const parent = path[k]!;
    if (parent.flat!.segnum === psgnum) {
      parent.children.push(segment);
      path.length = k + 1;
      path.push(segment);
      return true;
    }
  }
  return false;
}

const TOP_PSGNUM = '000000';

/** The tree and its issues from buildHierarchy, for IDocs whose numbering attach could not follow. */
function placeByHierarchy(
  segments: readonly Segment[],
  parentTypes: readonly ParentType[],
  top: Segment[],
  lineNos: readonly number[],
  controlLineNo: number,
  index: number,
  issues: Issue[],
): void {
  const { parents, issues: hierarchyIssues } = buildHierarchy(segments, parentTypes);
  for (const h of hierarchyIssues) {
    // every record became a segment (a skipped record is fatal), so segment i is line i + 1
    const lineNo = h.index < 0 ? controlLineNo : lineNos[h.index + 1]!;
    const rec = h.index < 0 ? undefined : segments[h.index]!.flat;
    issues.push(
      issueAt(
        index,
        lineNo,
        h.code,
        h.severity,
        h.message,
        rec ? { segnum: rec.segnum, psgnum: rec.psgnum } : {},
        h.index < 0 ? undefined : h.index,
      ),
    );
  }
  top.length = 0;
  for (const s of segments) s.children.length = 0;
  for (let i = 0; i < segments.length; i++) {
    const p = parents[i]!;
    if (p < 0) top.push(segments[i]!);
    else segments[p]!.children.push(segments[i]!);
  }
}

function recordTooLong(index: number, lineNo: number, length: number, record?: number): Issue {
  return issueAt(
    index,
    lineNo,
    'RECORD_TOO_LONG',
    'error',
    `record of ${length} characters is longer than ${MAX_RECORD_LENGTH}`,
    { length },
    record,
  );
}
