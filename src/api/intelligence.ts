/**
 * At-risk scores and freight-claim packets of deliveries (role `viewer`), additive to the
 * delivery API (src/api/deliveries.ts):
 *
 *   GET /api/deliveries/:delivery/risk    probability of a partial receipt, as of the goods issue,
 *                                         with reason codes (the newest model of `risk_models`)
 *   GET /api/deliveries/:delivery/claim   freight-claim packet: missing serials, where each was
 *                                         lost (dc-pick | lane | store | unobservable), custody chain
 *                                         and the EPCIS events as evidence (?format=html: a page, ?format=pdf: a PDF)
 *   GET /api/deliveries/at-risk           deliveries in transit scored, with `atRisk` (>= the threshold)
 *   GET /api/models/risk                  the model in use (version, training window, hold-out metrics)
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { LedgerConfig } from '../config/ledger.js';
import { IdocgateError } from '../errors.js';
import { scoreInTransit, type InTransitScores } from '../intelligence/at-risk.js';
import { claimPacketHtml } from '../intelligence/claims/html.js';
import { claimPacketPdf } from '../intelligence/claims/pdf.js';
import { recordInTransit, type RiskScoreLog } from '../intelligence/score-log.js';
import { claimPacket, scoreDelivery, type IntelligencePort } from '../intelligence/service.js';
import { normalizeKey } from '../ledger/deliveries/types.js';
import { toEpcisEvent } from '../ledger/serials/epcis/epcis.js';
import { epcNaming } from '../ledger/serials/epcis/identifiers.js';
import { requireOperator, type Authenticator } from './auth.js';

export interface IntelligenceRoutesDeps {
  readonly auth: Authenticator;
  readonly port: IntelligencePort;
  readonly ledger: Pick<LedgerConfig, 'sites' | 'materials' | 'epcis'>;
  /** sweeper.atRisk.threshold (default 0.3): from this score on a delivery in transit is at risk. */
  readonly atRiskThreshold?: number;
  readonly now?: () => number;
  /** Records what the routes score (migration 0070); none: not recorded. */
  readonly scoreLog?: RiskScoreLog;
}

const security = [{ basic: [] }, { session: [] }];
const params = { type: 'object', required: ['delivery'], properties: { delivery: { type: 'string' } } };

