import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileConversion,
  ConversionFailure,
  formatSapNumber,
  parseSapNumber,
} from '../../src/mapping/conversions.js';
import { rootFrame, type RunState } from '../../src/mapping/runtime.js';
import type { MappingIssue } from '../../src/mapping/types.js';
import { isoToSapDate, isoToSapTime, sapDateTimeToIso, sapDateToIso } from '../../src/mapping/time.js';

const warnings: string[] = [];
const env = {
  targetLength: 10,
  compilePath: () => 'no paths here',
  warn: (_f: unknown, _s: unknown, _r: string, _v: unknown, message: string) => void warnings.push(message),
};
const state: RunState = {
  ctx: { now: new Date('2024-03-02T15:00:00Z'), timeZone: 'Europe/Berlin' },
  issues: [] as MappingIssue[],
  table: () => undefined,
};
function conv(spec: Parameters<typeof compileConversion>[0]): (v: unknown) => unknown {
  const c = compileConversion(spec, env);
  if (typeof c === 'string') throw new Error(c);
  return (v) => c.fn(v, rootFrame(null), state);
}

describe('SAP dates and times', () => {
  it('converts DATS+TIMS to ISO with the offset of the configured zone, across DST', () => {
    expect(sapDateTimeToIso('20240302', '110016', 'Europe/Berlin')).toBe('2024-03-02T11:00:16+01:00');
    expect(sapDateTimeToIso('20240702', '110016', 'Europe/Berlin')).toBe('2024-07-02T11:00:16+02:00');
    expect(sapDateTimeToIso('20240310', '083000', 'America/New_York')).toBe('2024-03-10T08:30:00-04:00');
    expect(sapDateTimeToIso('20240309', '083000', 'America/New_York')).toBe('2024-03-09T08:30:00-05:00');
    expect(sapDateTimeToIso('20240302', '', 'Asia/Kolkata')).toBe('2024-03-02T00:00:00+05:30');
    expect(sapDateTimeToIso('20240231', '000000', 'UTC')).toBeUndefined();
    expect(sapDateTimeToIso('20240230', '250000', 'UTC')).toBeUndefined();
  });

  it('converts ISO timestamps to the date and time in the configured zone', () => {
    expect(isoToSapDate('2024-03-01T23:30:00-05:00', 'Europe/Berlin')).toBe('20240302');
    expect(isoToSapTime('2024-03-01T23:30:00-05:00', 'Europe/Berlin')).toBe('053000');
    expect(isoToSapDate('2024-03-01', 'Europe/Berlin')).toBe('20240301');
    expect(isoToSapDate('2024-02-30', 'UTC')).toBeUndefined();
    expect(isoToSapDate('01/03/2024', 'UTC')).toBeUndefined();
    expect(isoToSapTime('2024-03-01T23:30:00', 'UTC')).toBeUndefined();
  });

  it('reads SAP dates, treating 00000000 as empty', () => {
    expect(sapDateToIso('20240229')).toBe('2024-02-29');
    expect(sapDateToIso('00000000')).toBe('');
    expect(sapDateToIso('20230229')).toBeUndefined();
  });

  it('round-trips any instant (whole seconds) through DATS/TIMS in any of several zones', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2037, 0, 1) / 1000 }),
        fc.constantFrom(...zones),
        (sec, zone) => {
          const iso = new Date(sec * 1000).toISOString();
          const back = sapDateTimeToIso(isoToSapDate(iso, zone)!, isoToSapTime(iso, zone)!, zone);
          // Wall-clock times repeated at a DST fall-back resolve to one of the two instants.
          const diff = Math.abs(Date.parse(back!) - sec * 1000);
          return diff === 0 || diff === 3600_000 || diff === 1800_000;
        },
      ),
    );
  });
});

describe('SAP numbers', () => {
  it('reads the trailing minus sign and blank padding', () => {
    expect(parseSapNumber('12.500-')).toBe(-12.5);
    expect(parseSapNumber('       500.000')).toBe(500);
    expect(parseSapNumber('-3')).toBe(-3);
    expect(parseSapNumber('.5')).toBe(0.5);
    expect(parseSapNumber('1,5')).toBeUndefined();
    expect(parseSapNumber('-3-')).toBeUndefined();
    expect(parseSapNumber('')).toBeUndefined();
  });

  it('writes the sign after the number', () => {
    expect(formatSapNumber(-12.5, 3)).toBe('12.500-');
    expect(formatSapNumber(2, 3)).toBe('2.000');
    expect(formatSapNumber(0.1 + 0.2, 3)).toBe('0.300');
    expect(formatSapNumber(-0, 3)).toBe('0.000');
  });

  it('round-trips quantities with 3 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -9_999_999_999_999, max: 9_999_999_999_999 }), (milli) => {
        const n = milli / 1000;
        return parseSapNumber(formatSapNumber(n, 3)) === n;
      }),
    );
  });
});

