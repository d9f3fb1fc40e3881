/**
 * The support API under /api (operators only; role `viewer` reads, role `operator` also acts):
 *
 *   POST   /api/session                         sign in (basic password -> session token)
 *   DELETE /api/session                         sign out
 *   GET    /api/messages                        list / search (filters, cursor pages, counts per status)
 *   GET    /api/messages/:id                    one message: record, timeline, versions (with the
 *                                                hrefs of their derived forms), attempts, keys
 *   GET    /api/messages/:id/versions/:version  one payload version, as stored or ?as=flat|xml|json
 *   POST   /api/messages/:id/replay             replay as is, or with an edited payload (new version)
 *   POST   /api/messages/:id/cancel             no further processing
 *   POST   /api/messages/:id/confirm-posted     an in-doubt/unconfirmed message was posted (checked in SAP)
 *   POST   /api/bulk-replays                    replay everything a query matches (dryRun counts)
 *   GET    /api/bulk-replays/:id                progress
 *   POST   /api/bulk-replays/:id/:action        pause | resume | cancel
 *   GET    /api/dead-letters                    dead letters grouped by error code
 *   GET    /api/blocked-keys                    ordering keys held by a failing head
 *   GET    /api/audit                           who replayed, edited or cancelled what and why
 *
 * Handlers are thin: reads go to the Store, actions to the Gateway.
 */
import type { FastifyInstance } from 'fastify';
import { IdocgateError } from '../errors.js';
import { requireOperator, operatorOf } from './auth.js';
import type { ApiDeps } from './deps.js';
import { RENDER_FORMATS, renderVersion, type RenderFormat } from './render.js';
import {
  bulkReplayBodySchema,
  messageQuerySchema,
  messageRecordSchema,
  pageSchema,
  confirmBodySchema,
  reasonBodySchema,
  replayBodySchema,
  sessionBodySchema,
} from './schemas.js';
import { messageQueryParams, parseMessageQuery, type QueryParams } from './support-query.js';

const security = [{ basic: [] }, { session: [] }];
/**
 * IDoc formats whose versions are listed with their flat, XML and canonical-JSON forms (render.ts;
 * the JSON form is what the gateway once stored as the `parsed` version). A JSON version may be
 * partner JSON, which has no other form, so it is listed as stored only.
 */
const IDOC_VERSION_FORMATS: ReadonlySet<string> = new Set(['flat', 'xml', 'soap']);
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

function intParam(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new IdocgateError('QUERY_INVALID', `${name} must be an integer from ${min} to ${max}`);
  return n;
}

