/**
 * Bulk replay by query: a dry run answers the count; a real run snapshots the matching ids (oldest
 * first, so ordering keys keep their order) and replays them at a rate per second in the
 * background, with progress, pause, resume and cancel. Job state lives in this process (it is
 * lost on restart; what was replayed is in the audit log). Without a status filter the query
 * targets dead letters only: a bulk replay never re-sends delivered messages by accident.
 */
import { IdocgateError } from '../errors.js';
import type { SupportDeps } from './deps.js';
import type { BulkJobStatus, BulkReplayRequest, BulkReplayResult } from './gateway-port.js';
import { REPLAYABLE } from './lifecycle.js';
import { replay } from './replay.js';
import type { MessageQuery } from './store-port.js';

interface BulkJob {
  status: BulkJobStatus;
  readonly abort: AbortController;
  resume: (() => void) | undefined;
}

export const DEFAULT_BULK_RATE = 20;

/** The query as run: statuses limited to replayable ones (default: dead). */
export function bulkQuery(query: MessageQuery): MessageQuery {
  const statuses = (query.statuses ?? ['dead']).filter((s) => REPLAYABLE.includes(s));
  if (statuses.length === 0) {
    throw new IdocgateError('QUERY_INVALID', `bulk replay takes messages in status ${REPLAYABLE.join(', ')}`);
  }
  return { ...query, statuses };
}

export class BulkReplays {
  readonly #jobs = new Map<string, BulkJob>();
  readonly #deps: SupportDeps;

  constructor(deps: SupportDeps) {
    this.#deps = deps;
  }

  async start(request: BulkReplayRequest): Promise<BulkReplayResult> {
    const deps = this.#deps;
    const query = bulkQuery(request.query);
    const rate = request.ratePerSecond ?? DEFAULT_BULK_RATE;
    if (!(rate > 0 && rate <= 10_000))
      throw new IdocgateError('QUERY_INVALID', 'ratePerSecond must be in (0, 10000]');
    const count = await deps.store.countByQuery(query);
    if (request.dryRun === true) return { count, query };
    const ids = await this.#snapshot(query);
    const id = deps.newId();
    await deps.store.appendAudit({
      actor: request.actor,
      action: 'bulk-replay',
      reason: request.reason,
      query,
      details: { job: id, total: ids.length, ratePerSecond: rate },
    });
    const job: BulkJob = {
      status: {
        id,
        state: 'running',
        total: ids.length,
        done: 0,
        failed: 0,
        startedAt: new Date(deps.clock.now()),
        actor: request.actor,
      },
      abort: new AbortController(),
      resume: undefined,
    };
    this.#jobs.set(id, job);
    void this.#run(job, ids, rate, request);
    return { count, query, job: job.status };
  }

  async #snapshot(query: MessageQuery): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.#deps.store.search(query, {
        limit: 500,
        withCounts: false,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      for (const m of page.items) ids.push(m.id);
      if (page.nextCursor === null || ids.length >= 1_000_000) break;
      cursor = page.nextCursor;
    }
    return ids.reverse(); // oldest first
  }

  async #run(job: BulkJob, ids: readonly string[], rate: number, request: BulkReplayRequest): Promise<void> {
    const deps = this.#deps;
    const gap = 1000 / rate;
    for (const id of ids) {
      while (job.status.state === 'paused') {
        await new Promise<void>((resolve) => (job.resume = resolve));
      }
      if (job.status.state === 'cancelled') break;
      const started = deps.clock.now();
      try {
        await replay(deps, id, { actor: request.actor, reason: `bulk ${job.status.id}: ${request.reason}` });
        job.status = { ...job.status, done: job.status.done + 1 };
      } catch (e) {
        job.status = { ...job.status, failed: job.status.failed + 1 };
        deps.logger.warn(
          { messageId: id, job: job.status.id, err: e instanceof Error ? e.message : String(e) },
          'bulk replay: message skipped',
        );
      }
      const wait = gap - (deps.clock.now() - started);
      if (wait > 0) await deps.sleep(wait, job.abort.signal);
    }
    if (job.status.state !== 'cancelled') job.status = { ...job.status, state: 'done' };
    await deps.store
      .appendAudit({
        actor: request.actor,
        action: 'bulk-replay-finished',
        reason: request.reason,
        details: {
          job: job.status.id,
          state: job.status.state,
          done: job.status.done,
          failed: job.status.failed,
        },
      })
      .catch(() => undefined);
  }

  get(id: string): BulkJobStatus | undefined {
    return this.#jobs.get(id)?.status;
  }

  control(id: string, action: 'pause' | 'resume' | 'cancel', actor: string): BulkJobStatus | undefined {
    const job = this.#jobs.get(id);
    if (job === undefined) return undefined;
    const state = job.status.state;
    if (state === 'done' || state === 'cancelled') return job.status;
    if (action === 'pause' && state === 'running') job.status = { ...job.status, state: 'paused' };
    if (action === 'resume' && state === 'paused') job.status = { ...job.status, state: 'running' };
    if (action === 'cancel') {
      job.status = { ...job.status, state: 'cancelled' };
      job.abort.abort();
    }
    if (action !== 'pause') {
      job.resume?.();
      job.resume = undefined;
    }
    void this.#deps.store
      .appendAudit({ actor, action: `bulk-replay-${action}`, details: { job: id } })
      .catch(() => undefined);
    return job.status;
  }

  /** Cancels every running job (shutdown). */
  cancelAll(): void {
    for (const [id, job] of this.#jobs) {
      if (job.status.state === 'running' || job.status.state === 'paused')
        this.control(id, 'cancel', 'shutdown');
    }
  }
}
