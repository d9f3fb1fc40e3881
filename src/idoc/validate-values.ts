/**
 * Value checks by ABAP data type, written as character loops (no regex per value): validation of
 * 10k IDocs runs these millions of times. Each returns undefined when the value is fine, or a short
 * reason. Empty and all-blank values are "initial" and never reach these checks.
 */
import type { SapDataType } from '../definitions/types.js';

const ZERO = 48;
const NINE = 57;
const BLANK = 32;
const DOT = 46;
const MINUS = 45;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function twoDigits(v: string, at: number): number {
  return (v.charCodeAt(at) - ZERO) * 10 + (v.charCodeAt(at + 1) - ZERO);
}

function allDigits(v: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** DATS: `YYYYMMDD`, a real calendar date; `00000000` is the initial value. */
export function checkDats(v: string): string | undefined {
  if (v.length !== 8 || !allDigits(v, 0, 8)) return 'expected 8 digits YYYYMMDD';
  if (v === '00000000') return undefined;
  const year = twoDigits(v, 0) * 100 + twoDigits(v, 2);
  const month = twoDigits(v, 4);
  const day = twoDigits(v, 6);
  if (year === 0) return 'year 0000';
  if (month < 1 || month > 12) return `month ${v.slice(4, 6)}`;
  if (day < 1 || day > daysInMonth(year, month)) return `day ${v.slice(6, 8)} of ${v.slice(0, 6)}`;
  return undefined;
}

/** TIMS: `HHMMSS` with HH 00-23, MM and SS 00-59. */
export function checkTims(v: string): string | undefined {
  if (v.length !== 6 || !allDigits(v, 0, 6)) return 'expected 6 digits HHMMSS';
  if (twoDigits(v, 0) > 23) return `hour ${v.slice(0, 2)}`;
  if (twoDigits(v, 2) > 59) return `minute ${v.slice(2, 4)}`;
  if (twoDigits(v, 4) > 59) return `second ${v.slice(4, 6)}`;
  return undefined;
}

/** NUMC: digits only; leading blanks are tolerated (right-aligned), nothing after the digits. */
export function checkNumc(v: string): string | undefined {
  let i = 0;
  while (i < v.length && v.charCodeAt(i) === BLANK) i++;
  if (i === v.length) return undefined;
  for (; i < v.length; i++) if (!isDigit(v.charCodeAt(i))) return 'expected digits only';
  return undefined;
}

/**
 * SAP external number format (QUAN, DEC, CURR; INT without decimals): optional leading blanks,
 * digits, optional `.` and decimals, optional trailing `-`. No thousands separators, no `+`,
 * no leading minus, no exponent.
 */
export function checkSapNumber(v: string, decimals: boolean): string | undefined {
  let i = 0;
  const n = v.length;
  while (i < n && v.charCodeAt(i) === BLANK) i++;
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
    } else if (c === DOT && decimals && !dot) {
      dot = true;
    } else if (c === MINUS && i === n - 1 && digits > 0) {
      return undefined;
    } else {
      return decimals
        ? 'expected an SAP number: digits, optional "." and decimals, optional trailing "-"'
        : 'expected an SAP integer: digits, optional trailing "-"';
    }
  }
  return digits > 0 ? undefined : 'no digits';
}

export type ValueCheckCode = 'BAD_DATS' | 'BAD_TIMS' | 'BAD_NUMC' | 'BAD_QUAN' | 'BAD_DEC';

export interface ValueCheck {
  readonly code: ValueCheckCode;
  readonly check: (v: string) => string | undefined;
}

const DATS: ValueCheck = { code: 'BAD_DATS', check: checkDats };
const TIMS: ValueCheck = { code: 'BAD_TIMS', check: checkTims };
const NUMC: ValueCheck = { code: 'BAD_NUMC', check: checkNumc };
const QUAN: ValueCheck = { code: 'BAD_QUAN', check: (v) => checkSapNumber(v, true) };
const DEC: ValueCheck = { code: 'BAD_DEC', check: (v) => checkSapNumber(v, true) };
const INT: ValueCheck = { code: 'BAD_DEC', check: (v) => checkSapNumber(v, false) };

/** The value check for a data type, or undefined when only the length is checked (CHAR, UNIT...). */
export function valueCheckFor(t: SapDataType): ValueCheck | undefined {
  switch (t) {
    case 'DATS':
      return DATS;
    case 'TIMS':
      return TIMS;
    case 'NUMC':
      return NUMC;
    case 'QUAN':
      return QUAN;
    case 'DEC':
    case 'CURR':
      return DEC;
    case 'INT1':
    case 'INT2':
    case 'INT4':
      return INT;
    default:
      return undefined;
  }
}

/** True for '' and all-blank values (SAP's initial value for character data). */
export function isInitial(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) !== BLANK) return false;
  return true;
}
