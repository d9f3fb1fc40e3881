/**
 * Ordering per key, like SAP's qRFC / EOIO: among the unfinished messages of one ordering key
 * only the oldest (the head, store.headOfKey) is queued; the others wait as `blocked`. When the
 * head finishes (delivered or cancelled) the next one is queued. A dead head keeps its key
 * blocked until it is replayed or cancelled. Other keys flow.
 *
 * Ordering key syntax (partner profile `sends[].orderingKey` / `receives[].orderingKey`):
 *   `<kind>`          the first business key of that kind (`delivery`, `serial`, `hu`, `po`, ...)
 *   `EDI_DC40.<FIELD>` a control-record field (e.g. `EDI_DC40.SERIAL`, SAP's serialization field)
 * The stored key is `<partner>/<spec>=<value>`: ordering is per partner profile. A message
 * without a value for the spec is not ordered.
 */
import type { ControlFieldName, ControlRecord } from '../idoc/model.js';
import type { PipelineDeps } from './deps.js';
import { enqueueMessage, type EnqueueResult } from './enqueue.js';
import type { AdmissionStore, MessageRecord, SearchKey } from './store-port.js';

/** ALPHA-out: an all-digit value without leading zeros, anything else trimmed. */
function canonical(value: string): string {
  const v = value.trim();
  return /^\d+$/.test(v) ? v.replace(/^0+(?=\d)/, '') : v;
}

export function orderingKeyFor(
  spec: string | undefined,
  partner: string,
  keys: readonly SearchKey[],
  control?: ControlRecord,
): string | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  let value: string | undefined;
  if (spec.startsWith('EDI_DC40.')) {
    value = control?.[spec.slice('EDI_DC40.'.length) as ControlFieldName];
  } else {
    value = keys.find((k) => k.kind === spec)?.value;
  }
  if (value === undefined || value.trim() === '') return undefined;
  return `${partner}/${spec}=${canonical(value)}`;
}

export type AdmitResult = EnqueueResult | 'blocked';

/**
 * Queues a message that is ready to go (received, or reopened by a replay) unless an older
 * message of its ordering key is unfinished, in which case it waits as `blocked`.
 */
export async function admit(
  deps: Pick<PipelineDeps<AdmissionStore>, 'store' | 'queue' | 'logger'>,
  message: MessageRecord,
  by: string,
): Promise<AdmitResult> {
  if (message.orderingKey !== null) {
    const head = await deps.store.headOfKey(message.orderingKey);
    if (head !== undefined && head.id !== message.id) {
      const blocked = await deps.store.transition(message.id, 'blocked', {
        by,
        expectFrom: ['received', 'queued', 'failed'],
        text: `waits for ${head.id} (${head.status}) of ordering key ${message.orderingKey}`,
      });
      if (blocked) return 'blocked';
      // It changed under us (e.g. the head finished and released it): fall through.
      const now = await deps.store.get(message.id);
      if (now === undefined || now.status !== 'received') return 'not-queueable';
      return enqueueMessage(deps, now, by);
    }
  }
  return enqueueMessage(deps, message, by);
}

/**
 * Called when a message of the key finished (delivered, cancelled): queues the next head when it
 * is waiting. Safe to call more than once; the recovery job calls it too.
 */
export async function releaseKey(
  deps: Pick<PipelineDeps<AdmissionStore>, 'store' | 'queue' | 'logger'>,
  orderingKey: string,
  by: string,
): Promise<string | undefined> {
  const head = await deps.store.headOfKey(orderingKey);
  if (head === undefined) return undefined;
  if (head.status !== 'blocked' && head.status !== 'received') return undefined;
  const r = await enqueueMessage(deps, head, by);
  return r === 'queued' ? head.id : undefined;
}
