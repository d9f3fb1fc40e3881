/** Evaluation metrics of the intelligence bench and tests (pure). */

/** Area under the ROC curve (Mann-Whitney U, ties counted half). NaN without both classes. */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((s, i) => [s, labels[i]!] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j < idx.length && idx[j]![0] === idx[i]![0]) j++;
    const avgRank = (i + j + 1) / 2; // ranks are 1-based
    for (let k = i; k < j; k++)
      if (idx[k]![1] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    i = j;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

export const baseRate = (labels: readonly number[]): number =>
  labels.reduce((a, v) => a + v, 0) / Math.max(1, labels.length);

/** Share of positives among the `fraction` highest scores. */
export function precisionAtTop(
  scores: readonly number[],
  labels: readonly number[],
  fraction: number,
): number {
  const k = Math.max(1, Math.round(scores.length * fraction));
  const top = scores
    .map((s, i) => [s, labels[i]!] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k);
  return top.reduce((a, t) => a + t[1], 0) / k;
}

export function brier(probabilities: readonly number[], labels: readonly number[]): number {
  return probabilities.reduce((a, p, i) => a + (p - labels[i]!) ** 2, 0) / Math.max(1, probabilities.length);
}

/** Expected calibration error over `bins` equal-width probability bins. */
export function calibrationError(
  probabilities: readonly number[],
  labels: readonly number[],
  bins = 10,
): number {
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  const n = new Array<number>(bins).fill(0);
  probabilities.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sumP[b]! += p;
    sumY[b]! += labels[i]!;
    n[b]!++;
  });
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b]! > 0) e += Math.abs(sumP[b]! - sumY[b]!);
  return e / Math.max(1, probabilities.length);
}

export function meanAndSpread(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, v) => a + v, 0) / Math.max(1, values.length);
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd };
}
