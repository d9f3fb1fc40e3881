/**
 * A Gateway TEST DOUBLE for route tests: it records every call and stores what it is given in the
 * real store (so duplicates, search and the support API behave), but queues nothing and delivers
 * nothing. End-to-end tests use the real gateway instead.
 */
import { randomUUID } from 'node:crypto';
import type { DefinitionRegistry } from '../../src/definitions/registry.js';
import { IdocgateError } from '../../src/errors.js';
import { readIdocs } from '../../src/idoc/codec.js';
import { parseSoap } from '../../src/idoc/soap.js';
import type { GatewayRuntime } from '../../src/app.js';
import type {
  BulkJobStatus,
  BulkReplayRequest,
  IngestRequest,
  IngestResult,
  ReplayOptions,
} from '../../src/pipeline/gateway-port.js';
import type { MessageRecord, Store } from '../../src/pipeline/store-port.js';

export interface RecordingGateway extends GatewayRuntime {
  readonly ingested: IngestRequest[];
  readonly replays: { id: string; options: ReplayOptions }[];
  readonly cancels: { id: string; actor: string; reason: string }[];
  readonly bulk: BulkReplayRequest[];
  /** Make the next ingest throw this. */
  failNext(error: Error): void;
}

export function recordingGateway(store: Store, definitions: DefinitionRegistry): RecordingGateway {
  const ingested: IngestRequest[] = [];
  const replays: { id: string; options: ReplayOptions }[] = [];
  const cancels: { id: string; actor: string; reason: string }[] = [];
  const bulk: BulkReplayRequest[] = [];
  const jobs = new Map<string, BulkJobStatus>();
  let failure: Error | undefined;

  async function mustGet(id: string): Promise<MessageRecord> {
    const m = await store.get(id);
    if (!m) throw new IdocgateError('MESSAGE_NOT_FOUND', `No message ${id}`);
    return m;
  }

  return {
    ingested,
    replays,
    cancels,
    bulk,
    failNext(error) {
      failure = error;
    },
    async ingest(request: IngestRequest): Promise<IngestResult> {
      ingested.push(request);
      if (failure) {
        const f = failure;
        failure = undefined;
        throw f;
      }
      const partner = request.principal.kind === 'partner' ? request.principal.name : undefined;
      if (request.channel === 'partner-json') {
        const text =
          typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
        const r = await store.receive({
          direction: 'in',
          ...(partner ? { partner } : {}),
          channel: 'http',
          messageType: request.contract ?? 'json',
          ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
          raw: { format: 'json', content: text, contentType: 'application/json' },
          by: 'edge:http',
        });
        return {
          messages: [
            {
              id: r.message.id,
              status: r.message.status,
              duplicate: r.duplicate,
              docnum: null,
              messageType: r.message.messageType,
            },
          ],
          warnings: [],
        };
      }
      const idocs =
        request.channel === 'sap-soap'
          ? parseSoap(request.body).idocs
          : readIdocs(request.body, definitions).idocs;
      const format =
        request.channel === 'sap-soap' ? 'soap' : request.channel === 'flat-upload' ? 'flat' : 'xml';
      const messages = [];
      for (const idoc of idocs) {
        const c = idoc.control;
        const r = await store.receive({
          direction: 'in',
          ...(partner ? { partner } : {}),
          channel: request.channel,
          ...(c.IDOCTYP ? { idocType: c.IDOCTYP } : {}),
          ...(c.MESTYP ? { messageType: c.MESTYP } : {}),
          ...(c.DOCNUM ? { docnum: c.DOCNUM } : {}),
          ...(c.SNDPRN ? { sender: { prt: c.SNDPRT ?? 'LS', prn: c.SNDPRN } } : {}),
          raw: {
            format,
            content:
              typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8'),
          },
          by: 'edge:http',
        });
        messages.push({
          id: r.message.id,
          status: r.message.status,
          duplicate: r.duplicate,
          docnum: r.message.docnum,
          messageType: r.message.messageType,
        });
      }
      return { messages, warnings: [] };
    },
    async replay(id, options) {
      replays.push({ id, options });
      const m = await mustGet(id);
      if (options.edited)
        await store.addVersion(id, {
          kind: 'edited',
          format: options.edited.format,
          content: options.edited.content,
          createdBy: options.actor,
          note: options.reason,
          audit: { actor: options.actor, action: 'edit', reason: options.reason },
        });
      await store.appendAudit({
        actor: options.actor,
        action: 'replay',
        reason: options.reason,
        messageId: id,
      });
      return m;
    },
    async cancel(id, options) {
      cancels.push({ id, ...options });
      await mustGet(id);
      await store.transition(id, 'cancelled', { by: options.actor, text: options.reason });
      await store.appendAudit({
        actor: options.actor,
        action: 'cancel',
        reason: options.reason,
        messageId: id,
      });
      return mustGet(id);
    },
    async confirmPosted(id, options) {
      await mustGet(id);
      await store.transition(id, 'posted', { by: options.actor, text: options.reason });
      return mustGet(id);
    },
    async bulkReplay(request) {
      bulk.push(request);
      const query = request.query; // as given: the real limits (bulkQuery) are the pipeline's tests'
      const count = await store.countByQuery(query);
      if (request.dryRun) return { count, query };
      const job: BulkJobStatus = {
        id: randomUUID(),
        state: 'running',
        total: count,
        done: 0,
        failed: 0,
        startedAt: new Date(),
        actor: request.actor,
      };
      jobs.set(job.id, job);
      return { count, query, job };
    },
    bulkJob: (id) => jobs.get(id),
    controlBulkJob(id, action) {
      const job = jobs.get(id);
      if (!job) return undefined;
      const state = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'cancelled';
      const next = { ...job, state } as BulkJobStatus;
      jobs.set(id, next);
      return next;
    },
    async close() {
      // nothing started
    },
  };
}
