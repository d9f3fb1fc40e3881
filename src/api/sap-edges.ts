/**
 * Where SAP (and partners sending IDocs) post:
 *
 *   POST /sap/idoc-xml   IDoc-XML from SAP's XML-HTTP port (application/x-sap.idoc, application/xml,
 *                        text/xml): 200 + one short text line once stored; 4xx/5xx + a text line on
 *                        error (SAP shows it in SM58 / WE02).
 *   POST /sap/idoc-soap  IDoc-SOAP (text/xml, application/soap+xml): a SOAP response, or a SOAP fault.
 *   POST /upload/flat    flat IDoc files (text/plain, application/octet-stream).
 *
 * Bodies are read as raw bytes (never re-encoded) and handed to the gateway, which parses them
 * once, stores every IDoc and only then returns: the answer means "durable". Callers that send
 * `Accept: application/json` get the JSON result (the message ids) instead of text.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdocgateError } from '../errors.js';
import { soapFaultHttpStatus, writeSoapFault, writeSoapResponse } from '../idoc/soap.js';
import type { IngestChannel, IngestResult } from '../pipeline/gateway-port.js';
import { requireSender, senderOf } from './auth.js';
import type { ApiDeps } from './deps.js';
import { logProblem, problemText, toProblem } from './errors.js';
import { ingestResultSchema } from './schemas.js';

type Answer = 'text' | 'soap';

interface Edge {
  readonly url: string;
  readonly channel: IngestChannel;
  readonly contentTypes: readonly string[];
  readonly answer: Answer;
  readonly summary: string;
}

export const SAP_EDGES: readonly Edge[] = [
  {
    url: '/sap/idoc-xml',
    channel: 'sap-xml-http',
    contentTypes: ['application/x-sap.idoc', 'application/xml', 'text/xml'],
    answer: 'text',
    summary: "IDoc-XML from SAP's XML-HTTP port (one or more IDocs per request)",
  },
  {
    url: '/sap/idoc-soap',
    channel: 'sap-soap',
    contentTypes: ['text/xml', 'application/soap+xml'],
    answer: 'soap',
    summary: 'IDoc-SOAP (one IDoc per request, ARCKEY urn:sap.com:msgid=...)',
  },
  {
    url: '/upload/flat',
    channel: 'flat-upload',
    contentTypes: ['text/plain', 'application/octet-stream'],
    answer: 'text',
    summary: 'A flat IDoc file (EDI_DC40 control record + EDI_DD40 data records)',
  },
];

const RAW_TYPES = [
  'application/x-sap.idoc',
  'application/xml',
  'text/xml',
  'application/soap+xml',
  'text/plain',
  'application/octet-stream',
];

function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('xml');
}

function textAnswer(result: IngestResult): string {
  const n = result.messages.length;
  const dup = result.messages.filter((m) => m.duplicate).length;
  const list = result.messages.map((m) => m.docnum ?? m.id).join(' ');
  const dupText = dup > 0 ? `, ${dup} duplicate(s) of earlier messages` : '';
  return `OK ${n} IDoc(s) stored${dupText}: ${list}\n`;
}

/** The route's own error answer: text for SAP's port, a SOAP fault for SOAP, JSON on request. */
function errorHandler(answer: Answer, bodyLimit: number) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const p = toProblem(error, bodyLimit);
    logProblem(request, error, p);
    if (wantsJson(request))
      return reply.code(p.status).send({ code: p.code, message: p.message, issues: p.issues });
    if (answer === 'soap') {
      // SOAP 1.1: faults travel with HTTP 500; the fault code says whose fault it is.
      return reply
        .code(soapFaultHttpStatus(p.code))
        .type('text/xml; charset=utf-8')
        .send(writeSoapFault(p.code, problemText(p)));
    }
    return reply
      .code(p.status)
      .type('text/plain; charset=utf-8')
      .send(`${problemText(p)}\n`);
  };
}

export async function sapEdgeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const bodyLimit = deps.config.server.bodyLimit;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  for (const edge of SAP_EDGES) {
    app.post(edge.url, {
      bodyLimit,
      errorHandler: errorHandler(edge.answer, bodyLimit),
      onRequest: requireSender(deps.auth),
      schema: {
        tags: ['SAP edges'],
        summary: edge.summary,
        consumes: [...edge.contentTypes],
        produces: edge.answer === 'soap' ? ['text/xml'] : ['text/plain', 'application/json'],
        security: [{ basic: [] }, { apiKey: [] }, { bearer: [] }],
        response: { 200: ingestResultSchema },
      },
      handler: async (request, reply) => {
        const type = essence(request.headers['content-type']);
        if (!edge.contentTypes.includes(type)) {
          throw new IdocgateError(
            'UNSUPPORTED_MEDIA_TYPE',
            `${edge.url} accepts ${edge.contentTypes.join(', ')}, not "${type || '(none)'}"`,
          );
        }
        const body = request.body;
        if (!(body instanceof Uint8Array) || body.length === 0)
          throw new IdocgateError('IDOC_EMPTY_INPUT', 'The request body is empty');
        const result = await deps.gateway.ingest({
          channel: edge.channel,
          principal: senderOf(request),
          body,
          contentType: request.headers['content-type'] ?? type,
        });
        for (const m of result.messages) {
          request.log.info(
            { messageId: m.id, docnum: m.docnum, mestyp: m.messageType, duplicate: m.duplicate },
            m.duplicate ? 'duplicate IDoc answered with the original' : 'IDoc stored',
          );
        }
        if (result.messages.every((m) => m.duplicate)) void reply.header('x-idocgate-duplicate', 'true');
        if (wantsJson(request)) return reply.code(200).send(jsonResult(result));
        if (edge.answer === 'soap')
          return reply.code(200).type('text/xml; charset=utf-8').send(writeSoapResponse());
        return reply.code(200).type('text/plain; charset=utf-8').send(textAnswer(result));
      },
    });
  }
}

/** The JSON body of an ingest answer (shared with the partner edges). */
export function jsonResult(result: IngestResult): {
  duplicate: boolean;
  messages: IngestResult['messages'];
  warnings: IngestResult['warnings'];
} {
  return {
    duplicate: result.messages.length > 0 && result.messages.every((m) => m.duplicate),
    messages: result.messages,
    warnings: result.warnings,
  };
}
