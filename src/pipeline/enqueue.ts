/**
 * Handing a stored message to the work queue. The store is written first (markQueued with a new
 * generation token), then the job is added with id `<messageId>_<token>`, so a job never runs
 * ahead of its record. When the queue cannot be reached the message goes back to `received` and
 * the recovery job queues it later: it is durable either way.
 */
import type { PipelineDeps } from './deps.js';
import { destinationOf } from './routing.js';
import type { AdmissionStore, MessageRecord } from './store-port.js';

/** The generation number in an enqueue token (`3` -> 3; none -> 0). */
export function generationOf(token: string | null): number {
  const n = token === null ? 0 : Number.parseInt(token, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export type EnqueueResult = 'queued' | 'not-queueable' | 'queue-unavailable';

/**
 * Queues the message under a new generation. `not-queueable` when its status does not allow it
 * (someone else queued, claimed or finished it in the meantime).
 */
export async function enqueueMessage(
  deps: Pick<PipelineDeps<AdmissionStore>, 'store' | 'queue' | 'logger'>,
  message: MessageRecord,
  by: string,
  delayMs?: number,
): Promise<EnqueueResult> {
  const token = String(generationOf(message.enqueueToken) + 1);
  if (!(await deps.store.markQueued(message.id, token, by))) return 'not-queueable';
  return addJob(deps, message, token, by, delayMs);
}

/**
 * Adds the queue job of a message the store already holds as `queued` with `token` (committed).
 * When the queue cannot be reached the message goes back to `received`; a crash before the add
 * leaves it `queued` without a job, which the recovery job finds (findStuck + jobState missing).
 */
export async function addJob(
  deps: Pick<PipelineDeps<AdmissionStore>, 'store' | 'queue' | 'logger'>,
  message: MessageRecord,
  token: string,
  by: string,
  delayMs?: number,
): Promise<EnqueueResult> {
  try {
    await deps.queue.enqueue(
      destinationOf(message),
      { messageId: message.id, token },
      delayMs !== undefined && delayMs > 0 ? { delayMs } : {},
    );
    return 'queued';
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    deps.logger.warn(
      { messageId: message.id, err: text },
      'queue unavailable: message stays durable as received; the recovery job will queue it',
    );
    await deps.store
      .transition(message.id, 'received', {
        by,
        expectFrom: 'queued',
        text: `queue unavailable: ${text}`.slice(0, 500),
      })
      .catch(() => undefined);
    return 'queue-unavailable';
  }
}
