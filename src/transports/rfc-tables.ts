/**
 * Framing a flat IDoc file (EDI_DC40 + EDI_DD40 records, as the flat codec writes it) into the
 * two tables of SAP's IDOC_INBOUND_ASYNCHRONOUS: IDOC_CONTROL_REC_40 (structure EDI_DC40) and
 * IDOC_DATA_REC_40 (structure EDI_DD40). Pure: no I/O, no node-rfc. Problems come back as issues.
 */
import { createHash } from 'node:crypto';
import type { Issue } from '../errors.js';
import { CONTROL_FIELD_LENGTHS, CONTROL_FIELDS } from '../idoc/model.js';

/** EDI_DD40 header layout; SDATA follows at offset 63 (1000 characters). */
const DATA_FIELDS = [
  ['SEGNAM', 30],
  ['MANDT', 3],
  ['DOCNUM', 16],
  ['SEGNUM', 6],
  ['PSGNUM', 6],
  ['HLEVEL', 2],
] as const;

export const CONTROL_RECORD_LENGTH = 524;
export const DATA_RECORD_LENGTH = 1063;

export type RfcRow = Record<string, string>;

export interface RfcIdocTables {
  readonly IDOC_CONTROL_REC_40: RfcRow[];
  readonly IDOC_DATA_REC_40: RfcRow[];
}

function cut(
  line: string,
  fields: readonly (readonly [string, number])[],
  start = 0,
): { row: RfcRow; end: number } {
  const row: RfcRow = {};
  let at = start;
  for (const [name, len] of fields) {
    row[name] = line.slice(at, at + len).trimEnd();
    at += len;
  }
  return { row, end: at };
}

const CONTROL_LAYOUT = CONTROL_FIELDS.map((name) => [name, CONTROL_FIELD_LENGTHS[name]] as const);

/**
 * Splits a flat IDoc file into RFC table rows. Values are right-trimmed (the RFC library pads
 * CHAR fields); SDATA keeps its inner blanks, which carry the field positions.
 */
export function buildRfcTables(flat: string): { tables: RfcIdocTables; issues: Issue[] } {
  const control: RfcRow[] = [];
  const data: RfcRow[] = [];
  const issues: Issue[] = [];
  const lines = flat.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0 || lines[0]?.trim() === '') {
    issues.push({ code: 'RFC_EMPTY', message: 'the flat IDoc is empty', path: 'line 1' });
  } else if (lines[0]?.startsWith('<')) {
    issues.push({
      code: 'RFC_NEEDS_FLAT',
      message: 'the rfc transport needs the flat-file encoding (EDI_DC40/EDI_DD40 records), not XML',
      path: 'line 1',
    });
    return { tables: { IDOC_CONTROL_REC_40: control, IDOC_DATA_REC_40: data }, issues };
  }
  lines.forEach((line, i) => {
    const path = `line ${i + 1}`;
    if (line.startsWith('EDI_DC40')) {
      if (line.length > CONTROL_RECORD_LENGTH) {
        issues.push({
          code: 'RFC_RECORD_TOO_LONG',
          message: `control record has ${line.length} characters (max ${CONTROL_RECORD_LENGTH})`,
          path,
        });
      }
      control.push(cut(line, CONTROL_LAYOUT).row);
      return;
    }
    if (control.length === 0) {
      issues.push({
        code: 'RFC_DATA_BEFORE_CONTROL',
        message: 'data record before the first EDI_DC40 record',
        path,
      });
      return;
    }
    if (line.length > DATA_RECORD_LENGTH) {
      issues.push({
        code: 'RFC_RECORD_TOO_LONG',
        message: `data record has ${line.length} characters (max ${DATA_RECORD_LENGTH})`,
        path,
      });
    }
    const { row, end } = cut(line, DATA_FIELDS);
    row['SDATA'] = line.slice(end, end + 1000).trimEnd();
    if (row['SEGNAM'] === '')
      issues.push({ code: 'RFC_SEGNAM_EMPTY', message: 'data record without SEGNAM', path });
    data.push(row);
  });
  if (control.length > 1 && control.some((c) => (c['DOCNUM'] ?? '') === '')) {
    issues.push({
      code: 'RFC_DOCNUM_REQUIRED',
      message:
        'several IDocs in one call need a DOCNUM each, so SAP can link data records to control records',
      path: 'EDI_DC40.DOCNUM',
    });
  }
  return { tables: { IDOC_CONTROL_REC_40: control, IDOC_DATA_REC_40: data }, issues };
}

/**
 * A 24-character transaction id (the length of an SAP TID) derived from the message id, so
 * every retry of the same message uses the same TID.
 */
export function rfcTransactionId(messageId: string): string {
  return createHash('sha256')
    .update(`idocgate-tid:${messageId}`, 'utf8')
    .digest('hex')
    .slice(0, 24)
    .toUpperCase();
}
