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
      env.warn(
        frame,
        state,
        'convert:truncate',
        s,
        `value truncated to ${len} characters ("${s.slice(len)}" cut off)`,
      );
      return s.slice(0, len);
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
