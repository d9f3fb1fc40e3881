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
  controlCharAt,
  trimmedEnd,
  twoCharColumn,
  typeFromSegnam,
} from './flat-layout.js';
import type { ControlRecord, FlatLayoutHints, FlatRecordHints, Idoc, Segment } from './model.js';

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

/** `line` starts with the first `n` characters of `s`. */
function sameChars(line: string, s: string, n: number, at = 0): boolean {
  for (let i = 0; i < n; i++) if (line.charCodeAt(at + i) !== s.charCodeAt(i)) return false;
  return true;
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
 * and the values.
 */
export function buildIdoc(input: IdocLines, registry: DefinitionRegistry): FlatIdocResult {
  const { lines, lineNos, index } = input;
  const issues: Issue[] = [];
  const fatal: Issue[] = [];
  const controlLine = lines[0]!;
  const controlLineNo = lineNos[0]!;
  const controlEnd = trimmedEnd(controlLine, 0, controlLine.length);
  const bad = controlCharAt(controlLine, 0, controlEnd);
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
  const control = parseControlRecord(controlLine);
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
  const recordLines: number[] = [];
  let unknown: Set<string> | undefined;
  // SEGNAM repeats from record to record: reuse the string and its resolution.
  let segnam = '';
  let resolved: ResolvedSegment | undefined;
  for (let r = 1; r < lines.length; r++) {
    const line = lines[r]!;
    const lineNo = lineNos[r]!;
    const length = line.length;
    const end = trimmedEnd(line, 0, length); // [end, length) verified blank
    if (length > MAX_RECORD_LENGTH || length < HEADER) {
      const junk = controlCharAt(line, 0, end);
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
    let junk = controlCharAt(line, 0, HEADER);
    const segEnd = trimmedEnd(line, 0, 30);
    if (segEnd !== segnam.length || !sameChars(line, segnam, segEnd)) {
      segnam = line.slice(0, segEnd);
      resolved = def?.resolve(segnam);
    }
    if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
    const hints: FlatRecordHints = {
      recordLength: length,
      segnam,
      mandt: column(line, 30, 3),
      docnum: column(line, 33, 16),
      segnum: column(line, 49, 6),
      psgnum: column(line, 55, 6),
      hlevel: twoCharColumn(line, 61),
    };
    let segment: Segment;
    if (resolved) {
      const seg = resolved.segment;
      const version = resolved.version;
      const fields: Record<string, string> = {};
      const defs = seg.fields;
      const count = version ? Math.min(version.fieldCount, defs.length) : defs.length;
      for (let i = 0; i < count; i++) {
        const f = defs[i]!;
        const s = HEADER + f.offset;
        if (s >= end) break;
        let e = s + f.length;
        if (e > end) e = end;
        if (line.charCodeAt(e - 1) === SPACE) e = trimmedEnd(line, s, e);
        if (e > s) {
          junk = controlCharAt(line, s, e);
          if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
          fields[f.name] = line.slice(s, e);
        }
      }
      segment = { type: seg.type, fields, children: [], flat: hints };
      const layoutEnd = HEADER + (version ? seg.lengthOf(version) : seg.sdataLength);
      if (end > layoutEnd) {
        junk = controlCharAt(line, layoutEnd, end);
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
      junk = controlCharAt(line, HEADER, end);
      if (junk >= 0) return { issues, fatal: [binaryAt(index, lineNo, line, junk)] };
      segment = { type, fields: {}, children: [], flat: hints };
      segment.sdata = end > HEADER ? line.slice(HEADER, end) : '';
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
    recordLines.push(lineNo);
  }
  if (fatal.length > 0) return { issues, fatal };

  const { parents, issues: hierarchyIssues } = buildHierarchy(segments, parentTypes);
  for (const h of hierarchyIssues) {
    const lineNo = h.index < 0 ? controlLineNo : recordLines[h.index]!;
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
  const top: Segment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const p = parents[i]!;
    if (p < 0) top.push(segments[i]!);
    else segments[p]!.children.push(segments[i]!);
  }

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
