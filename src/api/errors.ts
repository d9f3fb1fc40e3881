/**
 * One error handler for the whole HTTP surface: IdocgateError codes map to their catalogue HTTP
 * status, Fastify's own errors (body too large, unsupported media type, bad JSON, schema
 * validation) to catalogue codes, anything else to 500 INTERNAL_ERROR (logged, details hidden).
 * The body is always a problem object `{ code, message, issues }`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOGUE, isIdocgateError, type ErrorCode, type Issue } from '../errors.js';

export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly Issue[];
}

/** JSON Schema of the problem body, for the OpenAPI document. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  required: ['code', 'message', 'issues'],
  properties: {
    code: { type: 'string', description: 'Stable error code from the catalogue (src/errors.ts)' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          path: { type: 'string' },
          severity: { type: 'string', enum: ['error', 'warning'] },
          details: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'JSON_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'JSON_INVALID',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_INVALID',
  FST_ERR_VALIDATION: 'REQUEST_INVALID',
};

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

/** The 4xx status of an http-errors style error (`expose: true`, statusCode 400-499), else undefined. */
function clientStatus(e: unknown): number | undefined {
  if (!(e instanceof Error)) return undefined;
  const { statusCode, expose } = e as { statusCode?: unknown; expose?: unknown };
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && expose === true
    ? statusCode
    : undefined;
}

/** The problem an error answers with. `bodyLimit` makes the 413 message say the limit. */
export function toProblem(error: unknown, bodyLimit?: number): Problem {
  if (isIdocgateError(error)) {
    return { status: error.httpStatus, code: error.code, message: error.message, issues: error.issues };
  }
  if (isFastifyError(error)) {
    const code = FASTIFY_CODES[error.code];
    if (code === 'REQUEST_INVALID' && error.validation) {
      // A bad query string is the documented QUERY_INVALID, each unknown parameter named.
      const query = error.validationContext === 'querystring';
      const issueCode = query ? 'QUERY_INVALID' : 'REQUEST_INVALID';
      const issues: Issue[] = error.validation.map((v) => {
        const unknown = (v.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
        if (v.keyword === 'additionalProperties' && typeof unknown === 'string')
          return {
            code: issueCode,
            path: query ? unknown : `${error.validationContext ?? ''}${v.instancePath}/${unknown}`,
            message: query
              ? `unknown query parameter "${unknown}"`
              : `${error.validationContext ?? 'request'}${v.instancePath} has an unknown property "${unknown}"`,
          };
        const param = v.instancePath.replace(/^\//, '');
        return {
          code: issueCode,
          path: query ? param : `${error.validationContext ?? ''}${v.instancePath}`,
          message: query
            ? `query parameter "${param}" ${v.message ?? 'is invalid'}`
            : `${error.validationContext ?? 'request'}${v.instancePath} ${v.message ?? 'is invalid'}`,
        };
      });
      const message = query ? issues.map((i) => i.message).join('; ') : error.message;
      return { status: 400, code: query ? 'QUERY_INVALID' : code, message, issues };
    }
    if (code === 'REQUEST_BODY_TOO_LARGE') {
      const limit = bodyLimit !== undefined ? ` of ${bodyLimit} bytes (server.bodyLimit)` : '';
      return { status: 413, code, message: `The request body is larger than the limit${limit}`, issues: [] };
    }
    if (code !== undefined) {
      return { status: ERROR_CATALOGUE[code].httpStatus, code, message: error.message, issues: [] };
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return { status: error.statusCode, code: 'REQUEST_INVALID', message: error.message, issues: [] };
    }
  }
  const status = clientStatus(error);
  if (status !== undefined) {
    // http-errors of plugins (e.g. @fastify/static's 403 for a path that leaves its root): the
    // caller's fault, said as such, never a 500.
    const code: ErrorCode =
      status === 403 ? 'FORBIDDEN' : status === 404 ? 'ROUTE_NOT_FOUND' : 'REQUEST_INVALID';
    return { status, code, message: ERROR_CATALOGUE[code].summary, issues: [] };
  }
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: ERROR_CATALOGUE.INTERNAL_ERROR.summary,
    issues: [],
  };
}

/** One line of text for callers that show text (SAP's SM58 / WE02). */
export function problemText(p: Problem): string {
  // An issue that only repeats the message (a parser's single error) is not said twice.
  const issues = p.issues.filter((i) => i.message !== p.message);
  const first = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  return `${p.code}: ${p.message}${first ? ` (${first}${issues.length > 5 ? '; ...' : ''})` : ''}`;
}

export function logProblem(request: FastifyRequest, error: unknown, p: Problem): void {
  if (p.status >= 500) request.log.error({ err: error, code: p.code }, 'request failed');
  else request.log.info({ code: p.code, status: p.status }, p.message);
}

/** `Retry-After` for an answer that says when to come back (LOGIN_LOCKED). */
export function retryAfter(reply: FastifyReply, p: Problem): void {
  const seconds = p.issues.find((i) => typeof i.details?.['retryAfterSeconds'] === 'number')?.details?.[
    'retryAfterSeconds'
  ];
  if (typeof seconds === 'number') void reply.header('retry-after', String(seconds));
}

/** Installs the JSON problem error handler and the 404 handler on `app`. */
export function registerErrorHandling(app: FastifyInstance, bodyLimit?: number): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const p = toProblem(error, bodyLimit);
    logProblem(request, error, p);
    retryAfter(reply, p);
    return reply.code(p.status).type('application/json; charset=utf-8').send({
      code: p.code,
      message: p.message,
      issues: p.issues,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'ROUTE_NOT_FOUND',
      message: `No endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`,
      issues: [],
    }),
  );
}
