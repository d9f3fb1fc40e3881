/**
 * Checks of the EDI_DC40 control record: required fields and field lengths (IDOC-FORMAT.md §1).
 */
import type { Issue } from '../errors.js';
import { CONTROL_FIELDS, type ControlFieldName, type ControlRecord } from './model.js';
import { charLength, isInitial } from './validate-values.js';

/** EDI_DC40 field lengths (524 characters in all), in CONTROL_FIELDS order. */
export const CONTROL_FIELD_LENGTHS: Readonly<Record<ControlFieldName, number>> = {
  TABNAM: 10,
  MANDT: 3,
  DOCNUM: 16,
  DOCREL: 4,
  STATUS: 2,
  DIRECT: 1,
  OUTMOD: 1,
  EXPRSS: 1,
  TEST: 1,
  IDOCTYP: 30,
  CIMTYP: 30,
  MESTYP: 30,
  MESCOD: 3,
  MESFCT: 3,
  STD: 1,
  STDVRS: 6,
  STDMES: 6,
  SNDPOR: 10,
  SNDPRT: 2,
  SNDPFC: 2,
  SNDPRN: 10,
  SNDSAD: 21,
  SNDLAD: 70,
  RCVPOR: 10,
  RCVPRT: 2,
  RCVPFC: 2,
  RCVPRN: 10,
  RCVSAD: 21,
  RCVLAD: 70,
  CREDAT: 8,
  CRETIM: 6,
  REFINT: 14,
  REFGRP: 14,
  REFMES: 14,
  ARCKEY: 70,
  SERIAL: 20,
};

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
    if (v.length > max && charLength(v.trimEnd()) > max) {
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
  return issues;
}
