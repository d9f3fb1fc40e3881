/**
 * The work queue coalesces concurrent adds of one destination into one BullMQ addBulk (one round
 * trip), on the real Redis: every job is there with its own id and options, a repeated item is
 * still one job, and an idle add goes out on its own at once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createWorkQueue, type BullWorkQueue } from '../../src/queues/producer.js';
import { deleteKeys } from '../support/redis-keys.js';

const PREFIX = `igtest-wt_thru-bulk-${process.pid}`;
const config = configSchema.parse({
  ports: { sap: { transport: { kind: 'file', dir: '/tmp/x' } } },
  partners: {
    wms: {
      number: 'WMSEAST',
      receives: [{ messageType: 'WHSORD', transport: { kind: 'webhook', url: 'http://x' } }],
      retry: { attempts: 4 },
    },
  },
});

let queue: BullWorkQueue;
beforeAll(async () => {
  queue = createWorkQueue({ connection: { host: '127.0.0.1', port: 6379 }, prefix: PREFIX, config });
  if (queue.client.status !== 'ready') await new Promise<void>((r) => queue.client.once('ready', () => r()));
});
afterAll(async () => {
  await queue.close();
  await deleteKeys(PREFIX);
});

describe('bulk adds', () => {
  it('adds concurrent jobs of one destination with addBulk, each with its id and options', async () => {
    const q = queue.queueFor('partner.wms');
    const bulk = vi.spyOn(q, 'addBulk');
    const single = vi.spyOn(q, 'add');
    const items = Array.from({ length: 50 }, (_, i) => ({ messageId: `m-${i}`, token: '1' }));
    await Promise.all(
      items.map((item, i) => queue.enqueue('partner.wms', item, i === 7 ? { delayMs: 60_000 } : {})),
    );
    // The first add goes alone (nothing in flight); the rest wait and go in bulk.
    expect(bulk.mock.calls.length).toBeGreaterThan(0);
    expect(bulk.mock.calls.length + single.mock.calls.length).toBeLessThan(10);
    for (const [i, item] of items.entries()) {
      expect(await queue.jobState('partner.wms', item)).toBe(i === 7 ? 'delayed' : 'waiting');
    }
    const job = await q.getJob('m-3_1');
    expect(job?.data).toEqual({ messageId: 'm-3', token: '1' });
    expect(job?.opts.attempts).toBe(4);
    const counts = await q.getJobCounts('waiting', 'delayed');
    expect(counts).toMatchObject({ waiting: 49, delayed: 1 });

    // The same items again: still one job each.
    await Promise.all(items.map((item) => queue.enqueue('partner.wms', item)));
    expect(await q.getJobCounts('waiting', 'delayed')).toMatchObject({ waiting: 49, delayed: 1 });
    bulk.mockRestore();
    single.mockRestore();
  });
});
