import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../src/pipeline/store-port.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends, FakeClock } from './backends.js';
import { delvry, unique } from './fixtures.js';

describe.each(backends('msg'))('messages on $name', (backend) => {
  let store: OpenedStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    if (backend.available) store = await backend.open({ clock: clock.now });
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  describe.skipIf(!backend.available)('receive', () => {
    it('stores the message with raw and parsed versions, keys and a first status', async () => {
      const partner = unique('P');
      const result = await store.receive(
        delvry(partner, {
          docnum: '4711',
          delivery: '0080001234',
          serials: ['SN1', 'SN2'],
          orderingKey: 'D1',
        }),
      );
      expect(result.duplicate).toBe(false);
      const m = result.message;
      expect(m).toMatchObject({
        direction: 'in',
        partner,
        idocType: 'DELVRY07',
        messageType: 'SHPORD',
        docnum: '0000000000004711',
        status: 'received',
        sapStatus: '50',
        sender: { prt: 'LS', prn: 'S4HCLNT100', por: 'SAPS4H' },
        receiver: { prt: 'LS', prn: 'IDOCGATE' },
        orderingKey: 'D1',
        attempts: 0,
        lastError: null,
        createdAt: clock.now(),
      });
      expect(await store.get(m.id)).toEqual(m);
      const versions = await store.versions(m.id);
      expect(versions.map((v) => [v.version, v.kind, v.format])).toEqual([
        [1, 'raw', 'xml'],
        [2, 'parsed', 'json'],
      ]);
      expect(versions[0]?.content).toBe('<DELVRY07><IDOC BEGIN="1"/></DELVRY07>');
      expect(versions[0]?.contentType).toBe('application/xml');
      expect(await store.searchKeys(m.id)).toEqual([
        { kind: 'delivery', value: '0080001234' },
        { kind: 'plant', value: '1000' },
        { kind: 'serial', value: 'SN1' },
        { kind: 'serial', value: 'SN2' },
      ]);
      expect(await store.history(m.id)).toMatchObject([
        { from: null, to: 'received', sapStatus: '50', by: 'edge:http' },
      ]);
    });

    it('keeps bytes that were not text as bytes', async () => {
      const bytes = new Uint8Array([0x45, 0x44, 0x49, 0x00, 0xff, 0x0d, 0x0a]);
      const { message } = await store.receive({
        direction: 'in',
        partner: unique('P'),
        raw: { format: 'binary', content: bytes },
        by: 'edge:file',
      });
      const [raw] = await store.versions(message.id);
      expect(raw?.content).toBeInstanceOf(Uint8Array);
      expect([...(raw?.content as Uint8Array)]).toEqual([...bytes]);
    });

    it('returns the original for the same sender and DOCNUM (zero padding ignored) and stores nothing', async () => {
      const partner = unique('P');
      const first = await store.receive(delvry(partner, { docnum: '0000000000123456' }));
      const again = await store.receive(
        delvry(partner, { docnum: '123456', raw: { format: 'flat', content: 'x' } }),
      );
      expect(again).toMatchObject({
        duplicate: true,
        duplicateOf: 'docnum',
        message: { id: first.message.id },
      });
      expect(await store.countByQuery({ partner })).toBe(1);
      // another sender may use the same DOCNUM
      const other = await store.receive(
        delvry(partner, { docnum: '123456', sender: { prt: 'LS', prn: 'OTHER' } }),
      );
      expect(other.duplicate).toBe(false);
    });

    it('returns the original for the same sender and ARCKEY', async () => {
      const partner = unique('P');
      const arckey = unique('urn:sap.com:msgid=');
      const first = await store.receive(delvry(partner, { arckey }));
      const again = await store.receive(delvry(partner, { arckey }));
      expect(again).toMatchObject({
        duplicate: true,
        duplicateOf: 'arckey',
        message: { id: first.message.id },
      });
    });

    it('scopes idempotency keys by partner', async () => {
      const [a, b] = [unique('P'), unique('P')];
      const first = await store.receive(delvry(a, { idempotencyKey: 'scan-1' }));
      expect(first.message.idempotencyKey).toBe('scan-1');
      const again = await store.receive(delvry(a, { idempotencyKey: 'scan-1' }));
      expect(again).toMatchObject({
        duplicate: true,
        duplicateOf: 'idempotency-key',
        message: { id: first.message.id },
      });
      expect((await store.receive(delvry(b, { idempotencyKey: 'scan-1' }))).duplicate).toBe(false);
      expect((await store.getByIdempotencyKey(a, 'scan-1'))?.id).toBe(first.message.id);
    });

    it('stores exactly one message for 20 parallel receives of the same idempotency key', async () => {
      const partner = unique('P');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.receive(
            delvry(partner, { idempotencyKey: 'same', orderingKey: `K${i % 3}`, serials: [`S${i}`] }),
          ),
        ),
      );
      const stored = results.filter((r) => !r.duplicate);
      expect(stored).toHaveLength(1);
      const id = stored[0]!.message.id;
      expect(results.every((r) => r.message.id === id)).toBe(true);
      expect(await store.countByQuery({ partner })).toBe(1);
      expect(await store.versions(id)).toHaveLength(2);
      expect((await store.searchKeys(id)).filter((k) => k.kind === 'serial')).toHaveLength(1);
    });

    it('stores exactly one message for 20 parallel receives of the same DOCNUM with different keys', async () => {
      const partner = unique('P');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.receive(delvry(partner, { docnum: '99', idempotencyKey: `k${i}` })),
        ),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(await store.countByQuery({ partner })).toBe(1);
    });

    it('links a message to the one it came from', async () => {
      const scan = await store.receive(delvry(unique('P')));
      const out = await store.receive({
        direction: 'out',
        partner: scan.message.partner ?? '',
        idocType: 'MBGMCR03',
        messageType: 'MBGMCR',
        docnum: await store.nextIdocNumber(),
        raw: { format: 'xml', content: '<MBGMCR03/>' },
        correlation: { messageId: scan.message.id, kind: 'produced-by' },
        by: 'pipeline:outbound',
      });
      expect(out.message).toMatchObject({
        direction: 'out',
        sapStatus: '01',
        correlation: { messageId: scan.message.id, kind: 'produced-by' },
      });
    });
  });

  describe.skipIf(!backend.available)('versions, transitions, attempts', () => {
    it('adds numbered versions and writes the audit entry in the same transaction', async () => {
      const { message } = await store.receive(delvry(unique('P')));
      const v3 = await store.addVersion(message.id, {
        kind: 'mapped',
        format: 'json',
        content: '{"delivery":"80001234"}',
        createdBy: 'pipeline',
      });
      const v4 = await store.addVersion(message.id, {
        kind: 'edited',
        format: 'xml',
        content: '<DELVRY07 edited="1"/>',
        createdBy: 'alice',
        note: 'fixed plant',
        audit: { actor: 'alice', action: 'edit', reason: 'plant 1000 should be 1010' },
      });
      expect([v3.version, v4.version]).toEqual([3, 4]);
      expect(v4).toMatchObject({ kind: 'edited', createdBy: 'alice', note: 'fixed plant' });
      expect((await store.versions(message.id)).map((v) => v.kind)).toEqual([
        'raw',
        'parsed',
        'mapped',
        'edited',
      ]);
      expect(await store.audit({ messageId: message.id })).toMatchObject([
        { actor: 'alice', action: 'edit', reason: 'plant 1000 should be 1010', messageId: message.id },
      ]);
    });

    it('numbers versions added in parallel without gaps or clashes', async () => {
      const { message } = await store.receive(delvry(unique('P')));
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.addVersion(message.id, {
            kind: 'mapped',
            format: 'json',
            content: `{"i":${i}}`,
            createdBy: 't',
          }),
        ),
      );
      expect((await store.versions(message.id)).map((v) => v.version)).toEqual([
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
      ]);
    });

    it('lets exactly one of ten parallel workers claim a queued message', async () => {
      const { message } = await store.receive(delvry(unique('P')));
      expect(await store.markQueued(message.id, 'job-1')).toBe(true);
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.transition(message.id, 'processing', { by: `worker-${i}`, expectFrom: 'queued' }),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await store.get(message.id))?.status).toBe('processing');
      expect((await store.history(message.id)).map((h) => [h.from, h.to, h.sapStatus])).toEqual([
        [null, 'received', '50'],
        ['received', 'queued', '64'],
        ['queued', 'processing', '62'],
      ]);
    });

    it('records attempts and errors, and clears the error on delivery', async () => {
      const { message } = await store.receive(delvry(unique('P')));
      await store.markQueued(message.id, 'job-2');
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const a1 = await store.recordAttempt(message.id, {
        transport: 'sap-xml-http',
        outcome: 'error',
        durationMs: 120.4,
        error: { code: 'TRANSPORT_TIMEOUT', text: 'no answer in 30 s' },
      });
      const retryAt = clock.advance(60_000);
      expect(
        await store.transition(message.id, 'failed', {
          by: 'w',
          expectFrom: 'processing',
          text: 'will retry',
          nextAttemptAt: retryAt,
        }),
      ).toBe(true);
      let m = await store.get(message.id);
      expect(m).toMatchObject({
        status: 'failed',
        sapStatus: '51',
        statusText: 'will retry',
        attempts: 1,
        lastError: { code: 'TRANSPORT_TIMEOUT', text: 'no answer in 30 s' },
        nextAttemptAt: retryAt,
      });
      await store.markQueued(message.id, 'job-2');
      await store.transition(message.id, 'processing', { by: 'w', expectFrom: 'queued' });
      const a2 = await store.recordAttempt(message.id, {
        transport: 'sap-xml-http',
        outcome: 'ok',
        durationMs: 80,
      });
      await store.transition(message.id, 'delivered', { by: 'w', expectFrom: 'processing', sapStatus: '53' });
      m = await store.get(message.id);
      expect(m).toMatchObject({
        status: 'delivered',
        sapStatus: '53',
        attempts: 2,
        lastError: null,
        nextAttemptAt: null,
      });
      expect([a1.attemptNo, a2.attemptNo]).toEqual([1, 2]);
      expect(await store.attempts(message.id)).toMatchObject([
        { attemptNo: 1, outcome: 'error', durationMs: 120, errorCode: 'TRANSPORT_TIMEOUT' },
        { attemptNo: 2, outcome: 'ok', errorCode: null },
      ]);
    });

    it('refuses a transition from an unexpected status and does not queue a finished message', async () => {
      const { message } = await store.receive(delvry(unique('P')));
      expect(await store.transition(message.id, 'delivered', { by: 'w', expectFrom: ['processing'] })).toBe(
        false,
      );
      expect(await store.transition(message.id, 'cancelled', { by: 'alice', text: 'wrong partner' })).toBe(
        true,
      );
      expect(await store.markQueued(message.id, 'job-3')).toBe(false);
      const m = await store.get(message.id);
      expect(m).toMatchObject({ status: 'cancelled', sapStatus: '68', statusText: 'wrong partner' });
      expect((await store.history(message.id)).map((h) => h.to)).toEqual<MessageStatus[]>([
        'received',
        'cancelled',
      ]);
    });

    it('uses outbound SAP status codes for outbound messages', async () => {
      const { message } = await store.receive({
        direction: 'out',
        partner: unique('P'),
        raw: { format: 'xml', content: '<MBGMCR03/>' },
        by: 't',
      });
      await store.markQueued(message.id, 'j');
      await store.transition(message.id, 'processing', { by: 'w' });
      await store.transition(message.id, 'dead', {
        by: 'w',
        error: { code: 'TRANSPORT_HTTP_4XX', text: '400' },
      });
      expect((await store.history(message.id)).map((h) => h.sapStatus)).toEqual(['01', '30', '30', '31']);
    });

    it('answers "not found" for unknown ids and ids that are not UUIDs', async () => {
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await store.get('not-a-uuid')).toBeUndefined();
      expect(await store.versions('not-a-uuid')).toEqual([]);
      await expect(store.transition('not-a-uuid', 'queued', { by: 't' })).rejects.toMatchObject({
        code: 'MESSAGE_NOT_FOUND',
      });
      await expect(
        store.addVersion('00000000-0000-4000-8000-000000000000', {
          kind: 'edited',
          format: 'json',
          content: '{}',
          createdBy: 't',
        }),
      ).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND' });
    });
  });
});
