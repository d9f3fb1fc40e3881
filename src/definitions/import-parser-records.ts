/**
 * Field blocks of WE60/WE63 parser files and the check of the record section (EDI_DC40 /
 * EDI_DD40 layouts). Used by ./import-parser-file.ts.
 */
import type { Issue } from '../errors.js';
import { CONTROL_FIELDS } from '../idoc/model.js';
import { CONTROL_FIELD_LENGTHS } from '../idoc/model.js';
import { type LineCursor, parserFileError } from './import-parser-lines.js';

/** One field as written in a parser file (positions are 1-based record positions). */
export interface ParserField {
  readonly line: number;
  readonly name: string;
  readonly text: string;
  readonly type: string;
  readonly length: number;
  readonly fieldPos: number;
  readonly first: number;
  readonly last: number;
}

const FIELD_KEYWORDS = new Set([
  'TEXT',
  'TYPE',
  'LENGTH',
  'FIELD_POS',
  'CHARACTER_FIRST',
  'CHARACTER_LAST',
  'BYTE_FIRST',
  'BYTE_LAST',
]);

/** Reads `BEGIN_FIELDS { NAME ... } END_FIELDS`. The cursor must be on BEGIN_FIELDS. */
export function readFields(cur: LineCursor, warnings: Issue[]): ParserField[] {
  cur.expect('BEGIN_FIELDS');
  const fields: ParserField[] = [];
  for (;;) {
    if (cur.accept('END_FIELDS')) return fields;
    const nameLine = cur.peek();
    if (nameLine?.keyword !== 'NAME') {
      throw cur.fail(
        nameLine?.line ?? 0,
        'NAME or END_FIELDS',
        nameLine ? `"${nameLine.keyword}"` : 'the end of the file',
      );
    }
    cur.next();
    if (nameLine.value === '') throw parserFileError(nameLine.line, 'NAME without a field name');
    const values = new Map<string, { value: string; line: number }>();
    for (;;) {
      const l = cur.peek();
      if (!l || l.keyword === 'NAME' || l.keyword === 'END_FIELDS') break;
      cur.next();
      if (!FIELD_KEYWORDS.has(l.keyword)) {
        warnings.push({
          code: 'PARSER_FILE_KEYWORD_IGNORED',
          severity: 'warning',
          message: `line ${l.line}: keyword ${l.keyword} in field ${nameLine.value} is not known and was ignored`,
          path: `line ${l.line}`,
          details: { line: l.line, keyword: l.keyword },
        });
        continue;
      }
      if (values.has(l.keyword)) {
        throw parserFileError(l.line, `${l.keyword} given twice for field ${nameLine.value}`);
      }
      values.set(l.keyword, { value: l.value, line: l.line });
    }
    const num = (key: string, fallback?: string): number => {
      const v = values.get(key) ?? (fallback ? values.get(fallback) : undefined);
      if (!v) {
        throw parserFileError(nameLine.line, `field ${nameLine.value} has no ${key}`);
      }
      if (!/^\d+$/.test(v.value)) {
        throw parserFileError(v.line, `expected digits after ${key}, found "${v.value}"`);
      }
      return Number(v.value);
    };
    const first = num('CHARACTER_FIRST', 'BYTE_FIRST');
    const last = num('CHARACTER_LAST', 'BYTE_LAST');
    const length = num('LENGTH');
    if (last - first + 1 !== length) {
      throw parserFileError(
        nameLine.line,
        `field ${nameLine.value}: CHARACTER_FIRST ${first}..CHARACTER_LAST ${last} does not span LENGTH ${length}`,
      );
    }
    fields.push({
      line: nameLine.line,
      name: nameLine.value,
      text: values.get('TEXT')?.value ?? '',
      type: values.get('TYPE')?.value ?? 'CHARACTER',
      length,
      fieldPos: values.has('FIELD_POS') ? num('FIELD_POS') : fields.length + 1,
      first,
      last,
    });
  }
}

