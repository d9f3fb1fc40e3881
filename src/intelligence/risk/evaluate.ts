/**
 * Time-split evaluation of the at-risk model (pure): train on deliveries goods-issued before the
 * split whose outcome was known at the split (due date <= split), test on those goods-issued
 * after it; every feature is as of the delivery's own goods issue. The baseline is the lane's
 * historical partial rate as of the goods issue (the `lane_partial_rate` feature, as a probability).
 */
import { auc, baseRate, brier, calibrationError, precisionAtTop } from '../metrics.js';
import { buildFeatures, type FeatureRow } from './features.js';
import { scoreRisk, trainRiskModel, type RiskModel } from './model.js';
import type { DeliveryFacts } from './types.js';

export interface RiskEvaluation {
  readonly trainDeliveries: number;
  readonly testDeliveries: number;
  readonly baseRate: number;
  readonly auc: number;
  readonly top10Precision: number;
  readonly brier: number;
  readonly calibrationError: number;
  readonly baselineAuc: number;
  readonly baselineBrier: number;
  readonly baselineCalibrationError: number;
  readonly model: RiskModel;
}

export function splitRows(
  rows: readonly FeatureRow[],
  splitAt: Date,
): { train: FeatureRow[]; test: FeatureRow[] } {
  const s = splitAt.getTime();
  return {
    train: rows.filter((r) => r.at.getTime() < s && r.dueAt.getTime() <= s),
    test: rows.filter((r) => r.at.getTime() >= s),
  };
}

/** A seeded permutation of the training labels (the control: a model must not learn from it). */
export function shuffleLabels(rows: readonly FeatureRow[], seed: number): FeatureRow[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const labels = rows.map((r) => r.label);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return rows.map((r, i) => ({ ...r, label: labels[i]! }));
}

export function evaluateRisk(
  facts: readonly DeliveryFacts[],
  options: { readonly splitAt: Date; readonly lambda?: number; readonly shuffleSeed?: number },
): RiskEvaluation {
  const rows = buildFeatures(facts);
  const split = splitRows(rows, options.splitAt);
  const train =
    options.shuffleSeed === undefined ? split.train : shuffleLabels(split.train, options.shuffleSeed);
  const model = trainRiskModel(train, options.lambda !== undefined ? { lambda: options.lambda } : {});
  const test = split.test;
  const y = test.map((r) => r.label);
  const p = test.map((r) => scoreRisk(model, r.x, 0).probability);
  const b = test.map((r) => r.laneRate);
  return {
    trainDeliveries: split.train.length,
    testDeliveries: test.length,
    baseRate: baseRate(y),
    auc: auc(p, y),
    top10Precision: precisionAtTop(p, y, 0.1),
    brier: brier(p, y),
    calibrationError: calibrationError(p, y),
    baselineAuc: auc(b, y),
    baselineBrier: brier(b, y),
    baselineCalibrationError: calibrationError(b, y),
    model,
  };
}
