/**
 * The record of at-risk scores (migration 0070, src/store/analytics/risk-scores-repo.ts): every place the
 * running gateway scores a delivery hands what it scored to this port, unchanged — the score,
 * the model version, the reason codes, the moment the features are as of, and when and by which
 * surface it was scored. Scoring itself stays in at-risk.ts / service.ts.
 */
import type { Reason } from './risk/model.js';

/** What a scoring of the deliveries in transit returns (at-risk.ts InTransitScores). */
export interface ScoredSet {
  readonly modelVersion: number | null;
  readonly deliveries: readonly {
    readonly delivery: string;
    readonly probability: number;
    readonly reasons: readonly Reason[];
    readonly goodsIssueAt: Date;
  }[];
}

export const SCORED_BY = ['at-risk-api', 'delivery-api', 'metrics', 'alert-job'] as const;
export type ScoredBy = (typeof SCORED_BY)[number];

export interface RiskScoreRecord {
  readonly delivery: string;
  readonly modelVersion: number;
  readonly probability: number;
  readonly reasons: readonly Reason[];
  /** The features are as of this moment (the goods issue). */
  readonly asOf: Date;
}

export interface RiskScoreLog {
  /**
   * Stores the scores; a delivery scored again by the same model version with the same score is
   * not stored twice. Resolves when they are committed.
   */
  record(scores: readonly RiskScoreRecord[], scoredAt: Date, scoredBy: ScoredBy): Promise<void>;
}

/** Records the scores of the deliveries in transit (none while no model is trained). */
export async function recordInTransit<S extends ScoredSet>(
  log: RiskScoreLog | undefined,
  s: S,
  scoredAt: Date,
  scoredBy: ScoredBy,
): Promise<S> {
  const version = s.modelVersion;
  if (log === undefined || version === null || s.deliveries.length === 0) return s;
  await log.record(
    s.deliveries.map((d) => ({
      delivery: d.delivery,
      modelVersion: version,
      probability: d.probability,
      reasons: d.reasons,
      asOf: d.goodsIssueAt,
    })),
    scoredAt,
    scoredBy,
  );
  return s;
}
