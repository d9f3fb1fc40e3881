/**
 * writeFlat: the canonical model as an SAP flat IDoc file (EDI_DC40 + EDI_DD40 records).
 *
 * Values are left-justified and blank-padded into their fields; a value that does not fit, an
 * unknown field or a field the written segment version does not have is an error (all collected,
 * never truncated). An IDoc read from a flat file is written back byte-identically as long as it
 * is unchanged: the layout hints (record lengths, line ends, header values as read) are used
 * while they still describe the same tree.
 */
import type { CompiledDefinition, CompiledSegment, DefinitionRegistry } from '../definitions/registry.js';
import type { SegmentVersion } from '../definitions/types.js';
import { IdocgateError, type ErrorCode, type Issue } from '../errors.js';
import { headersDescribeTree } from './flat-headers.js';
import {
  BLANKS,
  CONTROL_LAYOUT,
  CONTROL_RECORD_LENGTH,
  DATA_HEADER_LENGTH,
  MAX_RECORD_LENGTH,
  SDATA_LENGTH,
  padRight,
  segnamFromType,
  trimmedEnd,
  zeroPad,
} from './flat-layout.js';
import type { Idoc, Segment } from './model.js';

/**
 * Record length: `segment` = header + SDATA length of the written segment version (SAP file port
 * style), `full` = 1063, `trim` = trailing blanks removed, `asRead` = the length as read (records
 * without hints: `segment`). Default: `asRead` for IDocs read from flat files, else `segment`.
 */
export type FlatPadding = 'asRead' | 'segment' | 'full' | 'trim';

export interface FlatWriteOptions {
  readonly padding?: FlatPadding;
  /** Default: the line end as read, else '\n'. */
  readonly lineEnding?: '\n' | '\r\n';
  /** Segment type -> definition version to write (`{ E1EDL24: 'E2EDL24006' }`) for older partner releases. */
  readonly segmentVersions?: Readonly<Record<string, string>>;
  /**
   * SEGNUM/PSGNUM/HLEVEL/MANDT/DOCNUM: `computed` = numbered 000001.. depth-first, PSGNUM = the
   * parent's SEGNUM, HLEVEL from the definition, MANDT/DOCNUM from the control record; `asRead` =
   * the values as read where a segment has them; `auto` (default) = `asRead` when every segment
   * has them and they still describe the same tree, else `computed`.
   */
  readonly headers?: 'auto' | 'asRead' | 'computed';
  /** Line end after the last record. Default: as read, else true. */
  readonly finalNewline?: boolean;
}

const VALUE_CODES = new Set([
  'VALUE_TOO_LONG',
  'FIELD_UNKNOWN',
  'FIELD_NOT_IN_VERSION',
  'VALUE_INVALID_CHAR',
]);
const ERROR_FOR: Readonly<Record<string, ErrorCode>> = {
  NO_DEFINITION_FOR_SEGMENT: 'IDOC_NO_DEFINITION_FOR_SEGMENT',
  SEGMENT_VERSION_UNKNOWN: 'IDOC_NO_DEFINITION_FOR_SEGMENT',
  TOO_MANY_SEGMENTS: 'IDOC_TOO_LARGE',
};

export function writeFlat(
  idocs: readonly Idoc[],
  registry: DefinitionRegistry,
  opts: FlatWriteOptions = {},
): string {
  const issues: Issue[] = [];
  const out: string[] = [];
  let lastEnding = '\n';
  for (let i = 0; i < idocs.length; i++) {
    const idoc = idocs[i]!;
    lastEnding = new IdocWriter(idoc, i, registry, opts, issues, out).write();
  }
  if (issues.length > 0) {
    const code = issues.some((x) => VALUE_CODES.has(x.code))
      ? 'IDOC_VALUE_TOO_LONG'
      : (ERROR_FOR[issues[0]!.code] ?? 'IDOC_VALUE_TOO_LONG');
    const shown = issues.slice(0, 5).map((x) => `${x.path ?? ''}: ${x.message}`);
    const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : '';
    throw new IdocgateError(code, `Cannot write flat IDoc: ${shown.join('; ')}${more}`, { issues });
  }
  const last = idocs[idocs.length - 1];
  const finalNewline = opts.finalNewline ?? last?.flat?.finalNewline ?? true;
  if (!finalNewline && out.length > 0)
    out[out.length - 1] = out[out.length - 1]!.slice(0, -lastEnding.length);
  return out.join('');
}

