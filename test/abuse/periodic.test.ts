/**
 * Redis that lost its data loses the BullMQ job schedulers too: without a check, recovery, the
 * sweeper and the ledger catch-up never ran again (the fault bench's "Redis restarted without
 * data": 154 of 400 messages stayed undelivered). The periodic jobs now notice the missing
 * schedule and create it again. The local Redis, this test's own key prefix, deleted with SCAN +
 * DEL (never FLUSHDB).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startPeriodicJobs, type PeriodicJobs } from '../../src/queues/periodic.js';
import { silentLogger } from '../../src/logger.js';
import { deleteKeys } from '../support/redis-keys.js';

const prefix = `t-faults-periodic-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
let jobs: PeriodicJobs | undefined;

afterAll(async () => {
  await jobs?.close();
  await deleteKeys(prefix);
});

describe('periodic jobs after Redis lost its data', () => {
  it('create their schedule again and keep running', async () => {
    let runs = 0;
    jobs = await startPeriodicJobs({
      connection: { host: '127.0.0.1', port: 6379 },
      prefix,
      queue: 'periodic-test',
      jobs: [{ name: 'tick', schedule: { every: 200 }, run: async () => void runs++ }],
      logger: silentLogger,
      checkEveryMs: 300,
    });
    await vi.waitFor(() => expect(runs).toBeGreaterThan(0), { timeout: 10_000 });
    await deleteKeys(prefix); // Redis restarted without its data
    const after = runs;
    await vi.waitFor(() => expect(runs).toBeGreaterThan(after + 2), { timeout: 10_000 });
  });
});
