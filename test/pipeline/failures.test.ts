/**
 * Failure handling on real parts: transient failures retried with backoff then dead-lettered,
 * replay delivering exactly once; permanent failures dead without retries; ordering per key
 * held while the head retries; cancel releasing the key; bulk replay with dry run and pause.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { delvry07Xml, startHarness, type Harness } from './harness.js';

let h: Harness;
const fromSap = { kind: 'port', name: 'sap' } as const;
const WAIT = { timeout: 15_000, interval: 20 };

beforeAll(async () => {
  h = await startHarness({
    label: 'failures',
    retry: { attempts: 3, backoff: 150, maxBackoff: 400, jitter: 0 },
    wmsOrderingKey: 'delivery',
  });
  await h.startWorkers();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.wms.setBehaviour({});
});

let seq = 910000;
async function post(delivery: string): Promise<string> {
  seq++;
  const r = await h.runtime.ingest({
    channel: 'sap-xml-http',
    principal: fromSap,
    body: delvry07Xml(String(seq), delivery),
  });
  return r.messages[0]!.id;
}
async function status(id: string): Promise<string | undefined> {
  return (await h.store.get(id))?.status;
}
/** Successful receipts of a message at the WMS. */
function okReceipts(id: string): number {
  return h.wms.received.filter((x) => x.headers['idempotency-key'] === id && x.status === 200).length;
}

describe('retries, dead letters and replay', () => {
  it('target down: retries with backoff, dead after the last attempt, replay after the fix delivers exactly once', async () => {
    h.wms.setBehaviour({ failFirst: 3, status: 503 });
    const id = await post('0080100001');
    await vi.waitFor(async () => expect(await status(id)).toBe('dead'), WAIT);
    const attempts = await h.store.attempts(id);
    expect(attempts.map((a) => a.outcome)).toEqual(['error', 'error', 'error']);
    expect(attempts[0]!.errorCode).toBe('TRANSPORT_HTTP_5XX');
    const history = (await h.store.history(id)).map((x) => x.to);
    expect(history).toEqual([
      'received',
      'queued',
      'processing',
      'failed',
      'processing',
      'failed',
      'processing',
      'dead',
    ]);
    const m = await h.store.get(id);
    expect(m?.lastError?.code).toBe('TRANSPORT_HTTP_5XX');
    expect(m?.sapStatus).toBe('68');
    expect((await h.store.deadLetters()).some((g) => g.sampleIds.includes(id))).toBe(true);

    // The fix: the WMS answers again. Replay once.
    const replayed = await h.runtime.replay(id, { actor: 'alice', reason: 'WMS back up' });
    expect(['queued', 'processing', 'delivered']).toContain(replayed.status);
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    expect(okReceipts(id)).toBe(1);
    expect(h.wms.deliveredKeys.has(id)).toBe(true);
    const audit = await h.store.audit({ messageId: id });
    expect(audit.map((a) => [a.actor, a.action, a.reason])).toContainEqual([
      'alice',
      'replay',
      'WMS back up',
    ]);
  });

  it('a permanent failure (4xx) goes to dead at once without burning retries', async () => {
    h.wms.setBehaviour({ failFirst: 1, status: 400 });
    const id = await post('0080100002');
    await vi.waitFor(async () => expect(await status(id)).toBe('dead'), WAIT);
    const attempts = await h.store.attempts(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.errorCode).toBe('TRANSPORT_HTTP_4XX');
  });

  it('a mapping failure is permanent; replay with an edited payload stores a new version and delivers', async () => {
    // Plant 9999 has no site in tables/sites.yaml: MAPPING_FAILED.
    seq++;
    const bad = delvry07Xml(String(seq), '0080100003').replaceAll(
      '<WERKS>1000</WERKS>',
      '<WERKS>9999</WERKS>',
    );
    expect(bad).toContain('9999');
    const id = (await h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body: bad }))
      .messages[0]!.id;
    await vi.waitFor(async () => expect(await status(id)).toBe('dead'), WAIT);
    expect((await h.store.get(id))?.lastError?.code).toBe('MAPPING_FAILED');
    expect(await h.store.attempts(id)).toHaveLength(1);
    await expect(
      h.runtime.replay(id, { actor: 'bob', reason: 'bad edit', edited: { format: 'xml', content: '<nope' } }),
    ).rejects.toMatchObject({ code: 'IDOC_NOT_WELL_FORMED_XML' });
    // an edit that does not validate against DELVRY07 (WERKS holds 4 characters; E1EDL20 is
    // required) is refused with every issue, before anything is stored or queued
    const tooLong = bad.replaceAll('<WERKS>9999</WERKS>', '<WERKS>99999</WERKS>');
    await expect(
      h.runtime.replay(id, { actor: 'bob', reason: 'bad edit', edited: { format: 'xml', content: tooLong } }),
    ).rejects.toMatchObject({
      code: 'IDOC_INVALID',
      issues: expect.arrayContaining([expect.objectContaining({ code: 'VALUE_TOO_LONG' })]),
    });
    const headless = bad.replace(/<E1EDL20 SEGMENT="1">[\s\S]*<\/E1EDL20>/, '');
    await expect(
      h.runtime.replay(id, {
        actor: 'bob',
        reason: 'bad edit',
        edited: { format: 'xml', content: headless },
      }),
    ).rejects.toMatchObject({
      code: 'IDOC_INVALID',
      issues: [expect.objectContaining({ code: 'OCCURRENCE_BELOW_MIN' })],
    });
    expect(await status(id)).toBe('dead');
    expect((await h.store.versions(id)).map((v) => v.kind)).toEqual(['raw']);
    const fixed = bad.replaceAll('<WERKS>9999</WERKS>', '<WERKS>1000</WERKS>');
    await h.runtime.replay(id, {
      actor: 'bob',
      reason: 'plant corrected',
      edited: { format: 'xml', content: fixed },
    });
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    expect((await h.store.versions(id)).map((v) => v.kind)).toEqual(['raw', 'edited', 'mapped']);
    expect(okReceipts(id)).toBe(1);
    const audit = await h.store.audit({ messageId: id });
    expect(audit.map((a) => a.action).sort()).toEqual(['edit', 'replay']);
  });

  it('replay of a message in flight is refused (409)', async () => {
    h.wms.setBehaviour({ delayMs: 300 });
    const id = await post('0080100004');
    await expect(h.runtime.replay(id, { actor: 'x', reason: 'y' })).rejects.toMatchObject({
      code: 'MESSAGE_NOT_REPLAYABLE',
    });
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
  });
});