export async function intelligenceRoutes(app: FastifyInstance, deps: IntelligenceRoutesDeps): Promise<void> {
  const viewer = requireOperator(deps.auth, 'viewer');
  const naming = epcNaming(deps.ledger);

  app.get('/api/deliveries/at-risk', {
    preHandler: viewer,
    schema: {
      tags: ['Deliveries'],
      summary:
        'Deliveries in transit (goods-issued, not due, not fully received) with their at-risk scores, highest first',
      security,
    },
    handler: async () => {
      const threshold = deps.atRiskThreshold ?? 0.3;
      const at = new Date((deps.now ?? Date.now)());
      const s = await recordInTransit(deps.scoreLog, await scoreInTransit(deps.port, at), at, 'at-risk-api');
      return {
        threshold,
        modelVersion: s.modelVersion,
        deliveries: s.deliveries.map((d) => ({ ...d, atRisk: d.probability >= threshold })),
      };
    },
  });

  app.get('/api/deliveries/:delivery/risk', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'At-risk score of a goods-issued delivery (partial receipt probability, reason codes)',
      security,
      params,
    },
    handler: async (request) => {
      const { delivery } = request.params as { delivery: string };
      const answer = await scoreDelivery(deps.port, normalizeKey(delivery));
      if (answer === undefined)
        throw new IdocgateError('DELIVERY_NOT_FOUND', `No goods-issued delivery ${delivery} in the ledger`);
      if ('probability' in answer && deps.scoreLog !== undefined)
        await deps.scoreLog.record(
          [
            {
              delivery: answer.delivery,
              modelVersion: answer.modelVersion,
              probability: answer.probability,
              reasons: answer.reasons,
              asOf: answer.asOf,
            },
          ],
          new Date((deps.now ?? Date.now)()),
          'delivery-api',
        );
      return answer;
    },
  });

  app.get('/api/deliveries/:delivery/claim', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'Freight-claim packet: missing serials, where each was lost, custody chain, EPCIS evidence',
      security,
      params,
      querystring: {
        type: 'object',
        properties: { format: { type: 'string', enum: ['json', 'html', 'pdf'] } },
      },
    },
    handler: async (request, reply) => {
      const { delivery } = request.params as { delivery: string };
      const packet = await claimPacket(deps.port, normalizeKey(delivery));
      if (packet === undefined)
        throw new IdocgateError('DELIVERY_NOT_FOUND', `No goods-issued delivery ${delivery} in the ledger`);
      const format = (request.query as { format?: string }).format;
      if (format === 'html')
        return reply.type('text/html; charset=utf-8').send(claimPacketHtml(packet, new Date()));
      if (format === 'pdf')
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="claim-${packet.delivery}.pdf"`)
          .send(claimPacketPdf(packet, new Date()));
      const evidence = packet.missingSerials.flatMap((m) => m.custody.map((e) => toEpcisEvent(e, naming)));
      return { ...packet, evidence: { epcisEvents: evidence } };
    },
  });

  app.get('/api/models/risk', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'The at-risk model in use: version, training window, metrics',
      security,
    },
    handler: async () => {
      const m = await deps.port.latestModel();
      if (m === undefined)
        return { model: null, note: 'no at-risk model trained yet: run `idocgate models train`' };
      return {
        version: m.version,
        trainedAt: m.trainedAt,
        trainedBy: m.trainedBy,
        kind: m.model.kind,
        features: m.model.features,
        weights: Object.fromEntries(m.model.features.map((f, k) => [f, m.model.weights[k]])),
        calibration: m.model.calibration,
        training: m.model.training,
        metrics: m.metrics,
      };
    },
  });
}

/**
 * Prometheus gauges of the deliveries in transit (scored at scrape time, at most every 30 s):
 *   idocgate_deliveries_at_risk{site}       in transit with a score >= sweeper.atRisk.threshold
 *   idocgate_deliveries_in_transit_scored   in transit and scored (0 while no model is trained)
 *   idocgate_risk_model_version             the model version in use (0: none)
 */
export function registerRiskMetrics(
  registry: Registry,
  source: {
    readonly port: IntelligencePort;
    readonly now: () => number;
    readonly threshold: number;
    readonly scoreLog?: RiskScoreLog;
  },
): void {
  let cached: { at: number; value: Promise<InTransitScores> } | undefined;
  const read = (): Promise<InTransitScores> => {
    const t = Date.now();
    if (cached === undefined || t - cached.at > 30_000) {
      const at = new Date(source.now());
      const value = scoreInTransit(source.port, at).then((s) =>
        recordInTransit(source.scoreLog, s, at, 'metrics'),
      );
      cached = { at: t, value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
  new Gauge({
    name: 'idocgate_deliveries_at_risk',
    help: `Deliveries in transit whose at-risk score is at least ${source.threshold} (sweeper.atRisk.threshold), by destination site`,
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      const s = await read();
      this.reset();
      const bySite = new Map<string, number>();
      for (const d of s.deliveries)
        if (d.probability >= source.threshold)
          bySite.set(d.destinationSite, (bySite.get(d.destinationSite) ?? 0) + 1);
      for (const [site, n] of bySite) this.set({ site }, n);
    },
  });
  new Gauge({
    name: 'idocgate_deliveries_in_transit_scored',
    help: 'Deliveries in transit (goods-issued, not due, not fully received) scored by the at-risk model',
    registers: [registry],
    async collect() {
      this.set((await read()).deliveries.length);
    },
  });
  new Gauge({
    name: 'idocgate_risk_model_version',
    help: 'Version of the at-risk model in use (0: none trained)',
    registers: [registry],
    async collect() {
      this.set((await read()).modelVersion ?? 0);
    },
  });
}
