/**
 * Checks of the EDI_DC40 control record: required fields, field lengths (IDOC-FORMAT.md §1), and
 * the creation date and time (CREDAT DATS, CRETIM TIMS: a real date, a real time).
 */
import type { Issue } from '../errors.js';
import { CONTROL_FIELD_LENGTHS, CONTROL_FIELDS, type ControlFieldName, type ControlRecord } from './model.js';
import { checkDats, checkTims, isInitial } from './validate-values.js';

/** Control-record fields with a value type beyond their length: creation date and time. */
const CONTROL_VALUE_CHECKS: readonly {
  field: ControlFieldName;
  code: 'BAD_DATS' | 'BAD_TIMS';
  check: (v: string) => string | undefined;
}[] = [
  { field: 'CREDAT', code: 'BAD_DATS', check: checkDats },
  { field: 'CRETIM', code: 'BAD_TIMS', check: checkTims },
];

export interface IdocContext {
  readonly index: number;
  readonly docnum: string;
}

function controlIssue(
  ctx: IdocContext,
  code: string,
  field: ControlFieldName,
  severity: 'error' | 'warning',
  message: string,
  extra: Record<string, string | number> = {},
): Issue {
  return {
    code,
    severity,
    message,
    path: `idoc[${ctx.index}]/EDI_DC40.${field}`,
    details: { idoc: ctx.index, docnum: ctx.docnum, segnum: 0, segment: 'EDI_DC40', field, ...extra },
  };
}

/**
 * Required fields: IDOCTYP and MESTYP always (without them the IDoc cannot be routed or
 * checked); DOCNUM only when DIRECT is `1` (outbound from SAP: SAP has numbered it). IDocs sent
 * to SAP (DIRECT `2`) may leave DOCNUM blank: the receiving system assigns its own number.
 * Over-long values are warnings (SAP CPI writes DOCREL `755_IBG`); a flat writer must reject them.
 */
export function validateControl(control: ControlRecord, ctx: IdocContext): Issue[] {
  const issues: Issue[] = [];
  const required: ControlFieldName[] = ['IDOCTYP', 'MESTYP'];
  if ((control.DIRECT ?? '').trim() === '1') required.push('DOCNUM');
  for (const field of required) {
    const v = control[field];
    if (v === undefined || isInitial(v)) {
      issues.push(
        controlIssue(
          ctx,
          'CONTROL_FIELD_MISSING',
          field,
          'error',
          `control record field ${field} is ${v === undefined ? 'missing' : 'empty'}${
            field === 'DOCNUM' ? ' (required when DIRECT is 1)' : ''
          }`,
        ),
      );
    }
  }
  for (const field of CONTROL_FIELDS) {
    const v = control[field];
    if (v === undefined) continue;
    const max = CONTROL_FIELD_LENGTHS[field];
    if (v.trimEnd().length > max) {
      issues.push(
        controlIssue(
          ctx,
          'CONTROL_VALUE_TOO_LONG',
          field,
          'warning',
          `control record field ${field} "${v}" is longer than ${max} characters and does not fit a flat EDI_DC40`,
          { value: v, maxLength: max },
        ),
      );
    }
  }
  for (const { field, code, check } of CONTROL_VALUE_CHECKS) {
    const v = control[field];
    if (v === undefined || isInitial(v)) continue;
    const problem = check(v.trim());
    if (problem !== undefined)
      issues.push(
        controlIssue(
          ctx,
          code,
          field,
          'error',
          `control record field ${field} "${v}" is not valid: ${problem}`,
          {
            value: v,
          },
        ),
      );
  }
  return issues;
}
