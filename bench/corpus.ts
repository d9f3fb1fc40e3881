/**
 * The benchmark corpus and measurement helpers for bench/codec.bench.ts. The IDocs come from the
 * sample builders in fixtures/flat/samples.ts (the ones bench/flat.bench.ts uses): DELVRY07
 * deliveries with 20 items x 5 serial numbers (E1EDL11) and MBGMCR03 goods receipts with 10 items
 * x 5 serial numbers. The corpus is produced in chunks so that 10k + 10k IDocs with all their
 * texts never have to be in memory at once.
 */
import type { Idoc } from '../src/idoc/model.js';
import { delvry07WithSerials, mbgmcr03WithSerials } from '../fixtures/flat/samples.js';

export interface CorpusSet {
  readonly name: string;
  readonly make: (n: number) => Idoc;
}

export const CORPUS: readonly CorpusSet[] = [
  {
    name: 'DELVRY07 (20 items x 5 serials)',
    make: (n) => delvry07WithSerials({ n, items: 20, serialsPerItem: 5, handlingUnits: 0 }),
  },
  {
    name: 'MBGMCR03 (10 items x 5 serials)',
    make: (n) => mbgmcr03WithSerials({ n, items: 10, serialsPerItem: 5 }),
  },
];

/** The IDocs `from..to-1` of a set. */
export function chunkOf(set: CorpusSet, from: number, to: number): Idoc[] {
  const out: Idoc[] = [];
  for (let n = from; n < to; n++) out.push(set.make(n + 1));
  return out;
}

/** A flat (non-rope) copy of a string, as text arrives from a socket or a file. */
export function flatString(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Runs every case once untimed (warm-up: JIT and inline caches), then `rounds` timed rounds,
 * every case once per round, interleaved, with the order rotated from round to round so no case
 * always follows the same neighbour. Returns the median seconds per case: on a shared machine a
 * round can be slowed down by other jobs, and the median is what a typical run costs.
 */
export function medianOf(
  rounds: number,
  cases: Readonly<Record<string, () => void>>,
  warmUp = true,
): Record<string, number> {
  const entries = Object.entries(cases);
  if (warmUp) {
    for (const [, fn] of entries) fn();
  }
  const times: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < entries.length; k++) {
      const [label, fn] = entries[(k + r) % entries.length]!;
      gc();
      const t0 = performance.now();
      fn();
      (times[label] ??= []).push((performance.now() - t0) / 1000);
    }
  }
  const out: Record<string, number> = {};
  for (const [label, list] of Object.entries(times)) out[label] = median(list);
  return out;
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Numbers with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
