/**
 * Fixed-width layout of SAP flat IDoc files: the EDI_DC40 control record (524 characters) and the
 * EDI_DD40 data record (63-character header + 1000 characters SDATA). See
 * ../shared/reference/IDOC-FORMAT.md §1–2. Offsets count characters (UTF-16 code units).
 */
import { CONTROL_FIELD_LENGTHS, CONTROL_FIELDS, type ControlFieldName } from './model.js';

export const CONTROL_RECORD_LENGTH = 524;
export const DATA_HEADER_LENGTH = 63;
export const SDATA_LENGTH = 1000;
export const MAX_RECORD_LENGTH = DATA_HEADER_LENGTH + SDATA_LENGTH;
/** Every control record starts with this (`EDI_DC40`, `EDI_DC40_U`). */
export const CONTROL_PREFIX = 'EDI_DC40';

export interface ControlFieldLayout {
  readonly name: ControlFieldName;
  readonly offset: number;
  readonly length: number;
}

/** EDI_DC40 fields with their 0-based offsets, in record order. */
export const CONTROL_LAYOUT: readonly ControlFieldLayout[] = (() => {
  let offset = 0;
  return CONTROL_FIELDS.map((name) => {
    const length = CONTROL_FIELD_LENGTHS[name];
    const field = { name, offset, length };
    offset += length;
    return field;
  });
})();

/** EDI_DD40 header columns: [offset, length]. */
export const DD_SEGNAM = [0, 30] as const;
export const DD_MANDT = [30, 3] as const;
export const DD_DOCNUM = [33, 16] as const;
export const DD_SEGNUM = [49, 6] as const;
export const DD_PSGNUM = [55, 6] as const;
export const DD_HLEVEL = [61, 2] as const;

/** A run of blanks long enough for any record. */
export const BLANKS = ' '.repeat(MAX_RECORD_LENGTH);

const SPACE = 32;

/**
 * End (exclusive) of `line[start, end)` without its trailing blanks; `start` when all blank. (A
 * plain loop: V8 runs it faster than native startsWith/trimEnd calls on sliced strings.)
 */
export function trimmedEnd(line: string, start: number, end: number): number {
  let e = end;
  while (e > start && line.charCodeAt(e - 1) === SPACE) e--;
  return e;
}

/**
 * Index of the first C0 control character other than TAB and CR in `line[start, end)`, or -1.
 * The reader checks every character once this way or as a verified blank, instead of running a
 * separate pass over the (mostly blank) text.
 */
export function controlCharAt(line: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 13) return i;
  }
  return -1;
}

/** `line[start, start+length)` without trailing blanks ('' beyond the end of a short line). */
export function column(line: string, start: number, length: number): string {
  const end = Math.min(start + length, line.length);
  if (start >= end) return '';
  const e = trimmedEnd(line, start, end);
  return e > start ? line.slice(start, e) : '';
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** A 2-character column (HLEVEL): the shared string for two digits, else as `column`. */
export function twoCharColumn(line: string, start: number): string {
  const a = line.charCodeAt(start) - 48;
  const b = line.charCodeAt(start + 1) - 48;
  if (a >= 0 && a <= 9 && b >= 0 && b <= 9) return TWO_DIGITS[a * 10 + b]!;
  return column(line, start, 2);
}

export function isControlLine(line: string): boolean {
  return line.startsWith(CONTROL_PREFIX);
}

/** `value` left-justified in `length` characters (the caller checks that it fits). */
export function padRight(value: string, length: number): string {
  const gap = length - value.length;
  return gap > 0 ? value + BLANKS.slice(0, gap) : value;
}

/** A positive number as a zero-padded string of `width` digits. */
export function zeroPad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '000000'.slice(0, width - s.length) + s;
}

const typeNameCache = new Map<string, string>();
const TYPE_NAME_CACHE_LIMIT = 10_000;
const DEFINITION_NAME = /^((?:\/[^/]+\/)?)([EZY])2(.*?)(\d{3})?$/;

/**
 * Segment type for a SEGNAM that has no definition: `E2EDL24007` -> `E1EDL24`, `E2EDK09` ->
 * `E1EDK09`, `/RB04/YP3_E2X001` style names keep their namespace. Names that do not follow the
 * `E2`/`Z2`/`Y2` convention (type names, `ZE1EDK810000`) are returned unchanged.
 */
export function typeFromSegnam(segnam: string): string {
  const hit = typeNameCache.get(segnam);
  if (hit !== undefined) return hit;
  const m = DEFINITION_NAME.exec(segnam);
  let type = segnam;
  if (m) {
    const [, ns = '', letter = '', stem = ''] = m;
    if (stem.length > 0) type = `${ns}${letter}1${stem}`;
  }
  if (typeNameCache.size < TYPE_NAME_CACHE_LIMIT) typeNameCache.set(segnam, type);
  return type;
}

/** Definition name for a segment type without definition: `E1EDL24` -> `E2EDL24` (un-versioned). */
export function segnamFromType(type: string): string {
  const m = /^((?:\/[^/]+\/)?)([EZY])1(.+)$/.exec(type);
  return m ? `${m[1] ?? ''}${m[2] ?? ''}2${m[3] ?? ''}` : type;
}
