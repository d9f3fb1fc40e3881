/**
 * The record of at-risk scores (migration 0070): the RiskScoreLog of src/intelligence/score-log.ts,
 * and the read the tests and the export check against. One statement per call; a delivery scored
 * again with the same model version and score is left as it is (unique index, ON CONFLICT DO
 * NOTHING), so concurrent scorers cannot store it twice.
 */
import { SCORED_BY, type RiskScoreLog, type ScoredBy } from '../../intelligence/score-log.js';
import type { Queryable } from '../db/db.js';
import { date, num, str } from '../db/columns.js';

export function createRiskScoreLog(db: Queryable): RiskScoreLog {
  return {
    async record(scores, scoredAt, scoredBy) {
      if (scores.length === 0) return;
      await db.query(
        `INSERT INTO risk_scores (delivery, model_version, probability, reasons, as_of, scored_at, scored_by)
         SELECT d, v, p, r::jsonb, a, $6, $7
           FROM unnest($1::text[], $2::int[], $3::float8[], $4::text[], $5::timestamptz[]) AS x(d, v, p, r, a)
         ON CONFLICT (delivery, model_version, probability) DO NOTHING`,
        [
          scores.map((s) => s.delivery),
          scores.map((s) => s.modelVersion),
          scores.map((s) => s.probability),
          scores.map((s) => JSON.stringify(s.reasons)),
          scores.map((s) => s.asOf),
          scoredAt,
          scoredBy,
        ],
      );
    },
  };
}

export interface StoredRiskScore {
  readonly id: number;
  readonly delivery: string;
  readonly modelVersion: number;
  readonly probability: number;
  readonly reasons: unknown;
  readonly asOf: Date;
  readonly scoredAt: Date;
  readonly scoredBy: ScoredBy;
}

function scoredBy(v: string): ScoredBy {
  const found = SCORED_BY.find((s) => s === v);
  if (found === undefined)
    throw new Error(`risk_scores.scored_by ${v} is not one of ${SCORED_BY.join(', ')}`);
  return found;
}

/** The recorded scores of a delivery (all when none given), oldest first. */
export async function listRiskScores(q: Queryable, delivery?: string): Promise<StoredRiskScore[]> {
  const { rows } = await q.query(
    `SELECT id, delivery, model_version, probability, reasons, as_of, scored_at, scored_by
       FROM risk_scores WHERE ($1::text IS NULL OR delivery = $1::text) ORDER BY id`,
    [delivery ?? null],
  );
  return rows.map((r) => ({
    id: num(r, 'id'),
    delivery: str(r, 'delivery'),
    modelVersion: num(r, 'model_version'),
    probability: num(r, 'probability'),
    reasons: r['reasons'],
    asOf: date(r, 'as_of'),
    scoredAt: date(r, 'scored_at'),
    scoredBy: scoredBy(str(r, 'scored_by')),
  }));
}
