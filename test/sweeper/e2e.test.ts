/**
 * End to end on real parts (pipeline harness: PostgreSQL or PGlite, Redis, fake SAP, fake WMS):
 * DELVRY07 WHSORD from SAP (for a stock transport order) -> the DC's goods-issue confirmation
 * (WHSCON E1EDL18 PGI, sent to SAP) -> partial handheld receipt -> clock past the grace period ->
 * the two MBGMCR03 postings arrive at the fake SAP, receipt before transfer, once. And with SAP
 * failing the receipt first: the transfer still arrives only after the receipt was delivered.
 * A delivery that was never goods-issued is not pushed back, and the preview says why.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PushbackRuntime } from '../../src/wiring/pushback.js';
import type { Harness } from '../pipeline/harness.js';
import { partialStoDelivery, pushbacksAt, startPushbackHarness } from './flow.js';
import { TestClock } from './support.js';

let h: Harness;
let pushback: PushbackRuntime;
const clock = new TestClock('2024-03-05T12:00:00Z');
const WAIT = { timeout: 15_000, interval: 50 };

beforeAll(async () => {
  ({ h, pushback } = await startPushbackHarness('pushback', clock));
});
afterAll(async () => {
  await pushback?.close();
  await h?.close();
});

async function statusOf(id: string): Promise<string | undefined> {
  return (await h.store.get(id))?.status;
}

const pushbacksAtSap = (delivery: string) => pushbacksAt(h, delivery);
const deliveryFromSapAndPartialScan = (docnum: string, delivery: string, goodsIssue = true) =>
  partialStoDelivery(h, docnum, delivery, { goodsIssue });

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
    // the grace period counts from the DC's actual goods issue (14:00 New York time)
    expect(rec?.expected.goodsIssueAt?.toISOString()).toBe('2024-03-04T19:00:00.000Z');
    expect(rec?.expected.items[0]).toMatchObject({
      purchaseOrder: '4500000777',
      purchaseOrderItem: '000010',
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

  it('a delivery never goods-issued at the DC is not pushed back; the preview says why', async () => {
    const delivery = '80007003';
    await deliveryFromSapAndPartialScan('910003', delivery, false);
    await pushback.catchUp();
    const rec = await pushback.ledger.getDelivery(delivery);
    expect(rec).toMatchObject({ state: 'partial', expected: { goodsIssueAt: null } });
    clock.advance(10 * 24 * 3_600_000);
    const preview = await pushback.sweep({ dryRun: true });
    expect(preview.previews.map((p) => p.delivery)).not.toContain(delivery);
    expect(preview.problems.find((p) => p.delivery === delivery)?.issues[0]?.code).toBe('NOT_GOODS_ISSUED');
    expect((await pushback.sweep()).pushedBack).toBe(0);
    expect(pushbacksAtSap(delivery)).toEqual([]);
  });
});
