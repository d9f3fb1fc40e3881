/**
 * Nothing lost, nothing posted twice: Redis down at ingest, Redis losing its data mid-flight
 * (every key of this file's prefix deleted with SCAN + DEL), a worker killed mid-job, graceful
 * shutdown, and the scheduler's recovery job — on the real Redis, store and fake WMS.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/pipeline/gateway.js';
import type { WorkQueue } from '../../src/pipeline/queue-port.js';
import { startScheduler } from '../../src/queues/scheduler.js';
import { REDIS, delvry07Xml, startHarness, startHangingWorker, type Harness } from '../pipeline/harness.js';

let h: Harness;
const fromSap = { kind: 'port', name: 'sap' } as const;
const WAIT = { timeout: 20_000, interval: 25 };
/**
 * Short locks so a killed worker's job stalls quickly. Every worker of a queue must use the same
 * stalled interval: BullMQ rate-limits the stalled check per queue (a `stalled-check` key that
 * lives for the interval of the worker that set it).
 */
const tuning = { lockDurationMs: 1000, stalledIntervalMs: 250 };

beforeAll(async () => {
  h = await startHarness({
    label: 'recovery',
    retry: { attempts: 3, backoff: 50, maxBackoff: 200, jitter: 0 },
  });
});
afterAll(async () => {
  await h.close();
});

let seq = 920000;
async function post(runtime = h.runtime): Promise<string> {
  seq++;
  const r = await runtime.ingest({
    channel: 'sap-xml-http',
    principal: fromSap,
    body: delvry07Xml(String(seq), `0080${seq}`),
  });
  return r.messages[0]!.id;
}
const status = async (id: string): Promise<string | undefined> => (await h.store.get(id))?.status;
/** Requests the WMS accepted as new (it drops duplicates by Idempotency-Key). */
const accepted = (id: string): number =>
  h.wms.received.filter((x) => x.headers['idempotency-key'] === id && x.status === 200 && !x.duplicate)
    .length;

const brokenQueue: WorkQueue = {
  enqueue: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
  jobState: () => Promise.reject(new Error('down')),
  depths: () => Promise.reject(new Error('down')),
  close: () => Promise.resolve(),
};

describe('recovery', () => {
  it('Redis down at ingest: the message is durable as received, recovery queues it later', async () => {
    const offline = createGateway({ ...h.deps, queue: brokenQueue });
    const id = await post(offline);
    expect(await status(id)).toBe('received');
    const history = (await h.store.history(id)).map((x) => x.to);
    expect(history).toEqual(['received', 'queued', 'received']);
    await h.startWorkers(tuning);
    const report = await h.runtime.recover({ olderThanMs: 0 });
    expect(report.unqueued).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    expect(accepted(id)).toBe(1);
  });

  it('a crash between the receipt commit and the job add: queued without a job, recovery queues it', async () => {
    // The receipt commits the message as queued (generation 1) in one transaction; the process
    // "dies" before the BullMQ add: this queue drops the job as a killed process would.
    const lostAdd: WorkQueue = { ...brokenQueue, enqueue: () => Promise.resolve() };
    const crashed = createGateway({ ...h.deps, queue: lostAdd });
    const id = await post(crashed);
    expect(await h.store.get(id)).toMatchObject({ status: 'queued', enqueueToken: '1' });
    expect((await h.store.history(id)).map((x) => x.to)).toEqual(['received', 'queued']);
    if (h.engine === undefined) await h.startWorkers(tuning);
    const report = await h.runtime.recover({ olderThanMs: 0 });
    expect(report.jobsRestored).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    expect(accepted(id)).toBe(1);
  });

  it('Redis loses its data mid-flight: recovery re-queues, every message arrives exactly once', async () => {
    h.wms.setBehaviour({ delayMs: 150 });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await post());
    await vi.waitFor(async () => {
      const s = await Promise.all(ids.map(status));
      expect(s.some((x) => x === 'processing')).toBe(true);
    }, WAIT);
    const deleted = await h.wipeRedis();
    expect(deleted).toBeGreaterThan(0);
    // Workers that lost their keys must be restarted like after a Redis restart.
    await h.engine!.close();
    await h.startWorkers(tuning);
    h.wms.setBehaviour({});
    await vi.waitFor(async () => {
      await h.runtime.recover({ olderThanMs: 0 });
      const s = await Promise.all(ids.map(status));
      expect(s.every((x) => x === 'delivered')).toBe(true);
    }, WAIT);
    for (const id of ids) expect(accepted(id)).toBe(1);
  });

  it('a worker killed mid-job: its stalled job is taken over by another worker, delivered once', async () => {
    await h.engine?.close();
    // "Process 1": its transport never answers (the process hangs, then is killed).
    const engine1 = await startHangingWorker(h, 'webhook', tuning);
    const id = await post();
    await vi.waitFor(async () => expect(await status(id)).toBe('processing'), WAIT);
    await engine1.close({ force: true }); // killed: no graceful wait, the job's lock is left to expire
    await h.startWorkers(tuning); // "process 2"
    await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    expect(accepted(id)).toBe(1);
    const history = (await h.store.history(id)).map((x) => x.to);
    expect(history).toEqual(['received', 'queued', 'processing', 'processing', 'delivered']);
  });

  it('graceful close waits for the job in flight', async () => {
    h.wms.setBehaviour({ delayMs: 200 });
    const id = await post();
    await vi.waitFor(async () => expect(await status(id)).toBe('processing'), WAIT);
    await h.engine!.close();
    expect(await status(id)).toBe('delivered');
    h.wms.setBehaviour({});
    await h.startWorkers(tuning);
  });

  it('the scheduler runs the recovery job on its own', async () => {
    const offline = createGateway({ ...h.deps, queue: brokenQueue });
    const id = await post(offline);
    expect(await status(id)).toBe('received');
    const scheduler = await startScheduler({
      connection: REDIS,
      prefix: h.prefix,
      recoveryEveryMs: 200,
      retentionCron: '0 3 * * *',
      timeZone: 'UTC',
      recover: () => h.runtime.recover({ olderThanMs: 0 }),
      purge: () => h.runtime.purgeExpired(),
      logger: h.deps.logger,
    });
    try {
      await vi.waitFor(async () => expect(await status(id)).toBe('delivered'), WAIT);
    } finally {
      await scheduler.close();
    }
    expect(accepted(id)).toBe(1);
  });
});
