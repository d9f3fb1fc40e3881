/**
 * Group commit of attempt finishes (src/store/group-finish.ts) on PGlite and PostgreSQL: the
 * workers' outcomes of many messages share one statement and write exactly what the single
 * finishAttempt writes; the compare-and-set holds per message; a poisoned row fails only its own
 * caller; a crash between the batch's commit and the answers loses nothing and sends nothing twice.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptInput, MessageStatus, TransitionOptions } from '../../src/pipeline/store-port.js';
import type { StoreContext } from '../../src/store/messages/context.js';
import { createGroupFinisher } from '../../src/store/messages/group-finish.js';
import { finishAttempt } from '../../src/store/messages/repo.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends } from './backends.js';
import { delvry, unique } from './fixtures.js';

const OK: AttemptInput = { transport: 'webhook', outcome: 'ok', durationMs: 12 };
const FAIL: AttemptInput = {
  transport: 'webhook',
  outcome: 'error',
  durationMs: 30,
  error: { code: 'TRANSPORT_HTTP_5XX', text: 'HTTP 503' },
};

describe.each(backends('wt_thru_gf'))('group finish on $name', (backend) => {
  let store: OpenedStore;
  let ctx: StoreContext;

  beforeAll(async () => {
    if (backend.available) {
      store = await backend.open();
      ctx = { db: store.db, clock: () => new Date(), newId: randomUUID };
    }
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  const single = (id: string, a: AttemptInput, to: MessageStatus, o: TransitionOptions): Promise<boolean> =>
    finishAttempt(ctx, id, a, to, o);

  /** n messages stored, queued and claimed (status processing), as a worker holds them. */
  async function processing(n: number): Promise<string[]> {
    const partner = unique('P');
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await store.receive(delvry(partner, { docnum: unique('D'), queueToken: '1' }));
      const claimed = await store.claimUnordered(r.message.id, '1', ['queued'], { by: 'worker' });
      expect(claimed?.status).toBe('processing');
      ids.push(r.message.id);
    }
    return ids;
  }

  /** What a message's rows say, without ids and times: to compare the batch with the single path. */
  async function written(id: string): Promise<unknown> {
    const m = (await store.get(id))!;
    return {
      message: [m.status, m.sapStatus, m.statusText, m.attempts, m.lastError, m.nextAttemptAt],
      attempts: (await store.attempts(id)).map((a) => [
        a.attemptNo,
        a.transport,
        a.outcome,
        a.durationMs,
        a.errorCode,
        a.errorText,
      ]),
      history: (await store.history(id)).map((h) => [h.from, h.to, h.sapStatus, h.text, h.by]),
    };
  }

  describe.skipIf(!backend.available)('attempt finishes', () => {
    it('finishes concurrent outcomes in shared statements, writing what the single statement writes', async () => {
      const retryAt = new Date(Date.now() + 60_000);
      const outcomes: [AttemptInput, MessageStatus, TransitionOptions][] = [
        [OK, 'delivered', { by: 'worker', expectFrom: 'processing', text: 'delivered' }],
        [
          FAIL,
          'failed',
          {
            by: 'worker',
            expectFrom: 'processing',
            text: 'retry',
            error: FAIL.error!,
            nextAttemptAt: retryAt,
          },
        ],
        [FAIL, 'dead', { by: 'worker', expectFrom: 'processing', text: 'gave up', error: FAIL.error! }],
        [OK, 'delivered', { by: 'worker', expectFrom: 'processing', sapStatus: '12', confirmBy: retryAt }],
      ];
      // Each outcome three times through the batch and once through the single statement.
      const batched = await processing(12);
      const control = await processing(4);
      const finish = createGroupFinisher(ctx, single);
      const results = await Promise.all(batched.map((id, i) => finish(id, ...outcomes[i % 4]!)));
      expect(results).toEqual(batched.map(() => true));
      expect(finish.batcher.stats.largest).toBeGreaterThan(1);
      expect(finish.batcher.stats.batches).toBeLessThan(12);
      for (const [i, id] of control.entries()) expect(await single(id, ...outcomes[i]!)).toBe(true);
      for (const [i, id] of batched.entries())
        expect(await written(id)).toEqual(await written(control[i % 4]!));
      expect((await store.get(batched[3]!))?.nextAttemptAt).toBeNull(); // delivered clears it
      expect((await store.get(batched[1]!))?.nextAttemptAt?.getTime()).toBe(retryAt.getTime());
    });

    it('keeps the compare-and-set per message: a refused one records its attempt only; unknown ids fail alone', async () => {
      const ids = await processing(5);
      const finish = createGroupFinisher(ctx, single);
      const results = await Promise.allSettled([
        finish(ids[0]!, OK, 'delivered', { by: 'worker', expectFrom: 'processing' }),
        finish(ids[1]!, OK, 'delivered', { by: 'worker', expectFrom: 'queued' }), // not queued: refused
        finish(ids[2]!, OK, 'delivered', { by: 'worker', expectFrom: 'processing' }),
        finish(ids[2]!, OK, 'delivered', { by: 'worker', expectFrom: 'processing' }), // twice: one wins
        finish(randomUUID(), OK, 'delivered', { by: 'worker', expectFrom: 'processing' }),
        finish(ids[3]!, OK, 'delivered', { by: 'worker', expectFrom: 'processing' }),
      ]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual([
        true,
        false,
        true,
        false,
        'rejected',
        true,
      ]);
      expect((results[4] as PromiseRejectedResult).reason).toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
      const refused = await store.get(ids[1]!);
      expect(refused).toMatchObject({ status: 'processing', attempts: 1 });
      expect(await store.attempts(ids[1]!)).toHaveLength(1);
      expect((await store.history(ids[2]!)).filter((h) => h.to === 'delivered')).toHaveLength(1);
      expect(await store.attempts(ids[2]!)).toHaveLength(2); // the second finish's attempt is recorded
      expect((await store.get(ids[4]!))?.status).toBe('processing'); // not named: untouched
    });

    it('fails only the caller of a poisoned row; its neighbours are finished', async () => {
      const ids = await processing(6);
      const finish = createGroupFinisher(ctx, single);
      // PostgreSQL text cannot hold NUL: the batch statement fails as a whole.
      const poisoned: AttemptInput = { ...FAIL, error: { code: 'X', text: 'bad\u0000text' } };
      const settled = await Promise.allSettled(
        ids.map((id, i) =>
          i === 2
            ? finish(id, poisoned, 'failed', {
                by: 'worker',
                expectFrom: 'processing',
                error: poisoned.error!,
              })
            : finish(id, OK, 'delivered', { by: 'worker', expectFrom: 'processing' }),
        ),
      );
      expect(finish.batcher.stats.largest).toBe(6);
      expect(settled.map((s) => s.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      for (const [i, id] of ids.entries()) {
        expect((await store.get(id))?.status).toBe(i === 2 ? 'processing' : 'delivered');
        expect(await store.attempts(id)).toHaveLength(i === 2 ? 0 : 1);
      }
    });

    it('loses nothing and sends nothing twice when the process dies between the commit and the answers', async () => {
      const ids = await processing(10);
      await store.close(); // PGlite: one process per data directory
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'test/store/group-finish-crash-child.ts',
          JSON.stringify(backend.options()),
          JSON.stringify(ids),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, sig) => resolve(sig)),
      );
      store = await backend.open();
      ctx = { db: store.db, clock: () => new Date(), newId: randomUUID };
      expect(signal, out).toBe('SIGKILL');
      expect(out).toMatch(/committed (\d+)/);
      expect(out).not.toContain('answered');
      const committed = Number(/committed (\d+)/.exec(out)![1]);
      expect(committed).toBeGreaterThan(1);
      // The batch that committed is complete: status, attempt and history of each message.
      let delivered = 0;
      for (const id of ids) {
        const m = await store.get(id);
        if (m?.status !== 'delivered') continue;
        delivered++;
        expect(m.attempts).toBe(1);
        expect(await store.attempts(id)).toHaveLength(1);
        expect((await store.history(id)).at(-1)).toMatchObject({ from: 'processing', to: 'delivered' });
        // BullMQ runs the unanswered job again: its claim finds the message delivered, so the
        // worker does not send it again.
        expect(await store.claimUnordered(id, '1', ['queued', 'failed'], { by: 'worker' })).toBeUndefined();
      }
      expect(delivered).toBe(committed);
    }, 60_000);
  });
});
