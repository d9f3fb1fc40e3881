/**
 * The carrier of a delivery in the ledger (migration 0072): the forwarding agent SAP names on the
 * announcement (E1ADRM1 PARTNER_Q SP) is stored, kept by a later announcement that names none,
 * replaced by one that names another, and shown in the deliveries API's detail. Real stores
 * (PGlite and PostgreSQL), the real catch-up.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../src/api/auth.js';
import { deliveryRoutes } from '../../../src/api/deliveries.js';
import { registerErrorHandling } from '../../../src/api/errors.js';
import { Secrets } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import type { OpenedStore } from '../../../src/store/open-store.js';
import { backends } from '../../store/backends.js';
import { LedgerHarness } from '../../sweeper/harness.js';
import { delvry07, TestClock, type ItemSpec } from '../../sweeper/support.js';

const ITEMS: ItemSpec[] = [{ posnr: '10', matnr: '4711', qty: '2.000', serials: ['SN-C1', 'SN-C2'] }];
const viewer = `Basic ${Buffer.from('auditor:demo-viewer').toString('base64')}`;

for (const backend of backends('carrier')) {
  describe.skipIf(!backend.available)(`the carrier in the delivery ledger on ${backend.name}`, () => {
    let store: OpenedStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('is stored from the announcement, kept when a later one names none, replaced by another', async () => {
      const h = new LedgerHarness(store, new TestClock('2024-03-04T15:00:00Z'));
      await h.fromSap(delvry07('83000001', ITEMS, { carrier: '700001' }));
      await h.fromSap(delvry07('83000002', ITEMS));
      await h.catchUp();
      expect((await h.ledger.getDelivery('83000001'))?.expected.carrier).toBe('700001');
      expect((await h.ledger.getDelivery('83000002'))?.expected.carrier).toBeNull();
      // a change of the delivery without the partner: the known carrier stays
      await h.fromSap(delvry07('83000001', ITEMS, { docnum: '983000001' }));
      await h.catchUp();
      expect((await h.ledger.getDelivery('83000001'))?.expected.carrier).toBe('700001');
      // SAP names another forwarding agent: the newer one counts
      await h.fromSap(delvry07('83000001', ITEMS, { docnum: '993000001', carrier: '700002' }));
      await h.catchUp();
      expect((await h.ledger.getDelivery('83000001'))?.expected.carrier).toBe('700002');
    });

    it('is shown in the delivery detail of the API', async () => {
      const h = new LedgerHarness(store, new TestClock('2024-03-04T15:00:00Z'));
      await h.fromSap(delvry07('83000011', ITEMS, { carrier: '0000700003' }));
      await h.catchUp();
      const config = configSchema.parse({
        operators: {
          auditor: {
            role: 'viewer',
            passwordHash:
              'scrypt$16384$8$1$21IpfgAvNPBY0d-JsDEAZA$9PNRy7UGdZ78h0a_XbmAiPH11P3cEnUhqIx9naqC8gs',
          },
        },
      });
      const app = Fastify();
      registerErrorHandling(app);
      await app.register(async (f) =>
        deliveryRoutes(f, {
          auth: new Authenticator({ config, secrets: new Secrets(new Map()) }),
          pushback: { ledger: h.ledger, now: h.clock.now, sweep: (o) => h.sweep(o ?? {}) },
        }),
      );
      try {
        const r = await app.inject({
          method: 'GET',
          url: '/api/deliveries/83000011',
          headers: { authorization: viewer },
        });
        expect(r.statusCode).toBe(200);
        expect(r.json<{ delivery: { carrier: string | null } }>().delivery.carrier).toBe('700003');
      } finally {
        await app.close();
      }
    });
  });
}
