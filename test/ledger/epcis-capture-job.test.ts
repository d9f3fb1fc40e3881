/**
 * The EPCIS capture job on a real ledger (PGlite and PostgreSQL) and the real `epcis-capture`
 * transport against a local HTTP server: new events go out as valid EPCIS documents in id order,
 * the watermark moves only after the repository accepted a document, nothing is sent twice, and
 * a failed capture is retried with the same events on the next tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epcNaming } from '../../src/ledger/serials/epcis/identifiers.js';
import { validateEpcis } from '../../src/ledger/serials/epcis/validate.js';
import { runEpcisCapture, type CapturePort } from '../../src/ledger/serials/epcis-capture-job.js';
import {
  captureStatus,
  markCaptured,
  markCaptureFailed,
  pendingCapture,
} from '../../src/store/serials/capture.js';
import { createTransport } from '../../src/transports/registry.js';
import type { Transport } from '../../src/transports/types.js';
import { backends } from '../store/backends.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { openLedger, type LedgerHarness } from './support.js';
import { scan, TRAFFIC_LEDGER_CONFIG } from './traffic.js';

const TOKEN = 'epcis-job-token-5151';

interface Doc {
  type: string;
  epcisBody: { eventList: { eventID: string; bizStep?: string }[] };
}

for (const backend of backends('epcis_job')) {
  describe.skipIf(!backend.available)(`EPCIS capture job on ${backend.name}`, () => {
    let h: LedgerHarness;
    let repo: FakeWebhook;
    let transport: Transport;
    let port: CapturePort;
    const run = (batchSize = 500) =>
      runEpcisCapture({
        port,
        transport,
        naming: epcNaming(h.config),
        clock: h.clock.now,
        batchSize,
      });
    const docs = (): Doc[] => repo.received.map((r) => r.json as Doc);
    const eventIds = (): string[] => docs().flatMap((d) => d.epcisBody.eventList.map((e) => e.eventID));

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: { frequency: { enabled: false } } });
      repo = await startFakeWebhook({ token: TOKEN, path: '/epcis/capture' });
      transport = await createTransport(
        'epcis-capture',
        { url: repo.url.replace(/\/capture$/, ''), authHeader: { value: `Bearer ${TOKEN}` }, timeout: 5000 },
        { clock: { now: () => h.clock.now().getTime() } },
      );
      const db = h.store.db;
      port = {
        pending: (n) => pendingCapture(db, n),
        captured: (from, to, count, at, ref) => markCaptured(db, from, to, count, at, ref),
        failed: (at, error) => markCaptureFailed(db, at, error),
      };
    });
    afterAll(async () => {
      await transport?.close?.();
      await repo?.close();
      await h?.store.close();
      await backend.cleanup();
    });

    it('nothing in the ledger: nothing sent', async () => {
      expect(await run()).toEqual({ events: 0, documents: 0 });
      expect(repo.received).toHaveLength(0);
    });

    it('sends the new events as valid EPCIS documents, in batches, once', async () => {
      const at = new Date('2025-01-01T08:00:00Z');
      await h.deliver({
        messageType: 'HANDHELD',
        payload: scan('cap-1', 'DC01', { kind: 'initial-stock' }, '4711', ['C-1', 'C-2', 'C-3'], at),
      });
      await h.deliver({
        messageType: 'HANDHELD',
        payload: scan('cap-2', 'DC01', { kind: 'initial-stock' }, '4712', ['C-4', 'C-5'], at),
      });
      const applied = await h.catchUp();
      expect(applied.events).toBe(5);
      const r = await run(2);
      expect(r).toEqual({ events: 5, documents: 3 });
      expect(docs().map((d) => d.epcisBody.eventList.length)).toEqual([2, 2, 1]);
      for (const d of docs()) expect(validateEpcis(d)).toEqual([]);
      expect(new Set(eventIds()).size).toBe(5);
      expect(repo.received[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
      expect(repo.received[0]!.headers['x-idocgate-message-id']).toMatch(/^serial-events-\d+-\d+$/);
      expect(await run(2)).toEqual({ events: 0, documents: 0 });
      expect(repo.received).toHaveLength(3);
      const status = await captureStatus(h.store.db);
      expect(status.capturedEvents).toBe(5);
      expect(status.lastError).toBeNull();
    });

    it('a failed capture keeps the watermark; the next tick sends the same events', async () => {
      await h.deliver({
        messageType: 'HANDHELD',
        payload: scan('cap-3', 'DC01', { kind: 'initial-stock' }, '4711', ['C-6', 'C-7'], new Date()),
      });
      await h.catchUp();
      const before = await captureStatus(h.store.db);
      repo.setBehaviour({ failFirst: 1, status: 503 });
      const failed = await run();
      expect(failed.events).toBe(0);
      expect(failed.error).toMatch(/503/);
      const mid = await captureStatus(h.store.db);
      expect(mid.lastEventId).toBe(before.lastEventId);
      expect(mid.lastError).toMatch(/503/);
      const sentBefore = repo.received.length;
      const retried = await run();
      expect(retried).toEqual({ events: 2, documents: 1 });
      const last = docs()[docs().length - 1]!.epcisBody.eventList.map((e) => e.eventID);
      const failedDoc = (repo.received[sentBefore - 1]!.json as Doc).epcisBody.eventList.map(
        (e) => e.eventID,
      );
      expect(last).toEqual(failedDoc);
      const after = await captureStatus(h.store.db);
      expect(after.capturedEvents).toBe(7);
      expect(after.lastError).toBeNull();
      expect(after.lastEventId).toBeGreaterThan(before.lastEventId);
    });

    it('a stale watermark (another process captured meanwhile) does not move it back', async () => {
      const s = await captureStatus(h.store.db);
      expect(await markCaptured(h.store.db, s.lastEventId - 1, s.lastEventId + 5, 1, new Date(), null)).toBe(
        false,
      );
      expect((await captureStatus(h.store.db)).lastEventId).toBe(s.lastEventId);
    });
  });
}
