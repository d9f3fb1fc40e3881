/**
 * Bottom-up reconciliation over article → variant → site: by hand on small series (sums of the
 * means, half-widths in quadrature), a property that every level adds up to the one below for any
 * series, and the configuration errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_SITES, ARTICLE_METHOD, reconcile, type ForecastSeriesRecord } from '../../src/forecast/run.js';

const base = (material: string, site: string, mean: number[], half: number[]): ForecastSeriesRecord => ({
  material,
  site,
  class: 'smooth',
  method: 'ses',
  adi: 1,
  cv2: 0.1,
  params: {},
  observedDays: 30,
  censoredDays: 0,
  mean,
  lower: mean.map((m, i) => Math.max(0, m - (half[i] ?? 0))),
  upper: mean.map((m, i) => m + (half[i] ?? 0)),
});

const find = (out: readonly ForecastSeriesRecord[], material: string, site: string): ForecastSeriesRecord => {
  const s = out.find((x) => x.material === material && x.site === site);
  if (s === undefined) throw new Error(`no ${material}@${site}`);
  return s;
};

describe('reconcile article → variant → site', () => {
  const series = [
    base('4711', 'S1', [2, 1], [3, 3]),
    base('4711', 'S2', [1, 1], [0, 0]),
    base('4712', 'S1', [4, 2], [4, 4]),
    base('4713', 'S1', [5, 5], [1, 1]),
  ];
  const out = reconcile(series, { TEE: ['4711', '4712'] }, 2);

  it('adds the variants at each site and over all sites; half-widths in quadrature', () => {
    // variant totals over sites (as before)
    expect(find(out, '4711', ALL_SITES).mean).toEqual([3, 2]);
    // the article at S1: 4711@S1 + 4712@S1, half-width √(3² + 4²) = 5
    const s1 = find(out, 'TEE', 'S1');
    expect(s1.method).toBe(ARTICLE_METHOD);
    expect(s1.mean).toEqual([6, 3]);
    expect(s1.upper).toEqual([11, 8]);
    // lower half-widths of the parts are what is left above 0 (2 and 4, then 1 and 2)
    expect(s1.lower[0]).toBeCloseTo(6 - Math.sqrt(4 + 16), 12);
    expect(s1.lower[1]).toBeCloseTo(3 - Math.sqrt(1 + 4), 12);
    expect(find(out, 'TEE', 'S2').mean).toEqual([1, 1]);
    // the article over everything: 2 + 1 + 4, half-width √(9 + 0 + 16) = 5
    const all = find(out, 'TEE', ALL_SITES);
    expect(all.mean).toEqual([7, 4]);
    expect(all.upper).toEqual([12, 9]);
    expect(all.params).toEqual({ variants: 2, sites: 2 });
    // a material under no article is only its own total
    expect(out.filter((s) => s.material === '4713').map((s) => s.site)).toEqual([ALL_SITES]);
    expect(out.some((s) => s.material === '4713' && s.method === ARTICLE_METHOD)).toBe(false);
  });

  it('every level adds up to the level below it, for any series', () => {
    const arb = fc.array(
      fc.record({
        variant: fc.constantFrom('V1', 'V2', 'V3', 'V4'),
        site: fc.constantFrom('S1', 'S2', 'S3'),
        mean: fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 3, maxLength: 3 }),
        half: fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 3, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        // one series per variant × site
        const unique = new Map(rows.map((r) => [`${r.variant}@${r.site}`, r]));
        const parts = [...unique.values()].map((r) => base(r.variant, r.site, r.mean, r.half));
        const articles = { A: ['V1', 'V2'], B: ['V3'] };
        const out = reconcile(parts, articles, 3);
        const sum = (xs: readonly ForecastSeriesRecord[], h: number): number =>
          xs.reduce((a, s) => a + (s.mean[h] ?? 0), 0);
        for (const [article, variants] of Object.entries(articles)) {
          const leaves = parts.filter((p) => variants.includes(p.material));
          const total = out.find((s) => s.material === article && s.site === ALL_SITES);
          if (leaves.length === 0) {
            expect(total).toBeUndefined();
            continue;
          }
          const atSites = out.filter((s) => s.material === article && s.site !== ALL_SITES);
          const variantTotals = out.filter((s) => variants.includes(s.material) && s.site === ALL_SITES);
          for (let h = 0; h < 3; h++) {
            // article = Σ article × site = Σ variant totals = Σ variant × site
            expect(total!.mean[h]).toBeCloseTo(sum(atSites, h), 9);
            expect(total!.mean[h]).toBeCloseTo(sum(variantTotals, h), 9);
            expect(total!.mean[h]).toBeCloseTo(sum(leaves, h), 9);
            // the interval's half-width² is the sum of the leaves' (independent parts)
            const hw2 = leaves.reduce((a, s) => a + ((s.upper[h] ?? 0) - (s.mean[h] ?? 0)) ** 2, 0);
            expect((total!.upper[h]! - total!.mean[h]!) ** 2).toBeCloseTo(hw2, 6);
            for (const site of new Set(leaves.map((l) => l.site))) {
              const here = out.find((s) => s.material === article && s.site === site);
              expect(here!.mean[h]).toBeCloseTo(
                sum(
                  leaves.filter((l) => l.site === site),
                  h,
                ),
                9,
              );
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an article named like a material and a variant under two articles', () => {
    expect(() => reconcile(series, { '4713': ['4711'] }, 2)).toThrow(
      /article 4713 has the number of a material/,
    );
    expect(() => reconcile(series, { A: ['4711'], B: ['4711'] }, 2)).toThrow(
      /variant 4711 is listed under articles A and B/,
    );
  });
});
