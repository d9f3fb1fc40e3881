/**
 * Seeded synthetic daily demand for the forecast bench and tests: smooth series with a known
 * weekly profile, a slow trend and promotions (unannounced 7-day lifts), intermittent series
 * (rare demand of near-constant size), lumpy series (rare demand of very variable size), and
 * injected stock-outs (days the site had nothing on hand: sales 0 whatever the demand). Pure and
 * deterministic for a seed.
 */

export type SimulatedKind = 'smooth' | 'intermittent' | 'lumpy';

export interface SimulatedSeries {
  readonly id: string;
  readonly kind: SimulatedKind;
  /** True demand per day (what would have sold with stock). */
  readonly demand: readonly number[];
  /** What the ledger sees: demand on days with stock, 0 on stock-out days. */
  readonly sales: readonly number[];
  /** False on stock-out days. */
  readonly inStock: readonly boolean[];
}

export interface SimulateOptions {
  readonly seed?: number;
  readonly days?: number;
  readonly smooth?: number;
  readonly intermittent?: number;
  readonly lumpy?: number;
  /** Share of series that get stock-outs (default 0). */
  readonly stockOutShare?: number;
}

/** The weekly demand profile of smooth series, Monday first (mean 1). */
export const WEEKLY_PROFILE = [0.85, 0.8, 0.9, 0.95, 1.15, 1.45, 0.9] as const;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson by inversion (Knuth) for small means, normal approximation above 40. */
export function poisson(rand: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 40) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z));
  }
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function smoothDemand(rand: () => number, days: number): number[] {
  const base = 4 + rand() * 26;
  const trend = (rand() - 0.5) * 0.004; // ±0.2 % per day
  const promo = new Array<number>(days).fill(1);
  for (let start = 30 + Math.floor(rand() * 60); start < days; start += 60 + Math.floor(rand() * 60)) {
    for (let d = start; d < Math.min(days, start + 7); d++) promo[d] = 1.6;
  }
  return Array.from({ length: days }, (_, t) => {
    const level = base * Math.max(0.2, 1 + trend * t);
    return poisson(rand, level * (WEEKLY_PROFILE[t % 7] ?? 1) * (promo[t] ?? 1));
  });
}

function intermittentDemand(rand: () => number, days: number): number[] {
  const p = 0.1 + rand() * 0.35;
  const size = 1 + rand() * 2;
  return Array.from({ length: days }, () => (rand() < p ? 1 + poisson(rand, size - 1) : 0));
}

function lumpyDemand(rand: () => number, days: number): number[] {
  const p = 0.08 + rand() * 0.3;
  return Array.from({ length: days }, () => {
    if (rand() >= p) return 0;
    // geometric-ish sizes with a heavy tail: CV² well above 0.49
    return 1 + Math.floor(-Math.log(Math.max(rand(), 1e-12)) * (2 + rand() * 10));
  });
}

function stockOuts(rand: () => number, days: number): boolean[] {
  const inStock = new Array<boolean>(days).fill(true);
  for (let start = 20 + Math.floor(rand() * 30); start < days; start += 25 + Math.floor(rand() * 40)) {
    const len = 3 + Math.floor(rand() * 8);
    for (let d = start; d < Math.min(days, start + len); d++) inStock[d] = false;
  }
  return inStock;
}

export function simulate(options: SimulateOptions = {}): SimulatedSeries[] {
  const rand = mulberry32(options.seed ?? 42);
  const days = options.days ?? 546;
  const share = options.stockOutShare ?? 0;
  const out: SimulatedSeries[] = [];
  const kinds: [SimulatedKind, number][] = [
    ['smooth', options.smooth ?? 40],
    ['intermittent', options.intermittent ?? 40],
    ['lumpy', options.lumpy ?? 20],
  ];
  for (const [kind, count] of kinds) {
    for (let i = 0; i < count; i++) {
      const demand =
        kind === 'smooth'
          ? smoothDemand(rand, days)
          : kind === 'intermittent'
            ? intermittentDemand(rand, days)
            : lumpyDemand(rand, days);
      const inStock = rand() < share ? stockOuts(rand, days) : new Array<boolean>(days).fill(true);
      out.push({
        id: `${kind}-${i}`,
        kind,
        demand,
        sales: demand.map((d, t) => (inStock[t] ? d : 0)),
        inStock,
      });
    }
  }
  return out;
}
