/**
 * L2-regularised logistic regression by IRLS (Newton's method on the penalised log-likelihood),
 * with standardised inputs. Small and dense: the at-risk model has a dozen features.
 * Minimises  sum_i logloss(y_i, sigma(b + w.z_i)) + lambda/2 * |w|^2  (the intercept b is not penalised).
 */
export const sigmoid = (z: number): number =>
  z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));

export interface LogisticFit {
  readonly intercept: number;
  readonly weights: readonly number[];
  readonly iterations: number;
}

/** Solves A x = b in place (Gaussian elimination, partial pivoting). */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    const d = a[c]![c]!;
    if (Math.abs(d) < 1e-300) throw new Error('singular system');
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

export function fitLogistic(
  z: readonly (readonly number[])[],
  y: readonly number[],
  options: { readonly lambda: number; readonly maxIterations?: number; readonly tolerance?: number },
): LogisticFit {
  const d = (z[0]?.length ?? 0) + 1;
  const beta = new Array<number>(d).fill(0);
  const mean = y.reduce((a, v) => a + v, 0) / Math.max(1, y.length);
  beta[0] = Math.log((mean + 1e-3) / (1 - mean + 1e-3));
  const maxIt = options.maxIterations ?? 50;
  let it = 0;
  for (; it < maxIt; it++) {
    const h: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const g = new Array<number>(d).fill(0);
    for (let i = 0; i < z.length; i++) {
      const row = z[i]!;
      let eta = beta[0]!;
      for (let k = 1; k < d; k++) eta += beta[k]! * row[k - 1]!;
      const p = sigmoid(eta);
      const r = p - y[i]!;
      const w = Math.max(p * (1 - p), 1e-10);
      g[0]! += r;
      h[0]![0]! += w;
      for (let k = 1; k < d; k++) {
        const xk = row[k - 1]!;
        g[k]! += r * xk;
        h[0]![k]! += w * xk;
        for (let l = k; l < d; l++) h[k]![l]! += w * xk * row[l - 1]!;
      }
    }
    for (let k = 0; k < d; k++) for (let l = 0; l < k; l++) h[k]![l] = h[l]![k]!;
    for (let k = 1; k < d; k++) {
      g[k]! += options.lambda * beta[k]!;
      h[k]![k]! += options.lambda;
    }
    h[0]![0]! += 1e-9;
    const step = solve(h, g);
    let max = 0;
    for (let k = 0; k < d; k++) {
      beta[k]! -= step[k]!;
      max = Math.max(max, Math.abs(step[k]!));
    }
    if (max < (options.tolerance ?? 1e-8)) {
      it++;
      break;
    }
  }
  return { intercept: beta[0]!, weights: beta.slice(1), iterations: it };
}
