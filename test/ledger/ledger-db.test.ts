/**
 * The serial ledger end to end on PGlite and PostgreSQL: delivered messages -> catch-up ->
 * events, states, alerts; replays; recall on a fixture network; the HTTP API; EPCIS output.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialRoutes } from '../../src/api/serials.js';
import { validateEpcis } from '../../src/ledger/serials/epcis/validate.js';
import { recallCsv } from '../../src/ledger/serials/recall.js';
import { isIdocgateError } from '../../src/errors.js';
import { listAlerts } from '../../src/store/serials/alerts.js';
import { countsBySite, recall, serialHistory, serialState } from '../../src/store/serials/queries.js';
import { backends } from '../store/backends.js';
import { openLedger, type LedgerHarness } from './support.js';
import { goodsMovement, scan, TRAFFIC_LEDGER_CONFIG } from './traffic.js';
import { delvry07 } from '../sweeper/support.js';

const network = JSON.parse(
  readFileSync(new URL('../../fixtures/ledger/network.json', import.meta.url), 'utf8'),
) as {
  ledger: Record<string, unknown>;
  messages: { idocType?: string; messageType: string; payload: unknown }[];
  expect: Record<string, unknown>;
};

const t = (s: string): Date => new Date(s);

for (const backend of backends('ledger')) {
  describe.skipIf(!backend.available)(`serial ledger on ${backend.name}`, () => {
    let h: LedgerHarness;
    beforeAll(async () => {
      h = await openLedger(backend, {
        ...TRAFFIC_LEDGER_CONFIG,
        ...(network.ledger as object),
        rules: { frequency: { enabled: false } },
      });
      for (const m of network.messages) await h.deliver(m);
      await h.catchUp();
    });
    afterAll(async () => {
      await h?.store.close();
      await backend.cleanup();
    });

    it('fills from the flows: WHSORD announces, WMS ships, the store scans the receipt', async () => {
      const s = await serialState(h.store.db, '4711', 'SN-1001');
      expect(s).toMatchObject({ state: 'in-stock', site: 'S0124', delivery: '80001234' });
      const history = await serialHistory(h.store.db, '000000000000004711', 'SN-1001');
      // the WHSORD records the serial on its delivery (announced), the WMS packs and ships it
      expect(history.map((e) => e.movement)).toEqual([
        'received',
        'announced',
        'packed',
        'shipped',
        'received',
      ]);
      expect(history[3]).toMatchObject({
        fromSite: 'DC01',
        toSite: 'S0124',
        delivery: '80001234',
        stateAfter: 'in-transit',
      });
      expect(history.every((e) => e.messageId !== null)).toBe(true);
      // In transit: SN-1003 was shipped on 80001235 and not received yet.
      expect(await serialState(h.store.db, '4711', 'SN-1003')).toMatchObject({
        state: 'in-transit',
        site: 'S0200',
        originSite: 'DC01',
      });
      // MBGMCR03 sale at the store and the 541 out to a vendor.
      expect(await serialState(h.store.db, '4712', 'SN-2001')).toMatchObject({
        state: 'issued',
        partner: '100001',
      });
      expect(await serialState(h.store.db, '4712', 'SN-2002')).toMatchObject({
        state: 'out-to-vendor',
        partner: '300001',
        site: 'S0123',
      });
    });

    it('replays do not duplicate events (same message, or the same content under a new message)', async () => {
      const before = await serialHistory(h.store.db, '4711', 'SN-1001');
      for (const m of network.messages.slice(0, 4)) await h.deliver(m);
      const r = await h.catchUp();
      expect(r.events).toBe(0);
      expect(r.duplicates).toBeGreaterThan(0);
      expect(await serialHistory(h.store.db, '4711', 'SN-1001')).toEqual(before);
      expect((await h.catchUp()).events).toBe(0);
    });

    it('skips messages the gateway produced from another one, and records unreadable ones without stopping', async () => {
      const source = await h.deliver({ messageType: 'noise', payload: { hello: 'world' } });
      await h.deliver(
        {
          idocType: 'MBGMCR03',
          messageType: 'MBGMCR',
          payload: goodsMovement(
            'X1',
            'S0123',
            '551',
            [{ material: '4711', serials: ['SN-PRODUCED'] }],
            t('2025-03-01T10:00:00Z'),
          ),
        },
        { correlation: { messageId: source, kind: 'produced-by' } },
      );
      const bad = await h.deliver({
        idocType: 'DELVRY07',
        messageType: 'DESADV',
        payload: { control: { IDOCTYP: 'DELVRY07' }, segments: 'nope' },
      });
      const good = await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'OK-1',
          'S0123',
          { kind: 'initial-stock' },
          '4799',
          ['SN-INIT-1'],
          t('2025-03-01T10:00:00Z'),
        ),
      });
      const r = await h.catchUp();
      expect(r.failed).toBe(1);
      expect(await serialState(h.store.db, '4711', 'SN-PRODUCED')).toBeUndefined();
      expect(await serialState(h.store.db, '4799', 'SN-INIT-1')).toMatchObject({
        state: 'in-stock',
        site: 'S0123',
      });
      const { rows } = await h.store.db.query<{
        message_id: string;
        outcome: string;
        error_code: string | null;
      }>(
        'SELECT message_id::text, outcome, error_code FROM serial_ledger_applied WHERE message_id = ANY($1::uuid[])',
        [[bad, good, source]],
      );
      const by = new Map(rows.map((r) => [r.message_id, r]));
      expect(by.get(bad)).toMatchObject({ outcome: 'failed', error_code: 'PAYLOAD_INVALID' });
      expect(by.get(good)?.outcome).toBe('applied');
      expect(by.get(source)?.outcome).toBe('skipped');
      // The failure stays with the ledger: the message is still delivered.
      expect((await h.store.get(bad))?.status).toBe('delivered');
    });

    it('a SHPORD records the serials of its delivery: recall by delivery returns them all, also those never received', async () => {
      await h.deliver({
        idocType: 'DELVRY07',
        messageType: 'SHPORD',
        payload: delvry07(
          '80009901',
          [{ posnr: '10', matnr: '4799', qty: '3.000', serials: ['SN-9901', 'SN-9902', 'SN-9903'] }],
          { goodsIssued: false },
        ),
      });
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'HH-9901',
          'S0124',
          { kind: 'receipt-delivery', delivery: '80009901' },
          '4799',
          ['SN-9901'],
          t('2025-03-01T09:00:00Z'),
        ),
      });
      await h.catchUp();
      const byDelivery = await recall(h.store.db, { delivery: '80009901' });
      expect(byDelivery.rows.map((r) => [r.serial, r.lastMovement])).toEqual([
        ['SN-9901', 'received'],
        ['SN-9902', 'announced'],
        ['SN-9903', 'announced'],
      ]);
      expect(byDelivery.rows[1]).toMatchObject({ delivery: '80009901', site: 'DC01' });
    });

    it('recall by range, list, delivery and handling unit on the fixture network, as JSON and CSV', async () => {
      const byRange = await recall(h.store.db, {
        material: '4711',
        range: { from: 'SN-1001', to: 'SN-1004' },
      });
      expect(byRange.rows.map((r) => r.serial)).toEqual(['SN-1001', 'SN-1002', 'SN-1003', 'SN-1004']);
      expect(byRange.inTransit).toEqual([{ delivery: '80001235', toSite: 'S0200', count: 2 }]);
      expect(byRange.bySite).toEqual(network.expect['rangeBySite']);
      const byList = await recall(h.store.db, { material: '4711', serials: ['SN-1002', 'NOPE'] });
      expect(byList.notFound).toBe(1);
      expect(byList.rows[1]).toMatchObject({ serial: 'NOPE', state: null });
      const byDelivery = await recall(h.store.db, { delivery: '0080001234' });
      expect(byDelivery.rows.map((r) => r.serial).sort()).toEqual(['SN-1001', 'SN-1002']);
      const byHu = await recall(h.store.db, { handlingUnit: '00000000001000000123' });
      expect(byHu.rows.map((r) => `${r.serial}:${r.handlingUnit}`)).toEqual([
        'SN-1001:1000000123',
        'SN-1002:1000000123',
      ]);
      const numeric = await recall(h.store.db, { material: '4713', range: { from: '98', to: '000101' } });
      expect(numeric.rows.map((r) => r.serial)).toEqual(['98', '99', '100', '101']);
      const csv = recallCsv(byRange.rows);
      expect(csv.split('\r\n')[0]).toBe(
        'material,serial,state,site,sloc,partner,delivery,handlingUnit,lastMovement,lastEventAt,lastMessageId',
      );
      expect(csv.split('\r\n')).toHaveLength(6);
      const counts = await countsBySite(h.store.db, '4711');
      expect(counts.find((c) => c.site === 'S0124')?.count).toBe(2);
    });

    it('event rules fire on their cases with evidence (events + messages)', async () => {
      const at = (d: string): Date => t(`2025-04-${d}Z`);
      // Two places: in stock at S0124 (SN-1001), a receipt scan at S0200.
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'TP-1',
          'S0200',
          { kind: 'receipt-po', purchaseOrder: '4500000009' },
          '4711',
          ['SN-1001'],
          at('01T10:00:00'),
        ),
      });
      // Received twice: in stock at S0200 now; received there again.
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'TP-2',
          'S0200',
          { kind: 'receipt-po', purchaseOrder: '4500000010' },
          '4711',
          ['SN-1001'],
          at('02T10:00:00'),
        ),
      });
      // Active after scrap.
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan('SC-1', 'S0124', { kind: 'scrap' }, '4711', ['SN-1002'], at('03T10:00:00')),
      });
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'SC-2',
          'S0124',
          { kind: 'transfer-site', toSite: 'S0123' },
          '4711',
          ['SN-1002'],
          at('04T10:00:00'),
        ),
      });
      // Impossible transit: SN-1004 shipped DC01 -> S0200 at 2025-02-03 10:00; received 1 hour later (min 4 h).
      await h.deliver({
        messageType: 'handheld-goods-movement',
        payload: scan(
          'RD-9',
          'S0200',
          { kind: 'receipt-delivery', delivery: '80001235' },
          '4711',
          ['SN-1004'],
          t('2025-02-03T11:00:00Z'),
        ),
      });
      await h.catchUp();
      const alerts = await listAlerts(h.store.db, { material: '4711', limit: 100 });
      const rules = alerts.map((a) => `${a.rule}:${a.serial}`).sort();
      expect(rules).toEqual([
        'activeAfterFinal:SN-1002',
        'impossibleTransit:SN-1004',
        'receivedTwice:SN-1001',
        'twoPlaces:SN-1001',
      ]);
      const tp = alerts.find((a) => a.rule === 'twoPlaces')!;
      const ev = tp.evidence as { events: { eventId: number; messageId: string }[] };
      expect(ev.events).toHaveLength(2);
      expect(ev.events.every((e) => typeof e.messageId === 'string')).toBe(true);
      expect(tp.severity).toBe('critical');
      expect(tp.state).toBe('open');
    });

    it('sweep rules: never received after N days, out to vendor too long; not raised twice', async () => {
      // SN-1003 in transit since 2025-02-03; SN-2002 at a vendor since 2025-02-05.
      expect(await h.sweep(t('2025-02-10T00:00:00Z'))).toBe(0);
      expect(await h.sweep(t('2025-03-20T00:00:00Z'))).toBe(2);
      expect(await h.sweep(t('2025-03-21T00:00:00Z'))).toBe(0);
      const alerts = await listAlerts(h.store.db, { rules: ['neverReceived', 'vendorOverdue'] });
      expect(alerts.map((a) => `${a.rule}:${a.serial}`).sort()).toEqual([
        'neverReceived:SN-1003',
        'vendorOverdue:SN-2002',
      ]);
    });

    it('API: where is serial X, recall CSV, alerts with filters and state changes, EPCIS export that validates', async () => {
      const app = Fastify();
      app.setErrorHandler((err, _req, reply) => {
        const status = isIdocgateError(err) ? err.httpStatus : 500;
        void reply.code(status).send({
          code: isIdocgateError(err) ? err.code : 'INTERNAL_ERROR',
          message: err instanceof Error ? err.message : String(err),
        });
      });
      await app.register(async (scope) =>
        serialRoutes(scope, { db: h.store.db, ledger: h.config, clock: () => t('2025-05-01T00:00:00Z') }),
      );
      try {
        const where = await app.inject({ method: 'GET', url: '/api/serials/SN-1003' });
        expect(where.statusCode).toBe(200);
        expect(where.json()).toMatchObject({ state: { state: 'in-transit', material: '4711' } });
        expect((await app.inject({ method: 'GET', url: '/api/serials/NOPE' })).json()).toMatchObject({
          code: 'LEDGER_SERIAL_NOT_FOUND',
        });
        const csv = await app.inject({
          method: 'POST',
          url: '/api/serials/recall?format=csv',
          payload: { material: '4711', range: { from: 'SN-1001', to: 'SN-1004' } },
        });
        expect(csv.headers['content-type']).toContain('text/csv');
        expect(csv.body.split('\r\n')).toHaveLength(6);
        expect(
          (await app.inject({ method: 'POST', url: '/api/serials/recall', payload: { material: '4711' } }))
            .statusCode,
        ).toBe(400);
        const open = (
          await app.inject({ method: 'GET', url: '/api/serials/alerts?state=open&rule=twoPlaces' })
        ).json() as { items: { id: number }[] };
        expect(open.items).toHaveLength(1);
        const id = open.items[0]!.id;
        const ack = await app.inject({
          method: 'POST',
          url: `/api/serials/alerts/${id}/acknowledge`,
          payload: { note: 'checking with store' },
        });
        expect(ack.json()).toMatchObject({
          state: 'acknowledged',
          acknowledgedBy: 'operator',
          note: 'checking with store',
        });
        expect(
          (await app.inject({ method: 'POST', url: `/api/serials/alerts/${id}/close` })).json(),
        ).toMatchObject({ state: 'closed' });
        expect(
          (await app.inject({ method: 'POST', url: '/api/serials/alerts/999999/close' })).statusCode,
        ).toBe(404);
        const counts = (await app.inject({ method: 'GET', url: '/api/serials/alerts/counts' })).json() as {
          counts: { rule: string; state: string; count: number }[];
        };
        expect(counts.counts.find((c) => c.rule === 'twoPlaces')).toMatchObject({
          state: 'closed',
          count: 1,
        });
        const epcis = await app.inject({ method: 'GET', url: '/api/serials/epcis/events?perPage=1000' });
        const doc = epcis.json() as { epcisBody: { eventList: Record<string, unknown>[] } };
        expect(validateEpcis(doc)).toEqual([]);
        expect(doc.epcisBody.eventList.some((e) => e['type'] === 'AggregationEvent')).toBe(true);
        const shipping = (
          await app.inject({
            method: 'GET',
            url: '/api/serials/epcis/events?EQ_bizStep=shipping&MATCH_epc=urn:epc:idpat:sgtin:0614141.*.*',
          })
        ).json() as typeof doc;
        expect(shipping.epcisBody.eventList.length).toBeGreaterThan(0);
        expect(
          shipping.epcisBody.eventList.every(
            (e) =>
              e['bizStep'] === 'shipping' &&
              String((e['epcList'] as string[])[0]).startsWith('urn:epc:id:sgtin:0614141.'),
          ),
        ).toBe(true);
      } finally {
        await app.close();
      }
    });
  });
}
