/**
 * The recovery job (run by the scheduler every few seconds, one run at a time) and retention.
 * Recovery finds what the queue lost or never got:
 *   - messages still `received` (stored, never queued: Redis was down, the process died);
 *   - messages `queued`/`processing`/`failed` whose job is gone from the queue (Redis lost its
 *     data, a worker was killed and its job given up) -> new generation, queued again;
 *   - `blocked` messages that are the head of their ordering key (a release that never happened).
 * Safe to run while workers run: every step is a compare-and-set on the message's status.
 */
import type { DeliverDeps } from './deps.js';
import { enqueueMessage } from './enqueue.js';
import { admit } from './ordering.js';
import { destinationOf } from './routing.js';

export interface RecoveryOptions {
  /** Grace period: only messages unchanged for this long are looked at (default 30 s). */
  readonly olderThanMs?: number;
  /** Per category per run (default 500). */
  readonly limit?: number;
}

export interface RecoveryReport {
  readonly unqueued: number;
  readonly jobsRestored: number;
  readonly released: number;
  /** Delivered to SAP, but no application status within the port's window: now `unconfirmed`. */
  readonly unconfirmed: number;
}

export async function recover(deps: DeliverDeps, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const { store, queue } = deps;
  const now = deps.clock.now();
  const olderThan = new Date(now - (options.olderThanMs ?? 30_000));
  const limit = options.limit ?? 500;
  let unqueued = 0;
  let jobsRestored = 0;
  let released = 0;
  let unconfirmed = 0;

  for (const m of await store.findUnqueued(olderThan, limit)) {
    const r = await admit(deps, m, 'recovery');
    if (r === 'queued' || r === 'blocked') unqueued++;
  }

  for (const m of await store.findStuck({ olderThan, statuses: ['queued', 'processing', 'failed'], limit })) {
    if (m.enqueueToken !== null) {
      const state = await queue.jobState(destinationOf(m), { messageId: m.id, token: m.enqueueToken });
      if (state !== 'missing' && state !== 'completed' && state !== 'failed') continue;
    }
    if (m.status === 'processing') {
      // The worker that held it is gone with its job: count the attempt as failed and go again.
      const ok = await store.transition(m.id, 'failed', {
        by: 'recovery',
        expectFrom: 'processing',
        text: 'the worker or its queue job was lost; re-queued by recovery',
      });
      if (!ok) continue;
    }
    const delayMs = m.status === 'failed' && m.nextAttemptAt !== null ? m.nextAttemptAt.getTime() - now : 0;
    const fresh = await store.get(m.id);
    if (fresh === undefined) continue;
    if ((await enqueueMessage(deps, fresh, 'recovery', delayMs)) === 'queued') jobsRestored++;
  }

  for (const m of await store.findStuck({ olderThan, statuses: ['blocked'], limit })) {
    if (m.orderingKey === null) {
      if ((await enqueueMessage(deps, m, 'recovery')) === 'queued') released++;
      continue;
    }
    const head = await store.headOfKey(m.orderingKey);
    if (head?.id === m.id && (await enqueueMessage(deps, m, 'recovery')) === 'queued') released++;
  }

  // Never assumed posted: SAP said nothing within the port's window (feedback.confirmWithin).
  for (const m of await store.findUnconfirmed(new Date(now), limit)) {
    const ok = await store.transition(m.id, 'unconfirmed', {
      by: 'recovery',
      expectFrom: 'delivered',
      text: "no application status from SAP within the port's window (feedback.confirmWithin): check WE02 in SAP",
      confirmBy: null,
    });
    if (ok) {
      unconfirmed++;
      deps.metrics.count('unconfirmed', {
        partner: m.partner ?? '-',
        messageType: m.messageType ?? '-',
        direction: m.direction,
      });
    }
  }

  try {
    for (const [name, d] of Object.entries(await queue.depths())) {
      deps.metrics.setQueueDepth(name, 'waiting', d.waiting);
      deps.metrics.setQueueDepth(name, 'active', d.active);
      deps.metrics.setQueueDepth(name, 'delayed', d.delayed);
    }
  } catch {
    // depth gauges are best effort
  }
  const report = { unqueued, jobsRestored, released, unconfirmed };
  if (unqueued + jobsRestored + released > 0) deps.logger.warn({ ...report }, 'recovery re-queued messages');
  if (unconfirmed > 0)
    deps.logger.warn({ unconfirmed }, "messages without SAP's application status are unconfirmed");
  return report;
}

/** Retention: deletes finished messages older than `retention.keep`, audited. */
export async function purgeExpired(deps: DeliverDeps): Promise<number> {
  const before = new Date(deps.clock.now() - deps.config.retention.keep);
  const { messages } = await deps.store.purgeOlderThan(before);
  if (messages > 0) {
    await deps.store.appendAudit({
      actor: 'retention',
      action: 'purge',
      details: { before: before.toISOString(), messages },
    });
    deps.logger.info({ messages, before: before.toISOString() }, 'retention purged finished messages');
  }
  return messages;
}