interface Frame {
  readonly list: readonly Segment[];
  index: number;
}

class IdocWriter {
  private readonly def: CompiledDefinition | undefined;
  private readonly padding: FlatPadding;
  private readonly ending: string;
  private readonly asRead: boolean;
  private readonly mandt: string;
  private readonly docnum: string;
  private readonly keepMandt: boolean;
  private readonly keepDocnum: boolean;
  private count = 0;
  private readonly path: Frame[] = [];
  /** [segnam, mandt, docnum, prefix] quadruples (a few segment types per IDoc). */
  private readonly prefixes: string[] = [];

  constructor(
    private readonly idoc: Idoc,
    private readonly index: number,
    registry: DefinitionRegistry,
    private readonly opts: FlatWriteOptions,
    private readonly issues: Issue[],
    private readonly out: string[],
  ) {
    const c = idoc.control;
    this.def = c.IDOCTYP ? registry.get(c.IDOCTYP, c.CIMTYP ?? '') : undefined;
    this.padding = opts.padding ?? (idoc.flat ? 'asRead' : 'segment');
    this.ending = opts.lineEnding ?? idoc.flat?.lineEnding ?? '\n';
    const headers = opts.headers ?? 'auto';
    this.asRead = headers === 'asRead' || (headers === 'auto' && headersDescribeTree(idoc, this.def));
    this.mandt = c.MANDT ?? '';
    this.docnum = c.DOCNUM ?? '';
    this.keepMandt = this.asRead && idoc.flat?.controlMandt === this.mandt;
    this.keepDocnum = this.asRead && idoc.flat?.controlDocnum === this.docnum;
  }

  /** Writes the IDoc's records into `out`; returns the line end used. */
  write(): string {
    this.writeControl();
    this.writeList(this.idoc.segments, '000000', 0);
    return this.ending;
  }

  private writeControl(): void {
    const c = this.idoc.control;
    let line = '';
    for (const f of CONTROL_LAYOUT) {
      const v = c[f.name] ?? (f.name === 'TABNAM' ? 'EDI_DC40' : '');
      if (v.length > f.length) {
        this.issue(
          'VALUE_TOO_LONG',
          `idoc[${this.index}]/EDI_DC40.${f.name}`,
          `value "${v}" has ${v.length} characters, the field ${f.length}`,
          { field: f.name, value: v, length: f.length },
        );
        continue;
      }
      if (hasControlChar(v)) this.invalidChar(`idoc[${this.index}]/EDI_DC40.${f.name}`, f.name);
      line += padRight(v, f.length);
    }
    const flatLength = this.padding === 'asRead' ? this.idoc.flat?.controlLength : undefined;
    const trimmed = trimmedEnd(line, 0, line.length);
    const target =
      this.padding === 'trim'
        ? trimmed
        : flatLength !== undefined
          ? Math.max(flatLength, trimmed)
          : CONTROL_RECORD_LENGTH;
    this.out.push(fit(line, target) + this.ending);
  }

  private writeList(list: readonly Segment[], parentSegnum: string, depth: number): void {
    const frame: Frame = { list, index: 0 };
    this.path.push(frame);
    for (let i = 0; i < list.length; i++) {
      frame.index = i;
      const seg = list[i]!;
      const segnum = this.writeSegment(seg, parentSegnum, depth);
      if (seg.children.length > 0) this.writeList(seg.children, segnum, depth + 1);
    }
    this.path.pop();
  }

