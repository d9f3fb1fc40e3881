/**
 * End to end on real parts (pipeline harness: PostgreSQL or PGlite, Redis, fake SAP, fake WMS):
 * DELVRY07 from SAP -> partial handheld receipt -> clock past the grace period -> the two
 * MBGMCR03 postings arrive at the fake SAP, receipt before transfer, once. And with SAP failing
 * the receipt first: the transfer still arrives only after the receipt was delivered.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPushback, type PushbackRuntime } from '../../src/sweeper/wiring.js';
import { definitions, delvry07Xml, mappings, startHarness, type Harness } from '../pipeline/harness.js';
import { handheldReceipt, testSweeperConfig, TestClock } from './support.js';

let h: Harness;
let pushback: PushbackRuntime;
const clock = new TestClock('2024-03-05T12:00:00Z');
const fromSap = { kind: 'port', name: 'sap' } as const;
const handheld = { kind: 'partner', name: 'handheld' } as const;
const WAIT = { timeout: 15_000, interval: 50 };

beforeAll(async () => {
  h = await startHarness({
    label: 'pushback',
    retry: { attempts: 5, backoff: 20, maxBackoff: 100, jitter: 0 },
  });
  await h.startWorkers();
  pushback = await startPushback({
    config: h.config,
    sweeper: testSweeperConfig({ port: 'sap' }),
    store: h.store,
    definitions,
    tables: mappings.tables,
    queue: h.queue,
    now: clock.now,
  });
});
afterAll(async () => {
  await pushback?.close();
  await h?.close();
});

async function statusOf(id: string): Promise<string | undefined> {
  return (await h.store.get(id))?.status;
}

/** MBGMCR03 bodies the fake SAP received for a delivery's pushback, in arrival order. */
function pushbacksAtSap(delivery: string): { status: number; move: string }[] {
  return h.sap.received
    .map((r) => ({ status: r.status, xml: r.body.toString('utf8') }))
    .filter((r) => r.xml.includes('<MESTYP>MBGMCR</MESTYP>') && r.xml.includes(`PUSHBACK ${delivery}`))
    .map((r) => ({ status: r.status, move: /<MOVE_TYPE>(\d+)<\/MOVE_TYPE>/.exec(r.xml)?.[1] ?? '?' }));
}

async function deliveryFromSapAndPartialScan(docnum: string, delivery: string): Promise<void> {
  const r = await h.runtime.ingest({
    channel: 'sap-xml-http',
    principal: fromSap,
    body: delvry07Xml(docnum, `00${delivery}`),
  });
  await vi.waitFor(async () => expect(await statusOf(r.messages[0]!.id)).toBe('delivered'), WAIT);
  const scan = await h.runtime.ingest({
    channel: 'partner-json',
    principal: handheld,
    contract: 'handheld-goods-movement',
    body: JSON.stringify(
      handheldReceipt(`HH-${delivery}`, delivery, [
        { article: '4711', quantity: 1, deliveryItem: '10', serialNumbers: ['SN-1001'] },
      ]),
    ),
    contentType: 'application/json',
    idempotencyKey: `HH-${delivery}`,
  });
  await vi.waitFor(async () => expect(await statusOf(scan.messages[0]!.id)).toBe('delivered'), WAIT);
}

describe('pushback end to end', () => {
  it('DELVRY07 -> partial handheld receipt -> past grace -> receipt then transfer at SAP, once', async () => {
    const delivery = '80007001';
    await deliveryFromSapAndPartialScan('910001', delivery);
    await pushback.catchUp();
    const rec = await pushback.ledger.getDelivery(delivery);
    expect(rec).toMatchObject({
      state: 'partial',
      expected: { originSite: 'DC01', destinationSite: 'S0124' },
    });

    // within the grace period (48 h after goods issue on 2024-03-04): nothing
    expect((await pushback.sweep()).pushedBack).toBe(0);

    clock.advance(5 * 24 * 3_600_000);
    const preview = await pushback.sweep({ dryRun: true });
    expect(preview.previews.map((p) => p.delivery)).toContain(delivery);
    const run = await pushback.sweep();
    expect(run.pushedBack).toBe(1);
    expect(run.postings).toBe(2);
    await vi.waitFor(
      () => expect(pushbacksAtSap(delivery).filter((x) => x.status === 200)).toHaveLength(2),
      WAIT,
    );
    expect(pushbacksAtSap(delivery)).toEqual([
      { status: 200, move: '101' },
      { status: 200, move: '301' },
    ]);
    const after = await pushback.ledger.getDelivery(delivery);
    expect(after?.state).toBe('pushed-back');
    expect(after?.discrepancy).toMatchObject({ missingQuantity: 11, missingSerials: 1 });
    expect(after?.discrepancy?.items[0]?.missingSerials).toEqual(['SN-1002']);
    for (const step of after!.pushback!.steps) {
      await vi.waitFor(async () => expect(await statusOf(step.messageId!)).toBe('delivered'), WAIT);
    }

    // the postings are MBGMCR that reached SAP: the catch-up must not read them as receipts
    await pushback.catchUp();
    expect((await pushback.ledger.getDelivery(delivery))?.receipts).toHaveLength(1);
    // again: nothing new
    clock.advance(3_600_000);
    expect((await pushback.sweep()).postings).toBe(0);
    expect(pushbacksAtSap(delivery)).toHaveLength(2);
  });

  it('SAP fails the receipt first: the transfer arrives only after the receipt was delivered', async () => {
    const delivery = '80007002';
    await deliveryFromSapAndPartialScan('910002', delivery);
    h.sap.setBehaviour({ failFirst: 2, status: 503 });
    const run = await pushback.sweep();
    expect(run.pushedBack).toBe(1);
    await vi.waitFor(
      () => expect(pushbacksAtSap(delivery).filter((x) => x.status === 200)).toHaveLength(2),
      WAIT,
    );
    const seen = pushbacksAtSap(delivery);
    expect(seen.slice(0, 2)).toEqual([
      { status: 503, move: '101' },
      { status: 503, move: '101' },
    ]);
    expect(seen.slice(2)).toEqual([
      { status: 200, move: '101' },
      { status: 200, move: '301' },
    ]);
  });
});
