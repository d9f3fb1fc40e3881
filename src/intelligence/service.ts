/**
 * Use cases of the intelligence features, on ports (no SQL, no HTTP): train and store a versioned
 * at-risk model from the ledger history, score one goods-issued delivery as of its goods issue
 * (with reason codes), and assemble the freight-claim packet of a short-received delivery.
 */
import { z } from 'zod';
import {
  attributeMissing,
  type DeliveryCustody,
  type LossAttribution,
  type MissingSerial,
} from './claims/attribution.js';
import { buildFeatures, FEATURE_NAMES } from './risk/features.js';
import { evaluateRisk, type RiskEvaluation } from './risk/evaluate.js';
import { scoreRisk, trainRiskModel, type Reason, type RiskModel } from './risk/model.js';
import type { DeliveryFacts } from './risk/types.js';

export interface StoredRiskModel {
  readonly version: number;
  readonly model: RiskModel;
  readonly metrics: unknown;
  readonly trainedAt: Date;
  readonly trainedBy: string;
}

export interface IntelligencePort {
  loadFacts(options?: {
    readonly until?: Date;
    readonly deliveries?: readonly string[];
  }): Promise<DeliveryFacts[]>;
  loadCustody(delivery: string): Promise<DeliveryCustody>;
  saveModel(m: {
    kind: string;
    model: RiskModel;
    metrics: unknown;
    trainedAt: Date;
    trainedBy: string;
  }): Promise<number>;
  latestModel(): Promise<StoredRiskModel | undefined>;
}

const finite = z.number().finite();
/** The stored model JSON, checked when it is read back. */
export const riskModelSchema = z.object({
  kind: z.literal('logistic-l2'),
  features: z.array(z.enum(FEATURE_NAMES)),
  mean: z.array(finite),
  scale: z.array(finite),
  intercept: finite,
  weights: z.array(finite),
  lambda: finite,
  calibration: z.object({ a: finite, b: finite }),
  training: z.object({
    deliveries: z.number().int(),
    positives: z.number().int(),
    calibrationDeliveries: z.number().int(),
    from: z.string(),
    to: z.string(),
  }),
});

export type TrainResult =
  | {
      readonly version: number;
      readonly model: RiskModel;
      readonly holdout: Omit<RiskEvaluation, 'model'> | null;
    }
  | { readonly version: null; readonly reason: string };

/**
 * Trains on every goods-issued delivery whose outcome is known at `now` (due date passed) and
 * stores the model as a new version. The hold-out figures come from a time split of the same
 * history (train on the first 75 % of goods issues, test on the rest).
 */
export async function trainAndStore(
  port: IntelligencePort,
  options: {
    readonly now: Date;
    readonly by: string;
    readonly lambda?: number;
    /** Fewest deliveries with a known outcome to train on (default 40). */
    readonly minDeliveries?: number;
  },
): Promise<TrainResult> {
  const min = options.minDeliveries ?? 40;
  const facts = (await port.loadFacts({ until: options.now })).filter(
    (f) => f.dueAt.getTime() <= options.now.getTime(),
  );
  if (facts.length < min)
    return {
      version: null,
      reason: `not enough history: ${facts.length} deliveries with a known outcome (${min} needed)`,
    };
  const rows = buildFeatures(facts);
  const model = trainRiskModel(rows, options.lambda !== undefined ? { lambda: options.lambda } : {});
  let holdout: Omit<RiskEvaluation, 'model'> | null = null;
  const first = facts[0]!.goodsIssueAt.getTime();
  const last = facts[facts.length - 1]!.goodsIssueAt.getTime();
  try {
    const { model: _m, ...figures } = evaluateRisk(facts, {
      splitAt: new Date(first + 0.75 * (last - first)),
      ...(options.lambda !== undefined ? { lambda: options.lambda } : {}),
    });
    holdout = figures;
  } catch {
    holdout = null; // too little history before the split
  }
  const version = await port.saveModel({
    kind: model.kind,
    model,
    metrics: holdout ?? {},
    trainedAt: options.now,
    trainedBy: options.by,
  });
  return { version, model, holdout };
}

export type RiskAnswer =
  | {
      readonly delivery: string;
      readonly modelVersion: number;
      /** Probability that the delivery is only partially received by its due date. */
      readonly probability: number;
      readonly reasons: readonly Reason[];
      /** The features are as of this moment (the goods issue). */
      readonly asOf: Date;
      readonly features: Readonly<Record<string, number>>;
    }
  | { readonly delivery: string; readonly risk: null; readonly note: string };

export async function scoreDelivery(
  port: IntelligencePort,
  delivery: string,
): Promise<RiskAnswer | undefined> {
  const [target] = await port.loadFacts({ deliveries: [delivery] });
  if (target === undefined) return undefined;
  const stored = await port.latestModel();
  if (stored === undefined)
    return { delivery, risk: null, note: 'no at-risk model trained yet: run `idocgate models train`' };
  const history = await port.loadFacts({ until: target.goodsIssueAt });
  const all = history.some((f) => f.delivery === delivery) ? history : [...history, target];
  const [row] = buildFeatures(all, new Set([delivery]));
  if (row === undefined) return undefined;
  const s = scoreRisk(stored.model, row.x);
  return {
    delivery,
    modelVersion: stored.version,
    probability: s.probability,
    reasons: s.reasons,
    asOf: target.goodsIssueAt,
    features: Object.fromEntries(FEATURE_NAMES.map((n, k) => [n, row.x[k]!])),
  };
}

export interface ClaimPacket {
  readonly type: 'idocgate.freight-claim';
  readonly delivery: string;
  readonly originSite: string;
  readonly destinationSite: string;
  /** The carrier the claim goes to: the forwarding agent the announcement named (null: none). */
  readonly carrier: string | null;
  readonly goodsIssueAt: Date;
  readonly dueAt: Date;
  readonly expected: number;
  readonly receivedByDue: number;
  readonly missing: number;
  readonly byAttribution: Readonly<Record<LossAttribution, number>>;
  /** Serials the carrier is answerable for (lost on the lane). */
  readonly claimableSerials: readonly string[];
  readonly missingSerials: readonly MissingSerial[];
}

/** The freight-claim packet of a delivery (undefined: not in the ledger or nothing missing). */
export async function claimPacket(
  port: IntelligencePort,
  delivery: string,
): Promise<ClaimPacket | undefined> {
  const [f] = await port.loadFacts({ deliveries: [delivery] });
  if (f === undefined) return undefined;
  const missing = attributeMissing(await port.loadCustody(delivery));
  const byAttribution: Record<LossAttribution, number> = { 'dc-pick': 0, lane: 0, store: 0, unobservable: 0 };
  for (const m of missing) byAttribution[m.attribution]++;
  return {
    type: 'idocgate.freight-claim',
    delivery,
    originSite: f.originSite,
    destinationSite: f.destinationSite,
    carrier: f.carrier,
    goodsIssueAt: f.goodsIssueAt,
    dueAt: f.dueAt,
    expected: f.expectedQuantity,
    receivedByDue: f.receivedByDue,
    missing: missing.length,
    byAttribution,
    claimableSerials: missing.filter((m) => m.attribution === 'lane').map((m) => m.serial),
    missingSerials: missing,
  };
}