  /** Writes one record; returns the SEGNUM written (the children's PSGNUM). */
  private writeSegment(seg: Segment, parentSegnum: string, depth: number): string {
    const n = ++this.count;
    if (n === 1_000_000) {
      this.issue(
        'TOO_MANY_SEGMENTS',
        `idoc[${this.index}]`,
        'more than 999999 segments do not fit SEGNUM',
        {},
      );
    }
    const hint = seg.flat;
    const compiled = this.def?.segment(seg.type);
    let segnam: string;
    let sdata: string;
    let layoutLength: number;
    if (compiled) {
      const chosen = this.version(seg, compiled);
      segnam = chosen.segnam;
      layoutLength = chosen.version ? compiled.lengthOf(chosen.version) : compiled.sdataLength;
      sdata = this.layout(seg, compiled, chosen.version, layoutLength);
    } else {
      segnam = hint?.segnam ?? segnamFromType(seg.type);
      if (Object.keys(seg.fields).length > 0) {
        this.issue(
          'NO_DEFINITION_FOR_SEGMENT',
          this.segPath(),
          `segment ${seg.type} has fields but no definition in ${this.def?.key ?? `${this.idoc.control.IDOCTYP ?? '(no IDOCTYP)'}`}`,
          { segment: seg.type },
        );
      }
      sdata = seg.sdata ?? '';
      layoutLength = sdata.length;
      if (layoutLength > SDATA_LENGTH) {
        this.issue('VALUE_TOO_LONG', this.segPath(), `SDATA has ${layoutLength} characters, more than 1000`, {
          segment: seg.type,
        });
      } else if (hasControlChar(sdata)) {
        this.invalidChar(this.segPath(), 'SDATA');
      }
    }
    if (segnam.length > 30) {
      this.issue('VALUE_TOO_LONG', this.segPath(), `segment name ${segnam} is longer than 30 characters`, {});
    }

    const asRead = this.asRead && hint !== undefined;
    const segnum = asRead ? hint.segnum : zeroPad(n, 6);
    const psgnum = asRead ? hint.psgnum : parentSegnum;
    const hlevel = asRead
      ? hint.hlevel
      : compiled
        ? zeroPad(compiled.level, 2)
        : (hint?.hlevel ?? zeroPad(depth + 2, 2));
    const mandt = asRead && this.keepMandt ? hint.mandt : this.mandt;
    const docnum = asRead && this.keepDocnum ? hint.docnum : this.docnum;

    const header =
      this.headerPrefix(segnam, mandt, docnum) +
      padRight(segnum, 6) +
      padRight(psgnum, 6) +
      padRight(hlevel, 2);
    // Header values longer than their columns (reported above) lengthen the line.
    const headerExtra = header.length - DATA_HEADER_LENGTH;
    const content = DATA_HEADER_LENGTH + sdata.length;
    let target: number;
    switch (this.padding) {
      case 'full':
        target = MAX_RECORD_LENGTH;
        break;
      case 'trim':
        target = DATA_HEADER_LENGTH + trimmedEnd(sdata, 0, sdata.length);
        break;
      case 'asRead':
        target = hint ? hint.recordLength : DATA_HEADER_LENGTH + layoutLength;
        break;
      default:
        target = DATA_HEADER_LENGTH + layoutLength;
    }
    if (target < content && this.padding !== 'trim') target = content;
    this.out.push(fit(header + sdata, target + headerExtra) + this.ending);
    return segnum;
  }

  /** SEGNAM + MANDT + DOCNUM columns (49 characters), the same for most records: made once. */
  private headerPrefix(segnam: string, mandt: string, docnum: string): string {
    const cache = this.prefixes;
    for (let i = 0; i < cache.length; i += 4) {
      if (cache[i] === segnam && cache[i + 1] === mandt && cache[i + 2] === docnum) return cache[i + 3]!;
    }
    const prefix = padRight(segnam, 30) + padRight(mandt, 3) + padRight(docnum, 16);
    if (cache.length < 64) cache.push(segnam, mandt, docnum, prefix);
    return prefix;
  }

  /** The definition version to write and its SEGNAM. */
  private version(
    seg: Segment,
    compiled: CompiledSegment,
  ): { segnam: string; version: SegmentVersion | undefined } {
    const wanted = this.opts.segmentVersions?.[seg.type];
    if (wanted !== undefined) {
      const v = compiled.versions.find((x) => x.name === wanted);
      if (v) return { segnam: v.name, version: v };
      this.issue(
        'SEGMENT_VERSION_UNKNOWN',
        this.segPath(),
        `segment ${seg.type} has no version ${wanted} (known: ${compiled.versions.map((x) => x.name).join(', ')})`,
        { segment: seg.type, version: wanted },
      );
    }
    const hint = seg.flat;
    if (hint !== undefined && this.def) {
      const r = this.def.resolve(hint.segnam);
      if (r && r.segment.type === compiled.type) return { segnam: hint.segnam, version: r.version };
    }
    const newest = compiled.versions[compiled.versions.length - 1];
    return { segnam: newest?.name ?? segnamFromType(compiled.type), version: newest };
  }

