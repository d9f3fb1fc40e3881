/**
 * Turns the lines of one flat IDoc (control record + data records) into the canonical model. The
 * one implementation behind parseFlat and readFlatStream.
 */
import type { CompiledDefinition, CompiledSegment, DefinitionRegistry } from '../definitions/registry.js';
import type { SegmentVersion } from '../definitions/types.js';
import type { Issue } from '../errors.js';
import { buildHierarchy, type HierarchyRecord } from './flat-hierarchy.js';
import {
  CONTROL_LAYOUT,
  CONTROL_RECORD_LENGTH,
  DATA_HEADER_LENGTH,
  DD_DOCNUM,
  DD_HLEVEL,
  DD_MANDT,
  DD_PSGNUM,
  DD_SEGNAM,
  DD_SEGNUM,
  MAX_RECORD_LENGTH,
  column,
  trimmedEnd,
  typeFromSegnam,
} from './flat-layout.js';
import type { ControlRecord, FlatLayoutHints, FlatRecordHints, Idoc, Segment } from './model.js';

/** The lines of one IDoc as collected by the assembler. */
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

/** A data record whose segment has a definition: fields split by the version's offsets. */
function splitFields(
  line: string,
  end: number,
  seg: CompiledSegment,
  version: SegmentVersion | undefined,
): Record<string, string> {
  const fields: Record<string, string> = {};
  const defs = seg.fields;
  const count = version ? Math.min(version.fieldCount, defs.length) : defs.length;
  for (let i = 0; i < count; i++) {
    const f = defs[i]!;
    const s = DATA_HEADER_LENGTH + f.offset;
    if (s >= end) break;
    let e = s + f.length;
    if (e > end) e = end;
    while (e > s && line.charCodeAt(e - 1) === 32) e--;
    if (e > s) fields[f.name] = line.slice(s, e);
  }
  return fields;
}

/** Builds one IDoc from its lines. Never throws: problems come back as issues. */
export function buildIdoc(input: IdocLines, registry: DefinitionRegistry): FlatIdocResult {
  const { lines, lineNos, index } = input;
  const issues: Issue[] = [];
  const fatal: Issue[] = [];
  const controlLine = lines[0]!;
  const controlLineNo = lineNos[0]!;
  if (controlLine.length > MAX_RECORD_LENGTH) {
    fatal.push(recordTooLong(index, controlLineNo, controlLine.length));
  } else if (trimmedEnd(controlLine, CONTROL_RECORD_LENGTH, controlLine.length) > CONTROL_RECORD_LENGTH) {
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
  const records: HierarchyRecord[] = [];
  const recordLines: number[] = [];
  let unknown: Set<string> | undefined;
  for (let r = 1; r < lines.length; r++) {
    const line = lines[r]!;
    const lineNo = lineNos[r]!;
    const length = line.length;
    if (length > MAX_RECORD_LENGTH) {
      fatal.push(recordTooLong(index, lineNo, length, r - 1));
      continue;
    }
    if (length < DATA_HEADER_LENGTH) {
      fatal.push(
        issueAt(
          index,
          lineNo,
          'RECORD_TRUNCATED',
          'error',
          `data record of ${length} characters is shorter than its ${DATA_HEADER_LENGTH}-character header`,
          { length },
          r - 1,
        ),
      );
      continue;
    }
    if (fatal.length > 0) continue; // keep scanning for further fatal problems only
    const segnam = column(line, DD_SEGNAM[0], DD_SEGNAM[1]);
    const hints: FlatRecordHints = {
      recordLength: length,
      segnam,
      mandt: column(line, DD_MANDT[0], DD_MANDT[1]),
      docnum: column(line, DD_DOCNUM[0], DD_DOCNUM[1]),
      segnum: column(line, DD_SEGNUM[0], DD_SEGNUM[1]),
      psgnum: column(line, DD_PSGNUM[0], DD_PSGNUM[1]),
      hlevel: column(line, DD_HLEVEL[0], DD_HLEVEL[1]),
    };
    const end = trimmedEnd(line, DATA_HEADER_LENGTH, length);
    const resolved = def?.resolve(segnam);
    let segment: Segment;
    if (resolved) {
      const seg = resolved.segment;
      const fields = splitFields(line, end, seg, resolved.version);
      const layoutEnd =
        DATA_HEADER_LENGTH + (resolved.version ? seg.lengthOf(resolved.version) : seg.sdataLength);
      segment = { type: seg.type, fields, children: [], flat: hints };
      if (end > layoutEnd) {
        segment.sdata = line.slice(DATA_HEADER_LENGTH, end);
        issues.push(
          issueAt(
            index,
            lineNo,
            'SDATA_BEYOND_DEFINITION',
            'warning',
            `${segnam} has data after the ${layoutEnd - DATA_HEADER_LENGTH} characters of its definition (kept in sdata)`,
            { segnam },
            r - 1,
          ),
        );
      }
      records.push({
        segnum: hints.segnum,
        psgnum: hints.psgnum,
        hlevel: hints.hlevel,
        type: seg.type,
        parentType: seg.parent,
      });
    } else {
      const type = typeFromSegnam(segnam);
      segment = { type, fields: {}, children: [], flat: hints };
      segment.sdata = end > DATA_HEADER_LENGTH ? line.slice(DATA_HEADER_LENGTH, end) : '';
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
      records.push({
        segnum: hints.segnum,
        psgnum: hints.psgnum,
        hlevel: hints.hlevel,
        type,
        parentType: undefined,
      });
    }
    segments.push(segment);
    recordLines.push(lineNo);
  }
  if (fatal.length > 0) return { issues, fatal };

  const { parents, issues: hierarchyIssues } = buildHierarchy(records);
  for (const h of hierarchyIssues) {
    const lineNo = h.index < 0 ? controlLineNo : recordLines[h.index]!;
    const rec = h.index < 0 ? undefined : records[h.index];
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
