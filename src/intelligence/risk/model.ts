/**
 * The at-risk model: standardisation, an L2 logistic regression, Platt calibration on a later
 * (held-out) slice of the training period, and reason codes. Pure; the stored form is plain JSON
 * (src/store/analytics/intelligence-repo.ts keeps it versioned in `risk_models`).
 */
import { FEATURE_NAMES, type FeatureName, type FeatureRow } from './features.js';
import { fitLogistic, sigmoid } from './logistic.js';

export interface RiskModel {
  readonly kind: 'logistic-l2';
  readonly features: readonly FeatureName[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly intercept: number;
  readonly weights: readonly number[];
  readonly lambda: number;
  /** Platt scaling of the raw logit: p = sigmoid(a * logit + b). */
  readonly calibration: { readonly a: number; readonly b: number };
  readonly training: {
    readonly deliveries: number;
    readonly positives: number;
    readonly calibrationDeliveries: number;
    readonly from: string;
    readonly to: string;
  };
}

export interface Reason {
  readonly feature: FeatureName;
  readonly value: number;
  /** Contribution to the calibrated log-odds against an average delivery (positive: riskier). */
  readonly contribution: number;
}

export interface RiskScore {
  readonly probability: number;
  readonly reasons: readonly Reason[];
}

export interface TrainOptions {
  readonly lambda?: number;
  /** Contiguous time folds for the out-of-fold logits the calibration is fitted on. */
  readonly folds?: number;
}

function rawLogit(
  m: Pick<RiskModel, 'mean' | 'scale' | 'intercept' | 'weights'>,
  x: readonly number[],
): number {
  let eta = m.intercept;
  for (let k = 0; k < m.weights.length; k++) eta += m.weights[k]! * ((x[k]! - m.mean[k]!) / m.scale[k]!);
  return eta;
}

export function trainRiskModel(rows: readonly FeatureRow[], options: TrainOptions = {}): RiskModel {
  if (rows.length < 20) throw new Error(`not enough history to train on: ${rows.length} deliveries`);
  const sorted = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime());
  const lambda = options.lambda ?? 1;
  const base = fitBase(sorted, lambda);
  // Calibration on out-of-fold logits: contiguous time folds, each scored by a model fitted on the others.
  const folds = Math.max(2, options.folds ?? 5);
  const oof: number[] = [];
  for (let f = 0; f < folds; f++) {
    const lo = Math.floor((f * sorted.length) / folds);
    const hi = Math.floor(((f + 1) * sorted.length) / folds);
    const m = fitBase([...sorted.slice(0, lo), ...sorted.slice(hi)], lambda);
    for (let i = lo; i < hi; i++) oof.push(rawLogit(m, sorted[i]!.x));
  }
  const labels = sorted.map((r) => r.label);
  const both = labels.includes(1) && labels.includes(0);
  const platt = both
    ? fitLogistic(
        oof.map((z) => [z]),
        labels,
        { lambda: 1e-3 },
      )
    : { intercept: 0, weights: [1] };
  return {
    kind: 'logistic-l2',
    features: [...FEATURE_NAMES],
    ...base,
    lambda,
    calibration: { a: platt.weights[0] ?? 1, b: platt.intercept },
    training: {
      deliveries: sorted.length,
      positives: labels.filter((l) => l === 1).length,
      calibrationDeliveries: oof.length,
      from: sorted[0]!.at.toISOString(),
      to: sorted[sorted.length - 1]!.at.toISOString(),
    },
  };
}

function fitBase(
  rows: readonly FeatureRow[],
  lambda: number,
): Pick<RiskModel, 'mean' | 'scale' | 'intercept' | 'weights'> {
  const d = FEATURE_NAMES.length;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k]! += r.x[k]! / rows.length;
  for (const r of rows) for (let k = 0; k < d; k++) scale[k]! += (r.x[k]! - mean[k]!) ** 2 / rows.length;
  for (let k = 0; k < d; k++) scale[k] = Math.sqrt(scale[k]!) || 1;
  const fit = fitLogistic(
    rows.map((r) => r.x.map((v, k) => (v - mean[k]!) / scale[k]!)),
    rows.map((r) => r.label),
    { lambda },
  );
  return { mean, scale, intercept: fit.intercept, weights: fit.weights };
}

export function scoreRisk(model: RiskModel, x: readonly number[], topReasons = 3): RiskScore {
  const { a, b } = model.calibration;
  const probability = sigmoid(a * rawLogit(model, x) + b);
  const reasons = model.features
    .map((feature, k) => ({
      feature,
      value: x[k]!,
      contribution: a * model.weights[k]! * ((x[k]! - model.mean[k]!) / model.scale[k]!),
    }))
    .filter((r) => r.contribution > 0)
    .sort((p, q) => q.contribution - p.contribution)
    .slice(0, topReasons);
  return { probability, reasons };
}