describe('named conversions', () => {
  it('ALPHA in and out', () => {
    expect(conv('alpha-in')('4711')).toBe('0000004711');
    expect(conv({ name: 'alpha-in', length: 18 })('4711')).toBe('000000000000004711');
    expect(conv('alpha-in')('ABC-1')).toBe('ABC-1');
    expect(conv('alpha-out')('000000000000004711')).toBe('4711');
    expect(conv('alpha-out')('0000')).toBe('0');
    expect(conv('alpha-out')('00A1')).toBe('00A1');
  });

  it('pads, trims, upper-cases', () => {
    expect(conv({ name: 'pad', length: 4, char: '0' })('12')).toBe('0012');
    expect(conv({ name: 'pad', side: 'right' })('ab')).toBe('ab        ');
    expect(conv('trim')('  x ')).toBe('x');
    expect(conv('upper')('jdoe')).toBe('JDOE');
  });

  it('truncates only explicitly, and reports what it cut', () => {
    warnings.length = 0;
    expect(conv('truncate')('ABCDEFGHIJKL')).toBe('ABCDEFGHIJ');
    expect(warnings).toEqual(['value truncated to 10 characters ("KL" cut off)']);
    expect(conv('truncate')('short')).toBe('short');
    expect(warnings.length).toBe(1);
  });

  it('counts as ABAP does and never cuts between the halves of a surrogate pair', () => {
    warnings.length = 0;
    // 9 characters + an emoji: 11 UTF-16 units (ABAP: 11 characters) for a 10-character field
    expect(conv('truncate')('ABCDEFGHI\u{1F993}')).toBe('ABCDEFGHI');
    expect(warnings).toEqual(['value truncated to 9 characters ("\u{1F993}" cut off)']);
    expect(conv('truncate')('ABCDEFGH\u{1F993}')).toBe('ABCDEFGH\u{1F993}');
  });

  it('reject refuses any non-empty value with its message', () => {
    const r = conv({ name: 'reject', message: 'no WHSCON for this' });
    expect(r('received')).toEqual(new ConversionFailure('no WHSCON for this'));
    expect(r('')).toBe('');
    expect(compileConversion({ name: 'reject' }, env)).toMatch(/"message"/);
  });

  it('signed-quantity signs an unsigned SAP quantity and refuses a signed one', () => {
    const withQty = (q: string) => {
      const c = compileConversion(
        { name: 'signed-quantity', quantity: 'ENTRY_QNT' },
        { ...env, compilePath: () => () => q },
      );
      if (typeof c === 'string') throw new Error(c);
      return (sign: string) => c.fn(sign, rootFrame(null), state);
    };
    expect(withQty('3.000')('-')).toBe(-3);
    expect(withQty('3.000')('+')).toBe(3);
    expect(withQty('3.000')('')).toBe('');
    expect(withQty('3.000')('?')).toBe('');
    expect(withQty('1,5')('?')).toBeInstanceOf(ConversionFailure);
    expect(withQty('3.000-')('+')).toBeInstanceOf(ConversionFailure);
    expect(withQty('3.000')('x')).toBeInstanceOf(ConversionFailure);
  });

  it('serial-number writes numeric serial numbers with leading zeros to 18 (gernr)', () => {
    const withSerial = (sn: string) => {
      const c = compileConversion(
        { name: 'serial-number', serial: '@' },
        { ...env, compilePath: () => () => sn },
      );
      if (typeof c === 'string') throw new Error(c);
      return (format: string) => c.fn(format, rootFrame(null), state);
    };
    expect(withSerial('1001')('gernr')).toBe('000000000000001001');
    expect(withSerial('1001')('')).toBe('000000000000001001');
    expect(withSerial('1001')('none')).toBe('1001');
    expect(withSerial('SN-1001')('gernr')).toBe('SN-1001');
    expect(withSerial('1001')('alpha')).toBeInstanceOf(ConversionFailure);
  });

  it('path-argument conversions need their path', () => {
    expect(compileConversion({ name: 'signed-quantity' }, env)).toMatch(/"quantity"/);
    expect(compileConversion({ name: 'serial-number' }, env)).toMatch(/"serial"/);
  });

  it('fails with a reason instead of guessing', () => {
    expect(conv('to-number')('12a')).toBeInstanceOf(ConversionFailure);
    expect(conv('sap-date-to-iso')('2024-03-01')).toBeInstanceOf(ConversionFailure);
    expect(conv('sap-quantity-to-number')('1,5')).toBeInstanceOf(ConversionFailure);
  });

  it('rejects unknown conversions and bad arguments when compiled', () => {
    expect(compileConversion('rot13', env)).toMatch(/unknown conversion "rot13"/);
    expect(compileConversion({ name: 'pad', char: 'ab' }, env)).toMatch(/"char" must be one character/);
    expect(compileConversion({ name: 'alpha-in' }, { ...env, targetLength: undefined })).toMatch(/"length"/);
    expect(compileConversion({ name: 'sap-datetime-to-iso' }, env)).toMatch(/"time"/);
  });
});
