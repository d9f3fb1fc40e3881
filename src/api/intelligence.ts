/**
 * At-risk scores and freight-claim packets of deliveries (role `viewer`), additive to the
 * delivery API (src/api/deliveries.ts):
 *
 *   GET /api/deliveries/:delivery/risk    probability of a partial receipt, as of the goods issue,
 *                                         with reason codes (the newest model of `risk_models`)
 *   GET /api/deliveries/:delivery/claim   freight-claim packet: missing serials, where each was
 *                                         lost (dc-pick | lane | store | unobservable), custody chain
 *                                         and the EPCIS events as evidence (?format=html: a page)
 *   GET /api/models/risk                  the model in use (version, training window, hold-out metrics)
 */
import type { FastifyInstance } from 'fastify';
import type { LedgerConfig } from '../config/ledger.js';
import { IdocgateError } from '../errors.js';
import { claimPacketHtml } from '../intelligence/claims/html.js';
import { claimPacket, scoreDelivery, type IntelligencePort } from '../intelligence/service.js';
import { normalizeKey } from '../ledger/deliveries/types.js';
import { toEpcisEvent } from '../ledger/serials/epcis/epcis.js';
import { epcNaming } from '../ledger/serials/epcis/identifiers.js';
import { requireOperator, type Authenticator } from './auth.js';

export interface IntelligenceRoutesDeps {
  readonly auth: Authenticator;
  readonly port: IntelligencePort;
  readonly ledger: Pick<LedgerConfig, 'sites' | 'materials' | 'epcis'>;
}

const security = [{ basic: [] }, { session: [] }];
const params = { type: 'object', required: ['delivery'], properties: { delivery: { type: 'string' } } };

export async function intelligenceRoutes(app: FastifyInstance, deps: IntelligenceRoutesDeps): Promise<void> {
  const viewer = requireOperator(deps.auth, 'viewer');
  const naming = epcNaming(deps.ledger);

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
      querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'html'] } } },
    },
    handler: async (request, reply) => {
      const { delivery } = request.params as { delivery: string };
      const packet = await claimPacket(deps.port, normalizeKey(delivery));
      if (packet === undefined)
        throw new IdocgateError('DELIVERY_NOT_FOUND', `No goods-issued delivery ${delivery} in the ledger`);
      if ((request.query as { format?: string }).format === 'html')
        return reply.type('text/html; charset=utf-8').send(claimPacketHtml(packet, new Date()));
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
