/**
 * The bench's fast path: the simulator's messages stored as the edges store them and marked
 * delivered, without HTTP, queues or mappings. It must give the same ledger rows as the real
 * gateway path (test/intelligence/gateway.test.ts compares them on a small run).
 */
import { toCanonical } from '../../idoc/codec-json.js';
import type { ReceiveInput, ReceiveStore } from '../../pipeline/store-port.js';
import type { GatewayMessage } from './payloads.js';

/** What the edge would store for a message. */
function receiptOf(m: GatewayMessage): ReceiveInput {
  if (m.edge === 'sap')
    return {
      direction: 'in',
      partner: 'wms',
      idocType: 'DELVRY07',
      messageType: m.messageType,
      docnum: m.idoc.control.DOCNUM ?? '',
      sender: { prt: 'LS', prn: 'PRDCLNT100' },
      idempotencyKey: m.key,
      raw: { format: 'json', content: JSON.stringify(toCanonical(m.idoc)) },
      by: 'sim:direct',
    };
  return {
    direction: 'in',
    partner: m.partner,
    messageType: m.messageType,
    idempotencyKey: m.key,
    raw: { format: 'json', content: JSON.stringify(m.json) },
    by: 'sim:direct',
  };
}

export async function storeDirect(store: ReceiveStore, m: GatewayMessage): Promise<void> {
  await storeDirectAll(store, [m], 1);
}

/**
 * Messages stored `window` at a time: a window's receipts are submitted together (the store's
 * group commit writes them with one statement, in submission order), then their transitions to
 * delivered, in the same order. The ledgers read messages by (updated_at, receipt_seq), both
 * taken in submission order, so they see the messages in the order given, as one at a time would.
 */
export async function storeDirectAll(
  store: ReceiveStore,
  messages: Iterable<GatewayMessage>,
  window = 64,
): Promise<number> {
  let stored = 0;
  let batch: GatewayMessage[] = [];
  const flush = async (): Promise<void> => {
    const received = await Promise.all(batch.map((m) => store.receive(receiptOf(m))));
    await Promise.all(
      received
        .filter((r) => !r.duplicate)
        .map((r) => store.transition(r.message.id, 'delivered', { by: 'sim:direct' })),
    );
    stored += received.length;
    batch = [];
  };
  for (const m of messages) {
    batch.push(m);
    if (batch.length >= window) await flush();
  }
  if (batch.length > 0) await flush();
  return stored;
}
