/**
 * The store's one-commit paths used by the pipeline's hot path: receive straight to `queued`
 * (queueToken), attempt + final status in one transaction (finishAttempt), a mapped version with
 * its business keys (addVersion searchKeys), and single-statement compare-and-set transitions
 * under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../src/pipeline/store-port.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends, FakeClock } from './backends.js';
import { delvry, unique } from './fixtures.js';

describe.each(backends('fast'))('one-commit paths on $name', (backend) => {
  let store: OpenedStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    if (backend.available) store = await backend.open({ clock: clock.now });
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  describe.skipIf(!backend.available)('receive with a queue token', () => {
    it('stores the message as queued with the token, history received -> queued', async () => {
      const { message, duplicate } = await store.receive(
        delvry(unique('P'), { docnum: '77', queueToken: '1', serials: ['S1'] }),
      );
      expect(duplicate).toBe(false);
      expect(message).toMatchObject({
        status: 'queued',
        sapStatus: '64',
        enqueueToken: '1',
        queuedAt: clock.now(),
        statusText: null,
      });
      expect(await store.get(message.id)).toEqual(message);
      expect((await store.history(message.id)).map((h) => [h.from, h.to, h.sapStatus])).toEqual([
        [null, 'received', '50'],
        ['received', 'queued', '64'],
      ]);
      expect((await store.versions(message.id)).map((v) => v.kind)).toEqual(['raw', 'parsed']);
      expect(await store.searchKeys(message.id)).toEqual([
        { kind: 'plant', value: '1000' },
        { kind: 'serial', value: 'S1' },
      ]);
    });

    it('ignores the token when the message has an ordering key (admission decides)', async () => {
      const { message } = await store.receive(
        delvry(unique('P'), { queueToken: '1', orderingKey: unique('K') }),
      );
      expect(message).toMatchObject({ status: 'received', enqueueToken: null, queuedAt: null });
      expect((await store.history(message.id)).map((h) => h.to)).toEqual(['received']);
    });

    it('answers a duplicate with the original as it is, queueing nothing again', async () => {
      const partner = unique('P');
      const first = await store.receive(delvry(partner, { docnum: '88', queueToken: '1' }));
      await store.transition(first.message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const again = await store.receive(delvry(partner, { docnum: '88', queueToken: '1' }));
      expect(again).toMatchObject({
        duplicate: true,
        message: { id: first.message.id, status: 'processing' },
      });
      expect(await store.history(first.message.id)).toHaveLength(3);
    });
  });

  describe.skipIf(!backend.available)('finishAttempt', () => {
    it('records the attempt and the final status in one go', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const done = await store.finishAttempt(
        message.id,
        { transport: 'webhook', outcome: 'ok', durationMs: 12.6 },
        'delivered',
        { by: 'w', expectFrom: 'processing', text: 'delivered by webhook' },
      );
      expect(done).toBe(true);
      expect(await store.get(message.id)).toMatchObject({
        status: 'delivered',
        sapStatus: '53',
        statusText: 'delivered by webhook',
        attempts: 1,
        lastError: null,
      });
      expect(await store.attempts(message.id)).toMatchObject([
        { attemptNo: 1, outcome: 'ok', durationMs: 13 },
      ]);
    });

    it('sets the error and the next attempt of a failed attempt', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const retryAt = new Date(clock.now().getTime() + 5000);
      const error = { code: 'TRANSPORT_HTTP_5XX', text: 'HTTP 503' };
      expect(
        await store.finishAttempt(
          message.id,
          { transport: 'webhook', outcome: 'error', durationMs: 3, error },
          'failed',
          { by: 'w', expectFrom: 'processing', error, nextAttemptAt: retryAt },
        ),
      ).toBe(true);
      expect(await store.get(message.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastError: error,
        nextAttemptAt: retryAt,
      });
    });

    it("keeps the failed attempt's error when the transition names none", async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const error = { code: 'TRANSPORT_TIMEOUT', text: 'no answer in 30 s' };
      await store.finishAttempt(
        message.id,
        { transport: 'webhook', outcome: 'error', durationMs: 30_000, error },
        'failed',
        { by: 'w', expectFrom: 'processing' },
      );
      expect(await store.get(message.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: error });
      expect(await store.attempts(message.id)).toMatchObject([
        { attemptNo: 1, outcome: 'error', errorCode: error.code, errorText: error.text },
      ]);
    });

    it('keeps the attempt but refuses the transition when the status changed (cancelled meanwhile)', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      await store.transition(message.id, 'cancelled', { by: 'alice', text: 'stop' });
      const done = await store.finishAttempt(
        message.id,
        { transport: 'webhook', outcome: 'ok', durationMs: 1 },
        'delivered',
        { by: 'w', expectFrom: 'processing' },
      );
      expect(done).toBe(false);
      expect(await store.get(message.id)).toMatchObject({ status: 'cancelled', attempts: 1 });
      expect((await store.history(message.id)).map((h) => h.to)).toEqual<MessageStatus[]>([
        'received',
        'queued',
        'processing',
        'cancelled',
      ]);
    });

    it('throws MESSAGE_NOT_FOUND for an unknown message and stores nothing', async () => {
      await expect(
        store.finishAttempt(
          '00000000-0000-4000-8000-000000000000',
          { transport: 'webhook', outcome: 'ok', durationMs: 1 },
          'delivered',
          { by: 'w' },
        ),
      ).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    });
  });

  describe.skipIf(!backend.available)('versionsOf', () => {
    it('reads the versions of several messages in one go, in version order', async () => {
      const a = await store.receive(delvry(unique('P')));
      const { parsed: _parsed, ...rawOnly } = delvry(unique('P'));
      const b = await store.receive(rawOnly);
      await store.addVersion(a.message.id, { kind: 'mapped', format: 'json', content: '{}', createdBy: 't' });
      const byId = await store.versionsOf([
        a.message.id,
        b.message.id,
        '00000000-0000-4000-8000-000000000000',
        'not-an-id',
      ]);
      expect([...byId.keys()].sort()).toEqual([a.message.id, b.message.id].sort());
      expect(byId.get(a.message.id)).toEqual(await store.versions(a.message.id));
      expect(byId.get(a.message.id)!.map((v) => [v.version, v.kind])).toEqual([
        [1, 'raw'],
        [2, 'parsed'],
        [3, 'mapped'],
      ]);
      expect(byId.get(b.message.id)!.map((v) => v.kind)).toEqual(['raw']);
    });
  });

  describe.skipIf(!backend.available)('claimUnordered', () => {
    const by = { by: 'w', text: 'attempt 1 of 5' };

    it('claims a queued message carrying the token and returns it as processing', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '7' }));
      const claimed = await store.claimUnordered(message.id, '7', ['queued', 'failed'], by);
      expect(claimed).toMatchObject({
        id: message.id,
        status: 'processing',
        sapStatus: '62',
        enqueueToken: '7',
      });
      expect(await store.get(message.id)).toEqual(claimed);
      expect((await store.history(message.id)).at(-1)).toMatchObject({
        from: 'queued',
        to: 'processing',
        text: 'attempt 1 of 5',
        by: 'w',
      });
    });

    it('changes nothing for another token, another status, an ordering key or an unknown id', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '2' }));
      expect(await store.claimUnordered(message.id, '1', ['queued'], by)).toBeUndefined();
      expect(await store.claimUnordered(message.id, '2', ['failed'], by)).toBeUndefined();
      const ordered = await store.receive(delvry(unique('P'), { orderingKey: 'K1' }));
      await store.markQueued(ordered.message.id, '1');
      expect(await store.claimUnordered(ordered.message.id, '1', ['queued'], by)).toBeUndefined();
      expect(
        await store.claimUnordered('00000000-0000-4000-8000-000000000000', '1', ['queued'], by),
      ).toBeUndefined();
      expect(await store.get(message.id)).toMatchObject({ status: 'queued' });
      expect(await store.get(ordered.message.id)).toMatchObject({ status: 'queued' });
      expect(await store.history(message.id)).toHaveLength(2);
    });

    it('lets exactly one of ten parallel claims win', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.claimUnordered(message.id, '1', ['queued'], by)),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect((await store.history(message.id)).filter((h) => h.to === 'processing')).toHaveLength(1);
    });
  });

  describe.skipIf(!backend.available)('single-statement transitions', () => {
    it('lets exactly one of twenty parallel claims win and records one history row for it', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transition(message.id, 'processing', { by: `w${i}`, expectFrom: ['queued', 'failed'] }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const history = await store.history(message.id);
      expect(history.map((h) => [h.from, h.to])).toEqual([
        [null, 'received'],
        ['received', 'queued'],
        ['queued', 'processing'],
      ]);
    });

    it('names the current status as "from" when transitions race through several statuses', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      const steps: [MessageStatus, MessageStatus][] = [
        ['queued', 'processing'],
        ['processing', 'failed'],
        ['failed', 'processing'],
        ['processing', 'delivered'],
      ];
      // Started together; each only applies from its own expected status, retried until it does.
      await Promise.all(
        steps.map(async ([from, to]) => {
          for (let i = 0; i < 200; i++) {
            if (await store.transition(message.id, to, { by: 'w', expectFrom: from })) return;
            const now = await store.get(message.id);
            if (now?.status === 'delivered') return;
          }
        }),
      );
      const history = await store.history(message.id);
      for (let i = 1; i < history.length; i++) expect(history[i]?.from).toBe(history[i - 1]?.to);
    });

    it('adds a version with its business keys and indexed text in one transaction', async () => {
      const { message } = await store.receive(delvry(unique('P'), { queueToken: '1' }));
      const docnum = unique('9');
      await store.addVersion(message.id, {
        kind: 'mapped',
        format: 'json',
        content: '{}',
        createdBy: 'pipeline',
        searchKeys: { keys: [{ kind: 'docnum', value: docnum }], text: `${docnum} extra` },
      });
      expect(await store.searchKeys(message.id)).toContainEqual({ kind: 'docnum', value: docnum });
      const page = await store.search({ key: { kind: 'docnum', value: docnum } });
      expect(page.items.map((m) => m.id)).toEqual([message.id]);
      expect((await store.search({ text: docnum })).items.map((m) => m.id)).toEqual([message.id]);
    });
  });
});