export async function supportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store, gateway } = deps;
  const viewer = requireOperator(deps.auth, 'viewer');
  const operator = requireOperator(deps.auth, 'operator');

  app.post('/api/session', {
    schema: {
      tags: ['Support'],
      summary: 'Sign in; returns a session token for Authorization: Bearer',
      body: sessionBodySchema,
    },
    handler: async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      const session = await deps.auth.openSession(username, password);
      if (session === undefined)
        throw new IdocgateError('AUTH_REQUIRED', 'unknown operator or wrong password');
      request.log.info({ operator: username }, 'operator signed in');
      return reply.code(201).send({
        token: session.token,
        operator: session.operator.name,
        role: session.operator.role,
        expiresAt: session.expiresAt.toISOString(),
      });
    },
  });

  app.delete('/api/session', {
    schema: { tags: ['Support'], summary: 'Sign out (ends the session token)', security },
    handler: async (request, reply) => reply.code(deps.auth.closeSession(request.headers) ? 204 : 404).send(),
  });

  app.get('/api/messages', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'List and search messages, newest first',
      security,
      querystring: {
        ...messageQuerySchema,
        properties: { ...messageQuerySchema.properties, ...pageSchema.properties },
      },
    },
    handler: async (request) => {
      const q = request.query as QueryParams;
      const limit = intParam(q['limit'], 'limit', 1, 500);
      const page = await store.search(parseMessageQuery(q), {
        ...(limit !== undefined ? { limit } : {}),
        ...(q['cursor'] ? { cursor: q['cursor'] } : {}),
      });
      return page;
    },
  });

  app.get('/api/messages/:id', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'One message with its timeline (status history), payload versions, attempts and keys',
      security,
      params: idParams,
      response: {
        200: { type: 'object', additionalProperties: true, properties: { message: messageRecordSchema } },
      },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const message = await store.get(id);
      if (message === undefined) throw new IdocgateError('MESSAGE_NOT_FOUND', `No message ${id}`);
      const [history, versions, attempts, searchKeys, audit] = await Promise.all([
        store.history(id),
        store.versions(id),
        store.attempts(id),
        store.searchKeys(id),
        store.audit({ messageId: id, limit: 100 }),
      ]);
      return {
        message,
        timeline: history,
        versions: versions.map((v) => ({
          version: v.version,
          kind: v.kind,
          format: v.format,
          contentType: v.contentType,
          size: typeof v.content === 'string' ? Buffer.byteLength(v.content) : v.content.byteLength,
          createdBy: v.createdBy,
          note: v.note,
          createdAt: v.createdAt,
          href: `/api/messages/${id}/versions/${v.version}`,
          // The other forms of an IDoc version are derived on read (nothing more is stored).
          ...(IDOC_VERSION_FORMATS.has(v.format)
            ? {
                forms: Object.fromEntries(
                  RENDER_FORMATS.map((f) => [f, `/api/messages/${id}/versions/${v.version}?as=${f}`]),
                ),
              }
            : {}),
        })),
        attempts,
        searchKeys,
        audit,
      };
    },
  });

  app.get('/api/messages/:id/versions/:version', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'One payload version, as stored or rendered as flat, XML or JSON',
      security,
      params: {
        type: 'object',
        required: ['id', 'version'],
        properties: { id: { type: 'string' }, version: { type: 'integer', minimum: 1 } },
      },
      querystring: { type: 'object', properties: { as: { type: 'string', enum: [...RENDER_FORMATS] } } },
    },
    handler: async (request, reply) => {
      const { id, version } = request.params as { id: string; version: number };
      const { as } = request.query as { as?: RenderFormat };
      if ((await store.get(id)) === undefined)
        throw new IdocgateError('MESSAGE_NOT_FOUND', `No message ${id}`);
      const found = (await store.versions(id)).find((v) => v.version === Number(version));
      if (found === undefined)
        throw new IdocgateError('MESSAGE_NOT_FOUND', `Message ${id} has no payload version ${version}`);
      const r = renderVersion(found, as, deps.definitions);
      return reply.type(r.contentType).send(typeof r.body === 'string' ? r.body : Buffer.from(r.body));
    },
  });

  app.post('/api/messages/:id/replay', {
    onRequest: operator,
    schema: {
      tags: ['Support'],
      summary: 'Replay a message as is, or with an edited payload (stored as a new version); audited',
      security,
      params: idParams,
      body: replayBodySchema,
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as {
        reason: string;
        edited?: { format: 'flat' | 'xml' | 'soap' | 'json' | 'text'; content: string };
      };
      const actor = operatorOf(request).name;
      const message = await gateway.replay(id, {
        actor,
        reason: body.reason,
        ...(body.edited ? { edited: body.edited } : {}),
      });
      request.log.info(
        { messageId: id, operator: actor, edited: body.edited !== undefined },
        'message replayed',
      );
      return { message };
    },
  });

  app.post('/api/messages/:id/cancel', {
    onRequest: operator,
    schema: {
      tags: ['Support'],
      summary: 'Cancel: no further processing; audited',
      security,
      params: idParams,
      body: reasonBodySchema,
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const { reason } = request.body as { reason: string };
      const actor = operatorOf(request).name;
      const message = await gateway.cancel(id, { actor, reason });
      request.log.info({ messageId: id, operator: actor }, 'message cancelled');
      return { message };
    },
  });

  app.post('/api/messages/:id/confirm-posted', {
    onRequest: operator,
    schema: {
      tags: ['Support'],
      summary:
        'Mark an in-doubt or unconfirmed message as posted after checking SAP (WE02); audited, releases its ordering key',
      security,
      params: idParams,
      body: confirmBodySchema,
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const { reason, document } = request.body as { reason: string; document?: string };
      const actor = operatorOf(request).name;
      const message = await gateway.confirmPosted(id, {
        actor,
        reason,
        ...(document !== undefined ? { document } : {}),
      });
      request.log.info({ messageId: id, operator: actor }, 'message confirmed as posted');
      return { message };
    },
  });

  app.post('/api/bulk-replays', {
    onRequest: operator,
    schema: {
      tags: ['Support'],
      summary: 'Replay every message a query matches, throttled; dryRun only counts',
      security,
      body: bulkReplayBodySchema,
    },
    handler: async (request, reply) => {
      const body = request.body as {
        query: QueryParams;
        reason: string;
        ratePerSecond?: number;
        dryRun?: boolean;
      };
      const query = parseMessageQuery(body.query);
      const actor = operatorOf(request).name;
      const result = await gateway.bulkReplay({
        query,
        actor,
        reason: body.reason,
        ...(body.ratePerSecond !== undefined ? { ratePerSecond: body.ratePerSecond } : {}),
        ...(body.dryRun !== undefined ? { dryRun: body.dryRun } : {}),
      });
      request.log.info({ operator: actor, count: result.count, dryRun: body.dryRun === true }, 'bulk replay');
      if (result.job) void reply.header('location', `/api/bulk-replays/${result.job.id}`);
      // the query as run, in the words of GET /api/messages: the same for the dry run and the job
      return reply.code(result.job ? 202 : 200).send({ ...result, query: messageQueryParams(result.query) });
    },
  });

  app.get('/api/bulk-replays/:id', {
    onRequest: viewer,
    schema: { tags: ['Support'], summary: 'Progress of a bulk replay', security, params: idParams },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const job = gateway.bulkJob(id);
      if (job === undefined) throw new IdocgateError('BULK_JOB_NOT_FOUND', `No bulk replay job ${id}`);
      return job;
    },
  });

  app.post('/api/bulk-replays/:id/:action', {
    onRequest: operator,
    schema: {
      tags: ['Support'],
      summary: 'Pause, resume or cancel a bulk replay',
      security,
      params: {
        type: 'object',
        required: ['id', 'action'],
        properties: {
          id: { type: 'string' },
          action: { type: 'string', enum: ['pause', 'resume', 'cancel'] },
        },
      },
    },
    handler: async (request) => {
      const { id, action } = request.params as { id: string; action: 'pause' | 'resume' | 'cancel' };
      const job = gateway.controlBulkJob(id, action, operatorOf(request).name);
      if (job === undefined) throw new IdocgateError('BULK_JOB_NOT_FOUND', `No bulk replay job ${id}`);
      return job;
    },
  });

  app.get('/api/dead-letters', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'Dead letters grouped by error code, with counts, age and sample ids',
      security,
      querystring: {
        type: 'object',
        properties: {
          partner: { type: 'string' },
          direction: { type: 'string', enum: ['in', 'out'] },
          sampleSize: { type: 'integer', minimum: 1, maximum: 100 },
        },
      },
    },
    handler: async (request) => {
      const q = request.query as { partner?: string; direction?: 'in' | 'out'; sampleSize?: number };
      const groups = await store.deadLetters({
        ...(q.partner ? { partner: q.partner } : {}),
        ...(q.direction ? { direction: q.direction } : {}),
        ...(q.sampleSize !== undefined ? { sampleSize: q.sampleSize } : {}),
      });
      return { total: groups.reduce((n, g) => n + g.count, 0), groups };
    },
  });

  app.get('/api/blocked-keys', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'Ordering keys whose head failed or is dead, with how many messages wait behind it',
      security,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
    },
    handler: async (request) => {
      const { limit } = request.query as { limit?: number };
      return { keys: await store.blockedKeys(limit) };
    },
  });

  app.get('/api/audit', {
    onRequest: viewer,
    schema: {
      tags: ['Support'],
      summary: 'Audit log, newest first',
      security,
      querystring: {
        type: 'object',
        properties: {
          messageId: { type: 'string' },
          actor: { type: 'string' },
          action: { type: 'string' },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
          beforeId: { type: 'integer', minimum: 1 },
        },
      },
    },
    handler: async (request) => {
      const q = request.query as {
        messageId?: string;
        actor?: string;
        action?: string;
        from?: string;
        to?: string;
        limit?: number;
        beforeId?: number;
      };
      const entries = await store.audit({
        ...(q.messageId ? { messageId: q.messageId } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
        ...(q.beforeId !== undefined ? { beforeId: q.beforeId } : {}),
      });
      return { entries };
    },
  });
}