  /** SDATA of a segment with a definition: its fields at their offsets (or raw sdata when it has no fields). */
  private layout(
    seg: Segment,
    compiled: CompiledSegment,
    version: SegmentVersion | undefined,
    layoutLength: number,
  ): string {
    const fields = seg.fields;
    let sdata = '';
    let pos = 0; // characters written so far
    let outOfOrder = false;
    let any = false;
    for (const name in fields) {
      const value = fields[name];
      any = true;
      if (value === undefined || value === '') continue;
      const f = compiled.fieldByName.get(name);
      if (f === undefined) {
        this.issue('FIELD_UNKNOWN', `${this.segPath()}.${name}`, `segment ${seg.type} has no field ${name}`, {
          segment: seg.type,
          field: name,
        });
        continue;
      }
      if (f.offset >= layoutLength) {
        this.issue(
          'FIELD_NOT_IN_VERSION',
          `${this.segPath()}.${name}`,
          `field ${name} is not in ${version?.name ?? seg.type} (written for an older release); it must be empty`,
          { segment: seg.type, field: name, version: version?.name ?? null },
        );
        continue;
      }
      if (value.length > f.length) {
        this.issue(
          'VALUE_TOO_LONG',
          `${this.segPath()}.${name}`,
          `value "${value}" has ${value.length} characters, the field ${f.length}`,
          { segment: seg.type, field: name, value, length: f.length },
        );
        continue;
      }
      if (hasControlChar(value)) {
        this.invalidChar(`${this.segPath()}.${name}`, name);
        continue;
      }
      if (f.offset >= pos) {
        sdata += BLANKS.slice(0, f.offset - pos) + value;
        pos = f.offset + value.length;
      } else {
        outOfOrder = true;
      }
    }
    if (outOfOrder) sdata = this.merge(fields, compiled, layoutLength);
    const raw = seg.sdata;
    if (raw !== undefined) {
      if (!any) return raw;
      if (raw.length > layoutLength) sdata = padRight(sdata, layoutLength) + raw.slice(layoutLength);
    }
    return sdata;
  }

  /** Slow path for fields given out of definition order (already checked). */
  private merge(
    fields: Readonly<Record<string, string>>,
    compiled: CompiledSegment,
    layoutLength: number,
  ): string {
    let sdata = '';
    let pos = 0;
    for (const f of compiled.fields) {
      if (f.offset >= layoutLength) break;
      const value = fields[f.name];
      if (value === undefined || value === '') continue;
      if (hasControlChar(value) || value.length > f.length) continue;
      sdata += BLANKS.slice(0, f.offset - pos) + value;
      pos = f.offset + value.length;
    }
    return sdata;
  }

  private segPath(): string {
    let p = `idoc[${this.index}]`;
    for (const frame of this.path) {
      const seg = frame.list[frame.index]!;
      let k = 0;
      for (let j = 0; j < frame.index; j++) if (frame.list[j]!.type === seg.type) k++;
      p += `/${seg.type}[${k}]`;
    }
    return p;
  }

  private invalidChar(path: string, field: string): void {
    this.issue('VALUE_INVALID_CHAR', path, `${field} contains a line end or control character`, { field });
  }

  private issue(
    code: string,
    path: string,
    message: string,
    details: Record<string, string | number | boolean | null>,
  ): void {
    this.issues.push({ code, severity: 'error', message, path, details: { idoc: this.index, ...details } });
  }
}

/** `line` padded with blanks (or cut, only ever blanks) to `length`. */
function fit(line: string, length: number): string {
  if (line.length === length) return line;
  if (line.length < length) return line + BLANKS.slice(0, length - line.length);
  return line.slice(0, Math.max(length, trimmedEnd(line, 0, line.length)));
}

/**
 * Whether a value holds a line end or control character (which no flat field may carry). Lengths
 * are UTF-16 code units, as in ABAP: a character outside the BMP is two characters there (ABAP
 * Keyword Documentation, "Character Strings": "These characters occupy four bytes and hence are
 * handled as two characters by ABAP").
 */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) < 32) return true;
  return false;
}
