/**
 * Deliveries in transit and their at-risk scores (use cases on ports): the deliveries
 * goods-issued by `now` whose due date (goods issue + grace period) has not passed and that are
 * not fully received yet, each scored as of its goods issue by the newest model; and the
 * webhook alert, told once per delivery whose score reaches the threshold
 * (`sweeper.atRisk`, docs/intelligence.md "Surfaces").
 */
import type { Transport } from '../pipeline/transport-port.js';
import { buildFeatures } from './risk/features.js';
import { scoreRisk, type Reason } from './risk/model.js';
import { recordInTransit, type RiskScoreLog } from './score-log.js';
import type { IntelligencePort } from './service.js';

export interface ScoredDelivery {
  readonly delivery: string;
  readonly originSite: string;
  readonly destinationSite: string;
  readonly goodsIssueAt: Date;
  /** Goods issue + grace period: the sweeper pushes it back after this when it is still short. */
  readonly dueAt: Date;
  readonly expected: number;
  readonly receivedSoFar: number;
  readonly probability: number;
  readonly reasons: readonly Reason[];
}

export interface InTransitScores {
  /** null: no model trained yet (nothing scored). */
  readonly modelVersion: number | null;
  /** Highest probability first. */
  readonly deliveries: readonly ScoredDelivery[];
}

export async function scoreInTransit(port: IntelligencePort, now: Date): Promise<InTransitScores> {
  const stored = await port.latestModel();
  if (stored === undefined) return { modelVersion: null, deliveries: [] };
  const facts = await port.loadFacts({ until: now });
  const open = facts.filter((f) => f.dueAt.getTime() > now.getTime() && f.receivedByDue < f.expectedQuantity);
  if (open.length === 0) return { modelVersion: stored.version, deliveries: [] };
  const byDelivery = new Map(open.map((f) => [f.delivery, f]));
  const deliveries = buildFeatures(facts, new Set(byDelivery.keys()))
    .map((row) => {
      const f = byDelivery.get(row.delivery)!;
      const s = scoreRisk(stored.model, row.x);
      return {
        delivery: f.delivery,
        originSite: f.originSite,
        destinationSite: f.destinationSite,
        goodsIssueAt: f.goodsIssueAt,
        dueAt: f.dueAt,
        expected: f.expectedQuantity,
        receivedSoFar: f.receivedByDue,
        probability: s.probability,
        reasons: s.reasons,
      };
    })
    .sort((a, b) => b.probability - a.probability || a.delivery.localeCompare(b.delivery));
  return { modelVersion: stored.version, deliveries };
}

/** The deliveries in transit at or above the threshold. */
export async function atRiskInTransit(
  port: IntelligencePort,
  now: Date,
  threshold: number,
): Promise<InTransitScores> {
  const s = await scoreInTransit(port, now);
  return { ...s, deliveries: s.deliveries.filter((d) => d.probability >= threshold) };
}

export interface RiskAlertOutbox {
  /** Which of these deliveries were told already. */
  notified(deliveries: readonly string[]): Promise<ReadonlySet<string>>;
  markNotified(
    rows: readonly { delivery: string; modelVersion: number; probability: number }[],
    at: Date,
  ): Promise<void>;
}

/**
 * Sends the at-risk deliveries not told yet as one JSON document
 * (`{ type: 'idocgate.at-risk-deliveries', threshold, modelVersion, deliveries }`), then marks
 * them. A failed send throws and marks nothing: the next tick sends them again.
 */
export async function notifyAtRisk(deps: {
  readonly port: IntelligencePort;
  readonly outbox: RiskAlertOutbox;
  readonly transport: Transport;
  readonly threshold: number;
  readonly now: Date;
  /** Records every score of the tick (src/intelligence/score-log.ts). */
  readonly scoreLog?: RiskScoreLog;
}): Promise<number> {
  const scored = await recordInTransit(
    deps.scoreLog,
    await scoreInTransit(deps.port, deps.now),
    deps.now,
    'alert-job',
  );
  const modelVersion = scored.modelVersion;
  const deliveries = scored.deliveries.filter((d) => d.probability >= deps.threshold);
  if (modelVersion === null || deliveries.length === 0) return 0;
  const told = await deps.outbox.notified(deliveries.map((d) => d.delivery));
  const fresh = deliveries.filter((d) => !told.has(d.delivery));
  if (fresh.length === 0) return 0;
  await deps.transport.send({
    body: JSON.stringify({
      type: 'idocgate.at-risk-deliveries',
      threshold: deps.threshold,
      modelVersion,
      deliveries: fresh,
    }),
    contentType: 'application/json',
    messageId: `at-risk-${fresh[0]!.delivery}-${fresh.length}-${deps.now.getTime()}`,
  });
  await deps.outbox.markNotified(
    fresh.map((d) => ({ delivery: d.delivery, modelVersion, probability: d.probability })),
    deps.now,
  );
  return fresh.length;
}
