/**
 * The README's two demos on the delivery ledger: the pushback demo (examples/delvry07-shpord-to-
 * store.xml -> examples/wms-goods-issue.json -> examples/handheld-partial-receipt.json, config/
 * pushback.example.yaml) goes announced -> in transit -> partially received -> pushed back against
 * its stock transport order; and it shares no serial or delivery with the quick start
 * (examples/delvry07-desadv-for-wms.xml, examples/handheld-receipt.json), so running both on one
 * database raises no serial alert of one against the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { sweeperConfigSchema } from '../../src/config/sweeper.js';
import { readIdocs } from '../../src/idoc/codec.js';
import type { Idoc } from '../../src/idoc/model.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { pgliteBackend } from '../store/backends.js';
import { definitions, LedgerHarness } from './harness.js';
import { HOUR, TestClock } from './support.js';

const example = (name: string): string => readFileSync(join(PROJECT_ROOT, 'examples', name), 'utf8');
const xmlIdoc = (name: string): Idoc => readIdocs(example(name), definitions).idocs[0]!;

/** Serial numbers anywhere in an IDoc (SERNR) or a partner JSON (serialNumbers). */
function serialsIn(text: string): Set<string> {
  return new Set([
    ...[...text.matchAll(/<SERNR>([^<]+)<\/SERNR>/g)].map((m) => m[1]!),
    ...[...text.matchAll(/"serialNumbers":\s*\[([^\]]*)\]/g)].flatMap((m) =>
      [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!),
    ),
  ]);
}

function deliveriesIn(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/<VBELN>0*(\d+)<\/VBELN>|"delivery":\s*"0*(\d+)"/g)].map((m) => m[1] ?? m[2]!),
  );
}

describe('the README demos', () => {
  it('use distinct serials and deliveries', () => {
    const quick = ['delvry07-desadv-for-wms.xml', 'handheld-receipt.json'].map(example).join('\n');
    const pushback = ['delvry07-shpord-to-store.xml', 'wms-goods-issue.json', 'handheld-partial-receipt.json']
      .map(example)
      .join('\n');
    const shared = [...serialsIn(quick)].filter((s) => serialsIn(pushback).has(s));
    expect(serialsIn(pushback).size).toBeGreaterThan(0);
    expect(shared).toEqual([]);
    expect([...deliveriesIn(quick)].filter((d) => deliveriesIn(pushback).has(d))).toEqual([]);
    expect(deliveriesIn(pushback)).toEqual(new Set(['80009001']));
  });

  describe('the pushback demo on the ledger', () => {
    const backend = pgliteBackend('examples');
    let store: OpenedStore;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('announced -> goods issued by the DC -> partial receipt -> 101 against the STO, then 301', async () => {
      const file = join(PROJECT_ROOT, 'config', 'pushback.example.yaml');
      const { sweeper } = parseConfigText(readFileSync(file, 'utf8'), file) as { sweeper: unknown };
      const h = new LedgerHarness(
        store,
        new TestClock('2024-03-05T12:00:00Z'),
        sweeperConfigSchema.parse(sweeper),
      );
      await h.fromSap(xmlIdoc('delvry07-shpord-to-store.xml'));
      await h.catchUp();
      expect(await h.ledger.getDelivery('80009001')).toMatchObject({
        state: 'announced',
        expected: { destinationSite: 'S0124', goodsIssueAt: null },
      });

      const wms = example('wms-goods-issue.json');
      const r = await store.receive({
        direction: 'in',
        partner: 'DCWMS',
        messageType: 'WHSCON',
        idempotencyKey: 'PGI-DEMO-9001',
        raw: { format: 'json', content: wms },
        by: 'test:edge',
      });
      await store.transition(r.message.id, 'delivered', { by: 'test' });
      await h.scan(JSON.parse(example('handheld-partial-receipt.json')) as Record<string, unknown>);
      await h.catchUp();
      const rec = await h.ledger.getDelivery('80009001');
      expect(rec).toMatchObject({ state: 'partial' });
      // the harness reads SAP dates in UTC; the WMS time carries its offset (14:00 New York)
      expect(rec?.expected.goodsIssueAt?.toISOString()).toBe('2024-03-04T19:00:00.000Z');
      expect(rec?.dueAt.toISOString()).toBe('2024-03-07T19:00:00.000Z');

      h.clock.advance(3 * 24 * HOUR);
      await h.sweep();
      const done = await h.ledger.getDelivery('80009001');
      expect(done?.state).toBe('pushed-back');
      const [receipt, transfer] = done!.pushback!.steps.map((s) =>
        s.idoc.segments[0]!.children.filter((x) => x.type === 'E1BP2017_GM_ITEM_CREATE'),
      );
      expect(
        receipt!.map((i) => [i.fields['MOVE_TYPE'], i.fields['PO_NUMBER'], i.fields['PO_ITEM']]),
      ).toEqual([
        ['101', '4500009001', '00010'],
        ['101', '4500009001', '00020'],
      ]);
      expect(transfer!.map((i) => i.fields['MOVE_TYPE'])).toEqual(['301', '301']);
      expect(done?.discrepancy?.items[0]?.missingSerials).toEqual(['SN-9001-02']);
    });
  });
});
