/**
 * The bench's fast path: the simulator's messages stored as the edges store them and marked
 * delivered, without HTTP, queues or mappings. It must give the same ledger rows as the real
 * gateway path (test/intelligence/gateway.test.ts compares them on a small run).
 */
import { toCanonical } from '../../idoc/codec-json.js';
import type { ReceiveStore } from '../../pipeline/store-port.js';
import type { GatewayMessage } from './payloads.js';

export async function storeDirect(store: ReceiveStore, m: GatewayMessage): Promise<void> {
  if (m.edge === 'sap') {
    const json = JSON.stringify(toCanonical(m.idoc));
    const r = await store.receive({
      direction: 'in',
      partner: 'wms',
      idocType: 'DELVRY07',
      messageType: m.messageType,
      docnum: m.idoc.control.DOCNUM ?? '',
      sender: { prt: 'LS', prn: 'PRDCLNT100' },
      idempotencyKey: m.key,
      raw: { format: 'json', content: json },
      by: 'sim:direct',
    });
    if (!r.duplicate) await store.transition(r.message.id, 'delivered', { by: 'sim:direct' });
    return;
  }
  const r = await store.receive({
    direction: 'in',
    partner: m.partner,
    messageType: m.messageType,
    idempotencyKey: m.key,
    raw: { format: 'json', content: JSON.stringify(m.json) },
    by: 'sim:direct',
  });
  if (!r.duplicate) await store.transition(r.message.id, 'delivered', { by: 'sim:direct' });
}
