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
 * Runs every case once per round, interleaved, and keeps each case's best round (noise on a
 * busy machine only ever slows a round down). Returns seconds per case.
 */
export function bestOf(rounds: number, cases: Readonly<Record<string, () => void>>): Record<string, number> {
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [label, fn] of Object.entries(cases)) {
      gc();
      const t0 = performance.now();
      fn();
      const s = (performance.now() - t0) / 1000;
      best[label] = Math.min(best[label] ?? Infinity, s);
    }
  }
  return best;
}

/** Numbers with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