/** EDI_DD40 header fields + SDATA (IDOC-FORMAT.md §2). */
const DATA_LAYOUT: readonly (readonly [string, number])[] = [
  ['SEGNAM', 30],
  ['MANDT', 3],
  ['DOCNUM', 16],
  ['SEGNUM', 6],
  ['PSGNUM', 6],
  ['HLEVEL', 2],
  ['SDATA', 1000],
];

/** EDI_DC40 fields in flat order with their lengths (IDOC-FORMAT.md §1). */
const CONTROL_LAYOUT: readonly (readonly [string, number])[] = CONTROL_FIELDS.map((name) => [
  name,
  CONTROL_FIELD_LENGTHS[name],
]);

/** Compares a record's fields with the known layout; returns warnings (never throws). */
function compareLayout(
  record: string,
  fields: readonly ParserField[],
  layout: readonly (readonly [string, number])[],
  line: number,
): Issue[] {
  const problems: string[] = [];
  let pos = 1;
  layout.forEach(([name, length], i) => {
    const f = fields[i];
    if (!f) {
      problems.push(`${name} missing`);
    } else if (f.name !== name || f.first !== pos || f.length !== length) {
      problems.push(
        `field ${i + 1} is ${f.name} ${f.first}+${f.length} (line ${f.line}), expected ${name} ${pos}+${length}`,
      );
    }
    pos += length;
  });
  if (fields.length > layout.length) problems.push(`${fields.length - layout.length} extra field(s)`);
  return problems.length === 0
    ? []
    : [
        {
          code: 'PARSER_FILE_RECORD_LAYOUT',
          severity: 'warning',
          message: `the ${record} record section does not describe the known layout: ${problems.slice(0, 5).join('; ')}${
            problems.length > 5 ? ` (+${problems.length - 5} more)` : ''
          }`,
          path: `line ${line}`,
          details: { line, record },
        },
      ];
}

/**
 * Reads the optional BEGIN_RECORD_SECTION and checks that it describes EDI_DC40 (524 characters)
 * and EDI_DD40 (SDATA at 64..1063) as every real parser file does. Differences are warnings:
 * the segment layouts are still usable, but flat files of that system may not be.
 */
export function readRecordSection(cur: LineCursor, warnings: Issue[]): void {
  const start = cur.peek();
  if (!cur.accept('BEGIN_RECORD_SECTION')) {
    warnings.push({
      code: 'PARSER_FILE_NO_RECORD_SECTION',
      severity: 'warning',
      message: 'the parser file has no BEGIN_RECORD_SECTION; EDI_DC40/EDI_DD40 layouts could not be checked',
      path: `line ${start?.line ?? 1}`,
      details: { line: start?.line ?? 1 },
    });
    return;
  }
  const seen = new Set<string>();
  for (;;) {
    if (cur.accept('END_RECORD_SECTION')) break;
    const l = cur.next();
    const m = /^BEGIN_(CONTROL|DATA|STATUS)_RECORD$/.exec(l.keyword);
    if (!m) {
      throw cur.fail(
        l.line,
        'BEGIN_CONTROL_RECORD, BEGIN_DATA_RECORD, BEGIN_STATUS_RECORD or END_RECORD_SECTION',
        `"${l.keyword}"`,
      );
    }
    const kind = m[1] ?? '';
    const fields = readFields(cur, warnings);
    cur.expect(`END_${kind}_RECORD`);
    seen.add(kind);
    if (kind === 'CONTROL')
      warnings.push(...compareLayout('EDI_DC40 control', fields, CONTROL_LAYOUT, l.line));
    if (kind === 'DATA') warnings.push(...compareLayout('EDI_DD40 data', fields, DATA_LAYOUT, l.line));
  }
  for (const kind of ['CONTROL', 'DATA']) {
    if (!seen.has(kind)) {
      warnings.push({
        code: 'PARSER_FILE_RECORD_LAYOUT',
        severity: 'warning',
        message: `the record section has no BEGIN_${kind}_RECORD`,
        path: `line ${start?.line ?? 1}`,
        details: { line: start?.line ?? 1, record: kind },
      });
    }
  }
}
