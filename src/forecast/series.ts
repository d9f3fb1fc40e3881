/**
 * Daily demand series and their Syntetos–Boylan class. Pure: numbers in, numbers out.
 *
 * A series is one value per day; `null` marks a censored day (the site had no stock of the
 * article all day: no sale that day says nothing about demand). Censored days are left out of
 * every estimate (classification, smoothing updates, residuals); they are not zeros.
 */

/** One value per day; null = censored (no stock), not zero demand. */
export type DailySeries = readonly (number | null)[];

export const SERIES_CLASSES = ['smooth', 'erratic', 'intermittent', 'lumpy', 'zero'] as const;
export type SeriesClass = (typeof SERIES_CLASSES)[number];

/** Syntetos, Boylan & Croston (2005) cut-offs. */
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

export interface Classification {
  readonly class: SeriesClass;
  /** Average inter-demand interval over observed days (observed days / days with demand). */
  readonly adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes (population variance). */
  readonly cv2: number;
  readonly observedDays: number;
  readonly demandDays: number;
}

export function observed(series: DailySeries): number[] {
  const out: number[] = [];
  for (const v of series) if (v !== null) out.push(v);
  return out;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Syntetos–Boylan classification: ADI < 1.32 and CV² < 0.49 smooth, ADI < 1.32 and CV² ≥ 0.49
 * erratic, ADI ≥ 1.32 and CV² < 0.49 intermittent, both above lumpy; no demand at all: zero.
 */
export function classify(series: DailySeries): Classification {
  const obs = observed(series);
  const sizes = obs.filter((v) => v > 0);
  if (sizes.length === 0) {
    return { class: 'zero', adi: Number.POSITIVE_INFINITY, cv2: 0, observedDays: obs.length, demandDays: 0 };
  }
  const adi = obs.length / sizes.length;
  const m = mean(sizes);
  const variance = mean(sizes.map((s) => (s - m) ** 2));
  const cv2 = variance / (m * m);
  const cls: SeriesClass =
    adi < ADI_CUTOFF
      ? cv2 < CV2_CUTOFF
        ? 'smooth'
        : 'erratic'
      : cv2 < CV2_CUTOFF
        ? 'intermittent'
        : 'lumpy';
  return { class: cls, adi, cv2, observedDays: obs.length, demandDays: sizes.length };
}

/** Quantile with linear interpolation between order statistics (Hyndman & Fan type 7). */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = s[lo] ?? 0;
  const b = s[hi] ?? a;
  return a + (h - lo) * (b - a);
}
