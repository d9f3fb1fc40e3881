import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord, MessageStatus } from '../../src/pipeline/store-port.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends, FakeClock } from './backends.js';
import { delvry, unique } from './fixtures.js';

const HOUR = 3_600_000;

describe.each(backends('query'))('queries on $name', (backend) => {
  let store: OpenedStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    if (backend.available) store = await backend.open({ clock: clock.now });
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  /** Receives a message and walks it to `status` the way the pipeline would. */
  async function stored(input: Parameters<OpenedStore['receive']>[0], status: MessageStatus = 'received') {
    const { message } = await store.receive(input);
    if (status === 'received') return message;
    await store.markQueued(message.id, `job-${message.id}`);
    if (status !== 'queued') await store.transition(message.id, status, { by: 'test' });
    return (await store.get(message.id)) as MessageRecord;
  }

  describe.skipIf(!backend.available)('search', () => {
    it('finds a message by serial, by delivery and by any key kind', async () => {
      const partner = unique('P');
      const serial = unique('SN-');
      const a = await stored(delvry(partner, { delivery: '0080000001', serials: [serial, 'X1'] }));
      await stored(delvry(partner, { delivery: '0080000002', serials: ['X2'] }));
      expect((await store.search({ serial })).items.map((m) => m.id)).toEqual([a.id]);
      expect(
        (await store.search({ partner, key: { kind: 'delivery', value: '0080000001' } })).items,
      ).toHaveLength(1);
      expect((await store.search({ partner, key: { value: '0080000002' } })).items).toHaveLength(1);
      expect((await store.search({ partner, key: { kind: 'po', value: '0080000002' } })).items).toHaveLength(
        0,
      );
    });

    it('names the DOCNUM the gateway sent for partner JSON it mapped to an IDoc (sentDocnum)', async () => {
      const partner = unique('P');
      const scan = await stored(
        delvry(partner, {
          channel: 'partner:handheld:handheld-goods-movement',
          idocType: 'MBGMCR03',
        }),
      );
      const idoc = await stored(delvry(partner, { docnum: '777' }));
      // what prepare.ts stores with the mapped MBGMCR03: its DOCNUM as a docnum key; a later edited
      // replay maps it again under a newer (higher) number
      await store.addSearchKeys(scan.id, [{ kind: 'docnum', value: '0000000000000041' }]);
      await store.addSearchKeys(scan.id, [{ kind: 'docnum', value: '0000000000000042' }]);
      const items = (await store.search({ partner })).items;
      expect(items.map((m) => [m.id, m.docnum, m.sentDocnum])).toEqual([
        [idoc.id, '0000000000000777', null],
        [scan.id, null, '0000000000000042'],
      ]);
      expect((await store.search({ docnum: '0000000000000042' })).items.map((m) => m.id)).toEqual([scan.id]);
    });

    it('finds messages by free text over keys, DOCNUM and indexed payload text', async () => {
      const partner = unique('P');
      const word = unique('hu');
      const m = await stored(delvry(partner, { docnum: '5550001', text: `handling unit ${word} dock 7` }));
      await stored(delvry(partner, { text: 'something else' }));
      expect((await store.search({ text: word })).items.map((x) => x.id)).toEqual([m.id]);
      expect((await store.search({ partner, text: `dock ${word}` })).items.map((x) => x.id)).toEqual([m.id]);
      expect((await store.search({ partner, text: '0000000005550001' })).items.map((x) => x.id)).toEqual([
        m.id,
      ]);
      expect((await store.search({ partner, text: `${word} absentword` })).items).toHaveLength(0);
      await store.addSearchKeys(m.id, [{ kind: 'po', value: '4500012345' }], 'later text');
      expect((await store.search({ partner, key: { kind: 'po', value: '4500012345' } })).items).toHaveLength(
        1,
      );
      expect((await store.search({ partner, text: 'later' })).items.map((x) => x.id)).toEqual([m.id]);
    });

    it('filters by status, type, direction, DOCNUM and date range, with counts per status', async () => {
      const partner = unique('P');
      const t0 = clock.now();
      const a = await stored(delvry(partner, { docnum: '1' }), 'delivered');
      clock.advance(HOUR);
      const b = await stored(delvry(partner, { docnum: '2' }), 'failed');
      clock.advance(HOUR);
      const c = await stored(
        delvry(partner, { docnum: '3', messageType: 'DESADV', idocType: 'DESADV01' }),
        'dead',
      );
      await stored({ direction: 'out', partner, raw: { format: 'xml', content: '<x/>' }, by: 't' });

      const page = await store.search({ partner, statuses: ['failed', 'dead'] });
      expect(page.items.map((m) => m.id)).toEqual([c.id, b.id]);
      expect(page.countsByStatus).toMatchObject({ delivered: 1, failed: 1, dead: 1, received: 1, queued: 0 });
      expect((await store.search({ partner, direction: 'in', messageType: 'SHPORD' })).items).toHaveLength(2);
      expect((await store.search({ partner, idocType: 'DESADV01' })).items.map((m) => m.id)).toEqual([c.id]);
      expect((await store.search({ partner, docnum: '0000000000000001' })).items.map((m) => m.id)).toEqual([
        a.id,
      ]);
      const range = await store.search({
        partner,
        createdFrom: t0,
        createdTo: new Date(t0.getTime() + HOUR),
      });
      expect(range.items.map((m) => m.id)).toEqual([a.id]);
      expect(await store.countByQuery({ partner, statuses: ['failed', 'dead'] })).toBe(2);
      expect(await store.countByQuery({ partner, errorCode: 'NOPE' })).toBe(0);
      expect((await store.search({ partner }, { withCounts: false })).countsByStatus).toBeUndefined();
    });

    it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
      const partner = unique('P');
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await stored(delvry(partner))).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.search({ partner }, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((m) => m.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...ids].reverse());
    });

    it('rejects unknown statuses and bad cursors with QUERY_INVALID', async () => {
      await expect(store.search({ statuses: ['bogus' as MessageStatus] })).rejects.toMatchObject({
        code: 'QUERY_INVALID',
      });
      await expect(store.search({}, { cursor: "1' OR 1=1" })).rejects.toMatchObject({
        code: 'QUERY_INVALID',
      });
    });
  });

  describe.skipIf(!backend.available)('ordering keys', () => {
    it('names the oldest unfinished message as head and reports keys blocked by a failing head', async () => {
      const key = unique('DLV-');
      const partner = unique('P');
      const first = await stored(delvry(partner, { orderingKey: key }));
      const second = await stored(delvry(partner, { orderingKey: key }));
      const third = await stored(delvry(partner, { orderingKey: key }));
      const otherKey = unique('DLV-');
      const other = await stored(delvry(partner, { orderingKey: otherKey }));
      expect((await store.headOfKey(key))?.id).toBe(first.id);

      await store.markQueued(first.id, 'j1');
      await store.transition(first.id, 'processing', { by: 'w' });
      await store.transition(first.id, 'failed', {
        by: 'w',
        error: { code: 'TRANSPORT_TIMEOUT', text: 't' },
      });
      await store.transition(second.id, 'blocked', { by: 'queue', text: `waits for ${first.id}` });
      expect((await store.get(second.id))?.sapStatus).toBe('66');

      const blocked = (await store.blockedKeys()).filter(
        (b) => b.orderingKey === key || b.orderingKey === otherKey,
      );
      expect(blocked).toHaveLength(1);
      expect(blocked[0]).toMatchObject({
        orderingKey: key,
        head: { id: first.id, status: 'failed' },
        waiting: 2,
      });
      expect((await store.headOfKey(otherKey))?.id).toBe(other.id);

      await store.transition(first.id, 'delivered', { by: 'w' });
      expect((await store.headOfKey(key))?.id).toBe(second.id);
      expect((await store.blockedKeys()).some((b) => b.orderingKey === key)).toBe(false);
      await store.transition(second.id, 'cancelled', { by: 'alice' });
      expect((await store.headOfKey(key))?.id).toBe(third.id);
      expect(await store.headOfKey(unique('NONE-'))).toBeUndefined();
    });

    it('hands out the head of a key one by one in receipt order after parallel receipts', async () => {
      const key = unique('EOIO-');
      const partner = unique('P');
      await Promise.all(Array.from({ length: 10 }, () => stored(delvry(partner, { orderingKey: key }))));
      const order: string[] = [];
      for (let i = 0; i < 10; i++) {
        const head = await store.headOfKey(key);
        if (head === undefined) break;
        order.push(head.id);
        await store.transition(head.id, 'delivered', { by: 'w' });
      }
      const bySeq = (await store.search({ orderingKey: key }, { limit: 20 })).items
        .map((m) => m.id)
        .reverse();
      expect(order).toEqual(bySeq);
      expect(order).toHaveLength(10);
    });
  });

  describe.skipIf(!backend.available)('recovery and dead letters', () => {
    it('finds messages never queued and messages stuck in queued/processing', async () => {
      const partner = unique('P');
      const start = clock.now();
      const neverQueued = await stored(delvry(partner));
      const queued = await stored(delvry(partner), 'queued');
      const processing = await stored(delvry(partner), 'processing');
      clock.advance(10 * 60_000);
      const fresh = await stored(delvry(partner));
      const cutoff = new Date(start.getTime() + 60_000);
      const unqueued = (await store.findUnqueued(cutoff)).filter((m) => m.partner === partner);
      expect(unqueued.map((m) => m.id)).toEqual([neverQueued.id]);
      const stuck = (await store.findStuck({ olderThan: cutoff })).filter((m) => m.partner === partner);
      expect(stuck.map((m) => m.id).sort()).toEqual([queued.id, processing.id].sort());
      expect(queued.enqueueToken).toBe(`job-${queued.id}`);
      expect(queued.queuedAt).toEqual(start);
      expect(fresh.status).toBe('received');
    });

    it('groups dead letters by error code with sample ids', async () => {
      const partner = unique('P');
      const dead = async (code: string) => {
        const m = await stored(delvry(partner), 'processing');
        await store.transition(m.id, 'dead', { by: 'w', error: { code, text: code } });
        return m.id;
      };
      const a1 = await dead('MAPPING_FAILED');
      const a2 = await dead('MAPPING_FAILED');
      const b1 = await dead('TRANSPORT_HTTP_4XX');
      const groups = await store.deadLetters({ partner, sampleSize: 5 });
      expect(groups).toMatchObject([
        { errorCode: 'MAPPING_FAILED', count: 2, sampleIds: [a1, a2] },
        { errorCode: 'TRANSPORT_HTTP_4XX', count: 1, sampleIds: [b1] },
      ]);
      expect(await store.deadLetters({ partner, direction: 'out' })).toEqual([]);
    });
  });

  describe.skipIf(!backend.available)('audit and retention', () => {
    it('appends and filters audit entries, newest first, with the bulk query kept as JSON', async () => {
      const actor = unique('op-');
      const m = await stored(delvry(unique('P')));
      const query = { statuses: ['dead'], partner: 'WMS', serial: 'SN-9' };
      const bulk = await store.appendAudit({
        actor,
        action: 'bulk-replay',
        reason: 'SAP back up',
        query,
        details: { count: 12 },
      });
      const one = await store.appendAudit({ actor, action: 'replay', messageId: m.id });
      expect(bulk).toMatchObject({
        actor,
        action: 'bulk-replay',
        query,
        details: { count: 12 },
        messageId: null,
      });
      expect((await store.audit({ actor })).map((e) => e.id)).toEqual([one.id, bulk.id]);
      expect((await store.audit({ actor, action: 'replay' })).map((e) => e.id)).toEqual([one.id]);
      expect((await store.audit({ actor, beforeId: one.id })).map((e) => e.id)).toEqual([bulk.id]);
      expect(await store.audit({ messageId: 'not-a-uuid' })).toEqual([]);
    });

    it('purges finished messages older than the cut-off with their children and keeps the rest', async () => {
      const partner = unique('P');
      const old = clock.now();
      const delivered = await stored(
        delvry(partner, { idempotencyKey: 'k1', serials: ['OLD-1'] }),
        'delivered',
      );
      await store.recordAttempt(delivered.id, { transport: 't', outcome: 'ok', durationMs: 1 });
      const cancelled = await stored(delvry(partner), 'cancelled');
      const processing = await stored(delvry(partner), 'processing');
      const failed = await stored(delvry(partner), 'failed');
      const dead = await stored(delvry(partner), 'dead');
      const received = await stored(delvry(partner));
      await store.appendAudit({ actor: 'alice', action: 'replay', messageId: delivered.id });
      clock.advance(100 * 24 * HOUR);
      const recent = await stored(delvry(partner), 'delivered');
      const cutoff = new Date(old.getTime() + 24 * HOUR);

      const purged = await store.purgeOlderThan(cutoff, { batchSize: 1 });
      expect(purged.messages).toBeGreaterThanOrEqual(2);
      for (const gone of [delivered, cancelled]) expect(await store.get(gone.id)).toBeUndefined();
      for (const kept of [processing, failed, dead, received, recent])
        expect(await store.get(kept.id)).toBeDefined();
      expect(await store.versions(delivered.id)).toEqual([]);
      expect(await store.history(delivered.id)).toEqual([]);
      expect(await store.attempts(delivered.id)).toEqual([]);
      expect((await store.search({ serial: 'OLD-1' })).items).toEqual([]);
      expect(await store.audit({ messageId: delivered.id })).toHaveLength(1);

      await store.purgeOlderThan(cutoff, { includeDead: true });
      expect(await store.get(dead.id)).toBeUndefined();
      expect(await store.get(failed.id)).toBeDefined();
      // the idempotency key of a purged message can be used again
      expect((await store.receive(delvry(partner, { idempotencyKey: 'k1' }))).duplicate).toBe(false);
    });
  });
});
