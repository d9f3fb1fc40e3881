/**
 * A worker killed while it sends to SAP's XML-HTTP port (which does not drop a resent IDoc,
 * docs/sap-feedback.md): the worker that takes the stalled job over must not send it again — the
 * first attempt may have reached SAP, which would post it twice. It holds the message `in-doubt`
 * (TRANSPORT_ATTEMPT_INTERRUPTED) for SAP's audit or an operator. Found by the fault bench (worker
 * kill -9: a scan posted twice in the fake SAP). Webhook deliveries are still resent (the receiver
 * drops the repeat by Idempotency-Key: test/queues/recovery.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handheldScan, startHarness, startHangingWorker, type Harness } from '../pipeline/harness.js';

let h: Harness;
const tuning = { lockDurationMs: 1000, stalledIntervalMs: 250 };
const WAIT = { timeout: 20_000, interval: 50 };

beforeAll(async () => {
  h = await startHarness({
    label: 'interrupted',
    retry: { attempts: 3, backoff: 50, maxBackoff: 200, jitter: 0 },
  });
});
afterAll(async () => {
  await h.close();
});

describe('a delivery to SAP interrupted by a killed worker', () => {
  it('is held in doubt by the worker that takes it over, not sent to SAP again', async () => {
    // "Process 1": sends (SAP gets nothing here: the hanging transport stands for the request
    // that was written when the process died), then is killed.
    const engine1 = await startHangingWorker(h, 'sap-xml-http', tuning);
    const r = await h.runtime.ingest({
      channel: 'partner-json',
      principal: { kind: 'partner', name: 'handheld' },
      contract: 'handheld-goods-movement',
      body: handheldScan('HH-INTERRUPTED-1'),
      contentType: 'application/json',
    });
    const id = r.messages[0]!.id;
    await vi.waitFor(async () => expect((await h.store.get(id))?.status).toBe('processing'), WAIT);
    await engine1.close({ force: true });
    const before = h.sap.received.length;
    await h.startWorkers(tuning); // "process 2"
    await vi.waitFor(async () => expect((await h.store.get(id))?.status).toBe('in-doubt'), WAIT);
    const m = await h.store.get(id);
    expect(m?.lastError?.code).toBe('TRANSPORT_ATTEMPT_INTERRUPTED');
    expect(h.sap.received.length).toBe(before);
  });
});