describe('ordering per key under retries', () => {
  it("key A's second message waits while its first retries; key B flows; A is delivered in order", async () => {
    h.wms.setBehaviour({ failFirst: 1, status: 503 });
    const a1 = await post('0080200001');
    await vi.waitFor(async () => expect(await status(a1)).toBe('failed'), WAIT);
    const a2 = await post('80200001'); // the same delivery, written without leading zeros
    expect(await status(a2)).toBe('blocked');
    const b1 = await post('0080200002');
    await vi.waitFor(async () => expect(await status(b1)).toBe('delivered'), WAIT);
    // B overtook A's retry; A2 still waits behind A1 or has just been released.
    await vi.waitFor(async () => expect(await status(a2)).toBe('delivered'), WAIT);
    expect(await status(a1)).toBe('delivered');
    const order = h.wms.received
      .filter((x) => x.status === 200)
      .map((x) => x.headers['idempotency-key'])
      .filter((k) => k === a1 || k === a2 || k === b1);
    expect(order.indexOf(a1)).toBeLessThan(order.indexOf(a2));
    expect(order.indexOf(b1)).toBeLessThan(order.indexOf(a1));
    expect((await h.store.history(a2)).map((x) => x.to)).toEqual([
      'received',
      'blocked',
      'queued',
      'processing',
      'delivered',
    ]);
  });

  it('a dead head keeps its key blocked; cancelling it releases the next message', async () => {
    h.wms.setBehaviour({ failFirst: 1, status: 422 });
    const head = await post('0080300001');
    await vi.waitFor(async () => expect(await status(head)).toBe('dead'), WAIT);
    const next = await post('0080300001');
    expect(await status(next)).toBe('blocked');
    const blocked = await h.store.blockedKeys();
    expect(blocked.find((k) => k.head.id === head)?.waiting).toBe(1);
    const cancelled = await h.runtime.cancel(head, { actor: 'carol', reason: 'sent by phone' });
    expect(cancelled.status).toBe('cancelled');
    await vi.waitFor(async () => expect(await status(next)).toBe('delivered'), WAIT);
    await expect(h.runtime.cancel(head, { actor: 'carol', reason: 'again' })).rejects.toMatchObject({
      code: 'MESSAGE_NOT_REPLAYABLE',
    });
  });
});

describe('bulk replay', () => {
  it('counts in a dry run, replays at a rate with pause and resume, audits each action', async () => {
    h.wms.setBehaviour({ failFirst: 3, status: 400 });
    const ids = [await post('0080400001'), await post('0080400002'), await post('0080400003')];
    for (const id of ids) await vi.waitFor(async () => expect(await status(id)).toBe('dead'), WAIT);
    const q = { statuses: ['dead' as const], errorCode: 'TRANSPORT_HTTP_4XX' };
    const dry = await h.runtime.bulkReplay({ query: q, actor: 'dave', reason: 'WMS fixed', dryRun: true });
    expect(dry.count).toBeGreaterThanOrEqual(3);
    expect(dry.job).toBeUndefined();
    const started = await h.runtime.bulkReplay({
      query: q,
      actor: 'dave',
      reason: 'WMS fixed',
      ratePerSecond: 1000,
    });
    const jobId = started.job!.id;
    expect(h.runtime.controlBulkJob(jobId, 'pause', 'dave')?.state).toBe('paused');
    expect(h.runtime.controlBulkJob(jobId, 'resume', 'dave')?.state).toBe('running');
    await vi.waitFor(() => expect(h.runtime.bulkJob(jobId)?.state).toBe('done'), WAIT);
    expect(h.runtime.bulkJob(jobId)).toMatchObject({
      total: dry.count,
      done: dry.count,
      failed: 0,
      actor: 'dave',
    });
    for (const id of ids) await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    const actions = (await h.store.audit({ actor: 'dave' })).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['bulk-replay', 'bulk-replay-pause', 'bulk-replay-resume']),
    );
    await vi.waitFor(async () => {
      const all = (await h.store.audit({ actor: 'dave' })).map((a) => a.action);
      expect(all).toContain('bulk-replay-finished');
    }, WAIT);
  });
});
