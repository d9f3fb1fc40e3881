/**
 * 100k segments must cost about ten times 10k segments, not a hundred: the flat reader's
 * hierarchy (a PSGNUM that misses used to scan every record for its message) and the validator's
 * issue paths (each path used to count same-type siblings from the start) were quadratic, so one
 * 100k-segment IDoc held the gateway's event loop for ~89 s (validation) and ~800 s (flat read).
 * Checked as a ratio of two sizes measured in the same run, so a loaded machine does not matter:
 * linear work gives ~10x, the old code gave ~100x.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs, readIdocs } from '../../src/idoc/codec.js';
import { validateIdoc } from '../../src/idoc/validate.js';

const definitions = loadDefinitions();
const SOURCE = readFileSync(
  'fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json',
);
const XML = convertIdocs(SOURCE, 'xml', definitions).output;
const FLAT = convertIdocs(SOURCE, 'flat', definitions).output;
const lines = FLAT.split(/\r?\n/).filter((l) => l !== '');
/** The shortest data record, repeated: same SEGNUM and PSGNUM each time (duplicates, misses). */
const RECORD = lines
  .slice(1)
  .map((l) => l.trimEnd())
  .reduce((a, b) => (b.length < a.length ? b : a));

const xmlOf = (n: number): string =>
  XML.replace(
    /<E1EDL20 SEGMENT="1">/,
    `${'<E1EDL24 SEGMENT="1"><POSNR>000010</POSNR></E1EDL24>'.repeat(n)}<E1EDL20 SEGMENT="1">`,
  );
const flatOf = (n: number): string =>
  [lines[0]!, ...Array.from({ length: n }, () => RECORD), ...lines.slice(1)].join('\r\n');

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Median of three runs of `fn` at each size; the ratio big/small. */
function ratio(
  fn: (n: number) => unknown,
  small: number,
  big: number,
): { small: number; big: number; ratio: number } {
  fn(small); // warm-up
  const med = (n: number): number => [0, 0, 0].map(() => time(() => fn(n))).sort((a, b) => a - b)[1]!;
  const s = med(small);
  const b = med(big);
  return { small: s, big: b, ratio: b / s };
}

describe('large IDocs cost linear time', () => {
  it('validating 100k wrongly placed segments (100k issues with paths)', () => {
    const small = readIdocs(xmlOf(10_000), definitions).idocs[0]!;
    const big = readIdocs(xmlOf(100_000), definitions).idocs[0]!;
    const r = ratio((n) => validateIdoc(n === 10_000 ? small : big, definitions), 10_000, 100_000);
    console.log(`validate 10k ${r.small.toFixed(0)} ms, 100k ${r.big.toFixed(0)} ms: ${r.ratio.toFixed(1)}x`);
    expect(validateIdoc(big, definitions).filter((i) => i.code === 'SEGMENT_WRONG_PARENT')).toHaveLength(
      100_000,
    );
    expect(r.ratio).toBeLessThan(30);
  }, 120_000);

  it('reading a flat file of 100k records whose PSGNUM points nowhere', () => {
    const small = flatOf(10_000);
    const big = flatOf(100_000);
    const r = ratio((n) => readIdocs(n === 10_000 ? small : big, definitions), 10_000, 100_000);
    console.log(
      `flat read 10k ${r.small.toFixed(0)} ms, 100k ${r.big.toFixed(0)} ms: ${r.ratio.toFixed(1)}x`,
    );
    expect(readIdocs(big, definitions).idocs[0]!.segments.length).toBeGreaterThan(100_000);
    expect(r.ratio).toBeLessThan(30);
  }, 120_000);
});
