import { describe, expect, it } from 'vitest';
import { readLedgerIdoc } from '../../../src/ledger/deliveries/extract-idoc.js';
import { computeDeliveryStatus } from '../../../src/ledger/deliveries/status.js';
import {
  formatQuantity,
  parseQuantityMilli,
  viewStateOf,
  type ExpectedDelivery,
  type RecordedReceipt,
} from '../../../src/ledger/deliveries/types.js';
import { delvry07, testSites, type ItemSpec } from '../../sweeper/support.js';

function expected(items: readonly ItemSpec[]): ExpectedDelivery {
  const r = readLedgerIdoc(delvry07('80000100', items), { sites: testSites(), timeZone: 'UTC' });
  if (r.kind !== 'expect') throw new Error('fixture did not read');
  return r.deliveries[0]!;
}

let seq = 0;
function receipt(over: Partial<RecordedReceipt>): RecordedReceipt {
  seq++;
  return {
    delivery: '80000100',
    line: 0,
    source: 'handheld',
    position: null,
    material: null,
    quantityMilli: 0,
    unit: 'PCE',
    serials: [],
    eventAt: new Date(0),
    messageId: `00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`,
    recordedAt: new Date(seq * 1000),
    late: false,
    ...over,
  };
}

const TWO_ITEMS: ItemSpec[] = [
  { posnr: '10', matnr: '4711', qty: '3.000', serials: ['SN-1', 'SN-2', 'SN-3'] },
  { posnr: '20', matnr: '100200300', qty: '10.000', unit: 'CT' },
];

describe('computeDeliveryStatus', () => {
  it('zero receipts: open, everything outstanding, every serial missing', () => {
    const s = computeDeliveryStatus(expected(TWO_ITEMS), []);
    expect(s.state).toBe('open');
    expect([s.expectedMilli, s.receivedMilli, s.outstandingMilli]).toEqual([13000, 0, 13000]);
    expect(s.items[0]!.missingSerials).toEqual(['SN-1', 'SN-2', 'SN-3']);
  });

  it('full receipt: closed', () => {
    const s = computeDeliveryStatus(expected(TWO_ITEMS), [
      receipt({ position: '10', material: '4711', quantityMilli: 3000, serials: ['SN-1', 'SN-2', 'SN-3'] }),
      receipt({ position: '20', quantityMilli: 10000 }),
    ]);
    expect(s.state).toBe('closed');
    expect(s.outstandingMilli).toBe(0);
    expect(s.serials.every((x) => x.received)).toBe(true);
  });

  it('partial receipt, serial level: which serials arrived, which did not', () => {
    const s = computeDeliveryStatus(expected(TWO_ITEMS), [
      receipt({ material: '4711', quantityMilli: 2000, serials: ['SN-3', 'SN-1'] }),
      receipt({ position: '20', quantityMilli: 4000 }),
    ]);
    expect(s.state).toBe('partial');
    expect(s.items.map((i) => [i.position, i.receivedMilli, i.outstandingMilli, i.missingSerials])).toEqual([
      ['10', 2000, 1000, ['SN-2']],
      ['20', 4000, 6000, []],
    ]);
    expect(s.serials.filter((x) => x.received).map((x) => x.serial)).toEqual(['SN-1', 'SN-3']);
  });

  it('serials match in their ALPHA form and by serial alone when the line names no material', () => {
    const d = expected([
      { posnr: '10', matnr: '4711', qty: '2.000', serials: ['000000000000001234', 'SN-2'] },
    ]);
    const s = computeDeliveryStatus(d, [receipt({ quantityMilli: 1000, serials: ['1234'] })]);
    expect(s.items[0]!.receivedMilli).toBe(1000);
    expect(s.items[0]!.missingSerials).toEqual(['SN-2']);
    expect(s.unexpectedSerials).toBe(0);
  });

  it('over-receipt and unexpected serials are flagged', () => {
    const s = computeDeliveryStatus(expected(TWO_ITEMS), [
      receipt({ position: '10', quantityMilli: 4000, serials: ['SN-1', 'SN-2', 'SN-3', 'SN-X'] }),
      receipt({ position: '20', quantityMilli: 10000 }),
      receipt({ material: '999', quantityMilli: 1000 }),
    ]);
    expect(s.state).toBe('closed');
    expect(s.overReceived).toBe(true);
    expect(s.items[0]!.overMilli).toBe(1000);
    expect(s.unmatchedMilli).toBe(1000);
    expect(s.unexpectedSerials).toBe(1);
    expect(s.serials.find((x) => x.serial === 'SN-X')).toMatchObject({ expected: false, received: true });
  });

  it('late receipts are listed but not counted', () => {
    const s = computeDeliveryStatus(expected(TWO_ITEMS), [
      receipt({ position: '10', quantityMilli: 1000, serials: ['SN-1'] }),
      receipt({ position: '10', quantityMilli: 2000, serials: ['SN-2', 'SN-3'], late: true }),
    ]);
    expect(s.lateReceipts).toBe(1);
    expect(s.items[0]!.receivedMilli).toBe(1000);
    expect(s.items[0]!.missingSerials).toEqual(['SN-2', 'SN-3']);
    expect(s.serials.find((x) => x.serial === 'SN-2')).toMatchObject({ received: false, late: true });
  });

  it('two items of one material: a receipt by material fills the first that still waits', () => {
    const d = expected([
      { posnr: '10', matnr: '4711', qty: '1.000' },
      { posnr: '20', matnr: '4711', qty: '1.000' },
    ]);
    const s = computeDeliveryStatus(d, [
      receipt({ material: '4711', quantityMilli: 1000 }),
      receipt({ material: '4711', quantityMilli: 1000 }),
    ]);
    expect(s.items.map((i) => i.receivedMilli)).toEqual([1000, 1000]);
    expect(s.state).toBe('closed');
  });
});

describe('quantities and view states', () => {
  it('parses and formats SAP quantities in thousandths', () => {
    expect(['180.000', ' 4.000', '5-', '.5', '12', 'x', ''].map(parseQuantityMilli)).toEqual([
      180000,
      4000,
      -5000,
      500,
      12000,
      undefined,
      undefined,
    ]);
    expect([1500, 0, 2].map(formatQuantity)).toEqual(['1.500', '0.000', '0.002']);
  });

  it('open/partial past due are overdue', () => {
    const now = new Date('2024-03-10T00:00:00Z');
    expect(viewStateOf('open', new Date('2024-03-11T00:00:00Z'), now)).toBe('open');
    expect(viewStateOf('partial', new Date('2024-03-11T00:00:00Z'), now)).toBe('partially-received');
    expect(viewStateOf('partial', now, now)).toBe('overdue');
    expect(viewStateOf('pushing-back', now, now)).toBe('pushed-back');
  });
});
