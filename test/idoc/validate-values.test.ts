import { describe, expect, it } from 'vitest';
import {
  checkDats,
  checkNumc,
  checkSapNumber,
  checkTims,
  isInitial,
} from '../../src/idoc/validate-values.js';

describe('value checks', () => {
  it('DATS: real calendar dates, 00000000 as initial', () => {
    for (const ok of ['20240229', '20000229', '00000000', '19991231', '00010101'])
      expect(checkDats(ok), ok).toBeUndefined();
    for (const bad of [
      '20230229',
      '19000229',
      '20241301',
      '20240100',
      '20240431',
      '00000101',
      '2024-01-01',
      '2024010',
      '{3}',
    ])
      expect(checkDats(bad), bad).toBeDefined();
  });

  it('TIMS: HHMMSS within a day', () => {
    for (const ok of ['000000', '235959', '120000']) expect(checkTims(ok), ok).toBeUndefined();
    for (const bad of ['240000', '236000', '235960', '12:00:00', '1200'])
      expect(checkTims(bad), bad).toBeDefined();
  });

  it('NUMC: digits, right-aligned', () => {
    for (const ok of ['00000', '10', '  10']) expect(checkNumc(ok), ok).toBeUndefined();
    for (const bad of ['10 ', '1a', '-1', '1.0']) expect(checkNumc(bad), bad).toBeDefined();
  });

  it('SAP numbers: leading blanks, digits, optional decimals, trailing minus', () => {
    for (const ok of ['5', '       5.000', '855.571', '10.500-', '0.810', '5.', '.5']) {
      expect(checkSapNumber(ok, true), ok).toBeUndefined();
    }
    for (const bad of ['-5', '1,5', '1.000.000', '5 ', '1e3', '+5', '.', '-', '5--', '5-0']) {
      expect(checkSapNumber(bad, true), bad).toBeDefined();
    }
    expect(checkSapNumber('12-', false)).toBeUndefined();
    expect(checkSapNumber('1.5', false)).toBeDefined();
  });

  it('initial values', () => {
    expect(isInitial('')).toBe(true);
    expect(isInitial('   ')).toBe(true);
    expect(isInitial(' x ')).toBe(false);
  });
});
