/**
 * Partners post JSON: `POST /in/<contract>` (e.g. /in/handheld-goods-movement,
 * /in/wms-confirmation), one route per payload contract a partner can send, each documented with
 * the contract's JSON Schema. The body must be `application/json`; it is checked against the
 * contract (zod, all issues with JSON pointers) before anything is stored; the raw text is what
 * the gateway stores. An `Idempotency-Key` header makes retries safe: the same key from the same
 * partner answers 200 with the original message (`duplicate: true`); a new message answers 202.
 */
import type { FastifyInstance } from 'fastify';
import { checkPayload, contractJsonSchema, type PayloadContract } from '../contracts/registry.js';
import { IdocgateError } from '../errors.js';
import { requireSender, senderOf } from './auth.js';
import type { ApiDeps } from './deps.js';
import { ANY_CONTROL, controlCharacterIssues } from './guards.js';
import { jsonResult } from './sap-edges.js';
import { ingestResultSchema } from './schemas.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new IdocgateError('JSON_INVALID', `The request body is not valid JSON: ${message}`, {
      issues: [{ code: 'JSON_INVALID', path: '/', message }],
    });
  }
}

export async function partnerEdgeRoutes(
  app: FastifyInstance,
  deps: ApiDeps & { readonly partnerContracts: readonly PayloadContract[] },
): Promise<void> {
  const bodyLimit = deps.config.server.bodyLimit;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  for (const contract of deps.partnerContracts) {
    const { $id: _id, $schema: _schema, ...bodySchema } = contractJsonSchema(contract);
    app.post(`/in/${contract.name}`, {
      bodyLimit,
      onRequest: requireSender(deps.auth),
      // The body is validated by the contract (zod) in the handler, so its issues keep JSON pointers.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['Partner edges'],
        summary: `${contract.description} (contract ${contract.name})`,
        consumes: ['application/json'],
        body: bodySchema,
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': {
              type: 'string',
              description: 'Retries with the same key answer with the original message (duplicate: true)',
            },
          },
        },
        security: [{ apiKey: [] }, { bearer: [] }, { basic: [] }],
        response: { 200: ingestResultSchema, 202: ingestResultSchema },
      },
      handler: async (request, reply) => {
        const principal = senderOf(request);
        if (principal.kind !== 'partner')
          throw new IdocgateError('FORBIDDEN', 'JSON endpoints are for partners, not SAP ports');
        const profile = deps.config.partners[principal.name];
        if (!profile?.sends.some((s) => s.contract === contract.name)) {
          throw new IdocgateError(
            'FORBIDDEN',
            `partner "${principal.name}" is not configured to send ${contract.name} (partners.${principal.name}.sends)`,
          );
        }
        const keyHeader = request.headers['idempotency-key'];
        const idempotencyKey = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
        if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
          throw new IdocgateError(
            'REQUEST_INVALID',
            'Idempotency-Key must be 1-200 visible ASCII characters',
          );
        const text = typeof request.body === 'string' ? request.body : '';
        const json = parseJson(text);
        // No field of a partner contract holds control characters; NUL would fail the store and
        // a line break would break the flat IDoc the message becomes.
        const control = controlCharacterIssues(json, 'PAYLOAD_INVALID', ANY_CONTROL);
        if (control.length > 0)
          throw new IdocgateError('PAYLOAD_INVALID', `The body does not match contract ${contract.name}`, {
            issues: control,
          });
        const checked = checkPayload(contract, json);
        if (!checked.ok)
          throw new IdocgateError('PAYLOAD_INVALID', `The body does not match contract ${contract.name}`, {
            issues: checked.issues,
          });
        const result = await deps.gateway.ingest({
          channel: 'partner-json',
          principal,
          body: text,
          contentType: 'application/json',
          contract: contract.name,
          checked: checked.checked,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        });
        const answer = jsonResult(result);
        const first = result.messages[0];
        if (first !== undefined) void reply.header('location', `/api/messages/${first.id}`);
        request.log.info(
          {
            messageId: first?.id,
            partner: principal.name,
            contract: contract.name,
            duplicate: answer.duplicate,
          },
          answer.duplicate ? 'duplicate answered with the original message' : 'partner message stored',
        );
        return reply.code(answer.duplicate ? 200 : 202).send(answer);
      },
    });
  }
}
