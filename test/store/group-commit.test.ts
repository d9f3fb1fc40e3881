/**
 * Group commit of receipts (src/store/messages/group-commit.ts) on PGlite and PostgreSQL: concurrent
 * receipts share one statement, each answered only after its commit; duplicates inside one batch
 * and across batches resolve to the original; a poisoned row fails only its own sender; a crash
 * between the batch's commit and the answers loses nothing; an idle receipt answers at once.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReceiveInput } from '../../src/pipeline/store-port.js';
import {
  createGroupClaimer,
  createGroupReceiver,
  type GroupReceiver,
} from '../../src/store/messages/group-commit.js';
import { claimUnordered } from '../../src/store/messages/repo.js';
import type { StoreContext } from '../../src/store/messages/context.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends } from './backends.js';
import { delvry, unique } from './fixtures.js';

function groupOf(store: OpenedStore): GroupReceiver {
  return createGroupReceiver({ db: store.db, clock: () => new Date(), newId: randomUUID });
}

async function countMessages(store: OpenedStore, partner: string): Promise<number> {
  const { rows } = await store.db.query<{ n: number | string }>(
    'SELECT count(*) AS n FROM messages WHERE partner = $1',
    [partner],
  );
  return Number(rows[0]!.n);
}

describe.each(backends('wt_thru_gc'))('group commit on $name', (backend) => {
  let store: OpenedStore;

  beforeAll(async () => {
    if (backend.available) store = await backend.open();
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  describe.skipIf(!backend.available)('receipts', () => {
    it('stores concurrent receipts in shared batches, each complete and answered after its commit', async () => {
      const group = groupOf(store);
      const partner = unique('P');
      const inputs = Array.from({ length: 40 }, (_, i) =>
        delvry(partner, {
          docnum: String(1000 + i),
          serials: [`S${i}A`, `S${i}B`],
          ...(i % 2 === 0 ? { queueToken: '1' } : {}),
        }),
      );
      const answers = await Promise.all(
        inputs.map(async (input) => {
          const r = await group.receive(input);
          // Answered only after the commit: another connection already sees the row.
          expect(await store.get(r.message.id)).toEqual(r.message);
          return r;
        }),
      );
      expect(group.batcher.stats.largest).toBeGreaterThan(1);
      expect(group.batcher.stats.batches).toBeLessThan(40);
      expect(answers.every((a) => !a.duplicate)).toBe(true);
      expect(new Set(answers.map((a) => a.message.id)).size).toBe(40);
      for (const [i, a] of answers.entries()) {
        const queued = i % 2 === 0;
        expect(a.message).toMatchObject({
          docnum: String(1000 + i).padStart(16, '0'),
          status: queued ? 'queued' : 'received',
          enqueueToken: queued ? '1' : null,
          sapStatus: queued ? '64' : '50',
        });
        expect((await store.history(a.message.id)).map((h) => h.to)).toEqual(
          queued ? ['received', 'queued'] : ['received'],
        );
        const versions = await store.versions(a.message.id);
        expect(versions.map((v) => [v.version, v.kind, v.content])).toEqual([
          [1, 'raw', inputs[i]!.raw.content],
          [2, 'parsed', inputs[i]!.parsed!.content],
        ]);
        expect(await store.searchKeys(a.message.id)).toEqual([
          { kind: 'plant', value: '1000' },
          { kind: 'serial', value: `S${i}A` },
          { kind: 'serial', value: `S${i}B` },
        ]);
      }
      // The free-text index was built per row.
      const found = await store.search({ text: String(1017).padStart(16, '0') }, { limit: 5 });
      expect(found.items.map((m) => m.id)).toEqual([answers[17]!.message.id]);
    });

    it('resolves duplicates inside one batch to the first receipt of the batch', async () => {
      const group = groupOf(store);
      const partner = unique('P');
      const before = group.batcher.stats.batches;
      const same = (): ReceiveInput => delvry(partner, { docnum: '4711', queueToken: '1' });
      const idem = (): ReceiveInput => delvry(partner, { idempotencyKey: 'K-1' });
      const answers = await Promise.all([
        group.receive(same()),
        group.receive(idem()),
        group.receive(same()),
        group.receive(same()),
        group.receive(idem()),
        group.receive(delvry(partner, { docnum: '4712' })),
      ]);
      expect(group.batcher.stats.batches - before).toBe(1);
      expect(answers.map((a) => a.duplicate)).toEqual([false, false, true, true, true, false]);
      expect(answers[2]).toMatchObject({ duplicateOf: 'docnum', message: { id: answers[0]!.message.id } });
      expect(answers[3]!.message.id).toBe(answers[0]!.message.id);
      expect(answers[4]).toMatchObject({
        duplicateOf: 'idempotency-key',
        message: { id: answers[1]!.message.id },
      });
      expect(await countMessages(store, partner)).toBe(3);
      expect(await store.versions(answers[0]!.message.id)).toHaveLength(2);
    });

    it('resolves duplicates of earlier batches to the original', async () => {
      const group = groupOf(store);
      const partner = unique('P');
      const original = await group.receive(delvry(partner, { docnum: '900', serials: ['X1'] }));
      const answers = await Promise.all([
        group.receive(delvry(partner, { docnum: '901' })),
        group.receive(delvry(partner, { docnum: '0000000000000900', serials: ['X2'] })),
        group.receive(delvry(partner, { docnum: '902' })),
      ]);
      expect(group.batcher.stats.largest).toBe(3);
      expect(answers[1]).toMatchObject({
        duplicate: true,
        duplicateOf: 'docnum',
        message: { id: original.message.id },
      });
      expect(answers[0]!.duplicate || answers[2]!.duplicate).toBe(false);
      // The duplicate stored no child rows of its own.
      expect(await store.searchKeys(original.message.id)).toEqual([
        { kind: 'plant', value: '1000' },
        { kind: 'serial', value: 'X1' },
      ]);
      expect(await countMessages(store, partner)).toBe(3);
    });

    it('fails only the sender of a poisoned row; its neighbours are stored', async () => {
      const group = groupOf(store);
      const partner = unique('P');
      const inputs = Array.from({ length: 8 }, (_, i) =>
        i === 3
          ? // PostgreSQL text cannot hold NUL: the batch statement fails as a whole.
            delvry(partner, { docnum: String(i + 1), raw: { format: 'xml', content: 'bad\u0000row' } })
          : delvry(partner, { docnum: String(i + 1) }),
      );
      const settled = await Promise.allSettled(inputs.map((input) => group.receive(input)));
      expect(group.batcher.stats.largest).toBe(8);
      expect(settled.map((s) => s.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_QUERY_FAILED' });
      expect(await countMessages(store, partner)).toBe(7);
      for (const s of settled) {
        if (s.status === 'fulfilled') expect(await store.versions(s.value.message.id)).toHaveLength(2);
      }
    });

    it('answers an idle receipt at once: no timer stands between the call and the statement', async () => {
      const group = groupOf(store);
      await group.receive(delvry(unique('P'))); // warm: connection open, statement prepared
      vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'setImmediate'] });
      try {
        const pending = group.receive(delvry(unique('P'), { docnum: '5555' }));
        expect(group.batcher.inFlight).toBe(1); // started (scheduled for this tick), not waiting
        const r = await pending; // fake timers never fire: a timed wait would hang here
        expect(r.duplicate).toBe(false);
      } finally {
        vi.useRealTimers();
      }
      expect(group.batcher.stats).toMatchObject({ batches: 2, items: 2, largest: 1 });
    });

    it('claims concurrent jobs in shared statements, each by its own id and token', async () => {
      const ctx: StoreContext = { db: store.db, clock: () => new Date(), newId: randomUUID };
      const claim = createGroupClaimer(ctx, (id, token, from, o) => claimUnordered(ctx, id, token, from, o));
      const partner = unique('P');
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        ids.push(
          (await store.receive(delvry(partner, { docnum: String(8800 + i), queueToken: '1' }))).message.id,
        );
      }
      const from = ['queued', 'failed'] as const;
      const results = await Promise.all([
        ...ids.slice(0, 10).map((id, i) => claim(id, '1', from, { by: 'worker', text: `attempt ${i}` })),
        claim(ids[10]!, '2', from, { by: 'worker' }), // stale token
        claim(ids[0]!, '1', from, { by: 'worker' }), // the same job twice: one claim wins
        claim('not-a-uuid', '1', from, { by: 'worker' }),
        claim(randomUUID(), '1', from, { by: 'worker' }),
      ]);
      expect(claim.batches()).toBeLessThan(8);
      for (let i = 0; i < 10; i++) expect(results[i]).toMatchObject({ id: ids[i], status: 'processing' });
      expect(results.slice(10)).toEqual([undefined, undefined, undefined, undefined]);
      const h = await store.history(ids[3]!);
      expect(h.map((x) => [x.from, x.to, x.text, x.by])).toEqual([
        [null, 'received', null, 'edge:http'],
        ['received', 'queued', null, 'edge:http'],
        ['queued', 'processing', 'attempt 3', 'worker'],
      ]);
      expect((await store.history(ids[0]!)).filter((x) => x.to === 'processing')).toHaveLength(1);
      expect((await store.get(ids[10]!))?.status).toBe('queued');
    });

    it('loses nothing when the process dies between the batch commit and the answers', async () => {
      const partner = unique('P');
      const inputs = Array.from({ length: 12 }, (_, i) =>
        delvry(partner, { docnum: String(7000 + i), serials: [`C${i}`], queueToken: '1' }),
      );
      await store.close(); // PGlite: one process per data directory
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'test/store/group-commit-crash-child.ts',
          JSON.stringify(backend.options()),
          JSON.stringify(inputs),
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
      expect(signal, out).toBe('SIGKILL');
      expect(out).toContain('committed 12');
      expect(out).not.toContain('answered');
      expect(await countMessages(store, partner)).toBe(12);
      // The senders never got an answer and send again: each gets the original back.
      for (const [i, input] of inputs.entries()) {
        const again = await store.receive(input);
        expect(again).toMatchObject({ duplicate: true, duplicateOf: 'docnum' });
        expect(again.message).toMatchObject({ status: 'queued', enqueueToken: '1' });
        expect(await store.searchKeys(again.message.id)).toContainEqual({ kind: 'serial', value: `C${i}` });
        expect(await store.versions(again.message.id)).toHaveLength(2);
      }
    }, 60_000);
  });
});
