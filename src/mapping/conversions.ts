/**
 * The closed set of named conversions a rule may apply (`convert:`). Each one is compiled once,
 * with its arguments checked, into a plain function. A conversion that cannot convert a value
 * returns a ConversionFailure (the rule turns it into an issue); `truncate` reports what it cut.
 */
import type { Frame, RunState } from './runtime.js';
import { isoToSapDate, isoToSapTime, sapDateTimeToIso, sapDateToIso } from './time.js';

export class ConversionFailure {
  constructor(readonly message: string) {}
}

export type ConvertFn = (value: unknown, frame: Frame, state: RunState) => unknown;

export interface ConversionEnv {
  /** Length of the IDoc target field, when the target is an IDoc field. */
  readonly targetLength: number | undefined;
  /** Compiles a source path given as a conversion argument. */
  compilePath(path: string): ((frame: Frame, state: RunState) => unknown) | string;
  /** Reports a warning for the current value (used by `truncate`). */
  warn(frame: Frame, state: RunState, rule: string, value: unknown, message: string): void;
}

type Factory = (args: Record<string, unknown>, env: ConversionEnv) => ConvertFn | string;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

function intArg(args: Record<string, unknown>, name: string, fallback: number | undefined): number | string {
  const v = args[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    return `argument "${name}" must be a non-negative integer`;
  return v;
}

const DIGITS = /^\d+$/;
const SAP_NUMBER = /^\s*(-?)(\d*)(?:\.(\d*))?\s*(-?)\s*$/;

/** `12.500-` (SAP trailing minus), `-12.5`, ` 500.000` -> number; undefined when not a number. */
export function parseSapNumber(text: string): number | undefined {
  const m = SAP_NUMBER.exec(text);
  if (!m) return undefined;
  const [, lead = '', int = '', frac = '', trail = ''] = m;
  if ((int === '' && frac === '') || (lead !== '' && trail !== '')) return undefined;
  const n = Number(`${int || '0'}.${frac || '0'}`);
  return lead || trail ? -n : n;
}

/** -12.5 -> `12.500-` with 3 decimals (SAP writes the sign after the number). */
export function formatSapNumber(n: number, decimals: number | undefined): string {
  const abs = Math.abs(n);
  let text = decimals === undefined ? String(abs) : abs.toFixed(decimals);
  if (text.includes('e')) text = abs.toFixed(decimals ?? 6);
  return n < 0 && abs !== 0 ? `${text}-` : text;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/** SAP's length of a serial number (SERNR / SERIALNO, domain GERNR: CHAR 18). */
const SERNR_LENGTH = 18;

const FACTORIES: Record<string, Factory> = {
  trim: () => (v) => str(v).trim(),
  upper: () => (v) => str(v).toUpperCase(),
  'to-string': () => (v) => str(v),
  'to-number': () => (v) => {
    const s = str(v).trim();
    const n = s === '' ? NaN : Number(s);
    return Number.isFinite(n) ? n : new ConversionFailure(`"${s}" is not a number`);
  },
  'alpha-in': (args, env) => {
    const len = intArg(args, 'length', env.targetLength);
    if (typeof len === 'string') return len;
    return (v) => {
      const s = str(v).trim();
      return DIGITS.test(s) && s.length < len ? s.padStart(len, '0') : s;
    };
  },
  'alpha-out': () => (v) => {
    const s = str(v).trim();
    if (!DIGITS.test(s)) return s;
    const t = s.replace(/^0+/, '');
    return t === '' ? '0' : t;
  },
  pad: (args, env) => {
    const len = intArg(args, 'length', env.targetLength);
    if (typeof len === 'string') return len;
    const ch = args['char'] ?? ' ';
    if (typeof ch !== 'string' || ch.length !== 1) return 'argument "char" must be one character';
    const side = args['side'] ?? 'left';
    if (side !== 'left' && side !== 'right') return 'argument "side" must be left or right';
    return side === 'left' ? (v) => str(v).padStart(len, ch) : (v) => str(v).padEnd(len, ch);
  },
  truncate: (args, env) => {
    const len = intArg(args, 'length', env.targetLength);
    if (typeof len === 'string') return len;
    return (v, frame, state) => {
      const s = str(v);
      if (s.length <= len) return s;
      // Lengths are UTF-16 units, as ABAP counts them (a character outside the BMP is two
      // characters); the cut never splits such a pair, so no lone surrogate is left behind.
      const cut = len > 0 && isHighSurrogate(s.charCodeAt(len - 1)) ? len - 1 : len;
      env.warn(
        frame,
        state,
        'convert:truncate',
        s,
        `value truncated to ${cut} characters ("${s.slice(cut)}" cut off)`,
      );
      return s.slice(0, cut);
    };
  },
  'sap-date-to-iso': () => (v) => {
    const s = str(v).trim();
    return sapDateToIso(s) ?? new ConversionFailure(`"${s}" is not an SAP date (YYYYMMDD)`);
  },
  'iso-to-sap-date': () => (v, _f, state) => {
    const s = str(v).trim();
    return (
      isoToSapDate(s, state.ctx.timeZone) ??
      new ConversionFailure(`"${s}" is not an ISO 8601 date or timestamp`)
    );
  },
  'iso-to-sap-time': () => (v, _f, state) => {
    const s = str(v).trim();
    return (
      isoToSapTime(s, state.ctx.timeZone) ??
      new ConversionFailure(`"${s}" is not an ISO 8601 timestamp with offset`)
    );
  },
  'sap-datetime-to-iso': (args, env) => {
    const timePath = args['time'];
    if (typeof timePath !== 'string') return 'argument "time" (source path of the TIMS value) is required';
    const time = env.compilePath(timePath);
    if (typeof time === 'string') return `argument "time": ${time}`;
    return (v, frame, state) => {
      const d = str(v).trim();
      const t = str(time(frame, state)).trim();
      if (d === '' || d === '00000000') return '';
      return (
        sapDateTimeToIso(d, t, state.ctx.timeZone) ??
        new ConversionFailure(`"${d}" "${t}" is not an SAP date and time (YYYYMMDD HHMMSS)`)
      );
    };
  },
  'sap-quantity-to-number': () => (v) => {
    if (typeof v === 'number') return v;
    const s = str(v);
    return parseSapNumber(s) ?? new ConversionFailure(`"${s}" is not an SAP quantity`);
  },
  /**
   * Always fails with the given message (for a value the mapping must refuse, e.g. an event
   * that has no meaning in the target message). Empty values pass, so it can sit behind a
   * lookup that yields '' where nothing is to be refused.
   */
  reject: (args) => {
    const message = args['message'];
    if (typeof message !== 'string' || message === '') return 'argument "message" is required';
    return (v) => (str(v) === '' ? '' : new ConversionFailure(message));
  },
  /**
   * The value is a sign ('+', '-'; '' = no value; '?' = unknown: only check the quantity) and
   * `quantity` the path of an unsigned SAP quantity: gives the signed number. BAPI quantities are never signed (the movement type
   * carries the direction), so a signed quantity is refused.
   */
  'signed-quantity': (args, env) => {
    const qPath = args['quantity'];
    if (typeof qPath !== 'string') return 'argument "quantity" (source path of the quantity) is required';
    const q = env.compilePath(qPath);
    if (typeof q === 'string') return `argument "quantity": ${q}`;
    return (v, frame, state) => {
      const sign = str(v).trim();
      if (sign === '') return '';
      if (sign !== '+' && sign !== '-' && sign !== '?')
        return new ConversionFailure(`sign "${sign}" is not +, - or ? (check the sign column of the table)`);
      const raw = q(frame, state);
      const text = typeof raw === 'number' ? String(raw) : str(raw);
      const n = parseSapNumber(text);
      if (n === undefined) return new ConversionFailure(`"${text}" is not an SAP quantity`);
      if (n < 0 || /-/.test(text))
        return new ConversionFailure(
          `quantity "${text.trim()}" is signed: goods-movement quantities are unsigned, the movement type gives the direction (a reversal is its own movement type, e.g. 102, or GM_CODE 06)`,
        );
      // '?': sign unknown (e.g. a lookup's otherwise for a movement type reported elsewhere):
      // the quantity is still checked, the value stays empty.
      if (sign === '?') return '';
      return sign === '-' ? (n === 0 ? 0 : -n) : n;
    };
  },
  /**
   * The value is a serial-number format ('gernr' = SAP's conversion of numeric serial numbers
   * to 18 characters with leading zeros, 'none' = as scanned; '' = gernr) and `serial` the
   * path of the serial number. See docs/movement-types.md (serial numbers) for the source.
   */
  'serial-number': (args, env) => {
    const sPath = args['serial'];
    if (typeof sPath !== 'string') return 'argument "serial" (source path of the serial number) is required';
    const serial = env.compilePath(sPath);
    if (typeof serial === 'string') return `argument "serial": ${serial}`;
    return (v, frame, state) => {
      const format = str(v).trim() || 'gernr';
      const s = str(serial(frame, state)).trim();
      if (format === 'none') return s;
      if (format !== 'gernr')
        return new ConversionFailure(`serial-number format "${format}" is not gernr or none`);
      return DIGITS.test(s) && s.length < SERNR_LENGTH ? s.padStart(SERNR_LENGTH, '0') : s;
    };
  },
  'number-to-sap-quantity': (args) => {
    const dec = args['decimals'] === undefined ? undefined : intArg(args, 'decimals', undefined);
    if (typeof dec === 'string') return dec;
    return (v) => {
      const n = typeof v === 'number' ? v : parseSapNumber(str(v));
      return n === undefined || !Number.isFinite(n)
        ? new ConversionFailure(`"${str(v)}" is not a quantity`)
        : formatSapNumber(n, dec);
    };
  },
};

export const CONVERSION_NAMES: readonly string[] = Object.keys(FACTORIES);

/** Compiles one conversion spec, or returns an error message (unknown name, bad arguments). */
export function compileConversion(
  spec: string | ({ name: string } & Record<string, unknown>),
  env: ConversionEnv,
): { name: string; fn: ConvertFn } | string {
  const name = typeof spec === 'string' ? spec : spec.name;
  const factory = Object.hasOwn(FACTORIES, name) ? FACTORIES[name] : undefined;
  if (!factory) return `unknown conversion "${name}" (known: ${CONVERSION_NAMES.join(', ')})`;
  const args = typeof spec === 'string' ? {} : spec;
  const fn = factory(args, env);
  return typeof fn === 'string' ? `conversion "${name}": ${fn}` : { name, fn };
}
