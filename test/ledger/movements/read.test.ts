import { describe, expect, it } from 'vitest';
import type { Idoc, Segment } from '../../../src/idoc/model.js';
import { readLedgerIdoc } from '../../../src/ledger/deliveries/extract-idoc.js';
import { readIdocMovements } from '../../../src/ledger/movements/read.js';
import { extractFromIdoc } from '../../../src/ledger/serials/extract-idoc.js';
import { buildSiteDirectory, loadSiteRows } from '../../../src/ledger/serials/sites.js';
import { defaultLedgerConfig } from '../../../src/config/ledger.js';
import { delvry07, testSites } from '../../sweeper/support.js';

const seg = (type: string, fields: Record<string, string>, children: Segment[] = []): Segment => ({
  type,
  fields,
  children,
});

/** A goods receipt (101) whose delivery is only in DELIV_NUMB_TO_SEARCH (no item overflow). */
function receiptBySearchField(): Idoc {
  return {
    control: { IDOCTYP: 'MBGMCR03', MESTYP: 'MBGMCR', CREDAT: '20240305', CRETIM: '090000' },
    segments: [
      seg('E1MBGMCR', {}, [
        seg('E1BP2017_GM_HEAD_01', { PSTNG_DATE: '20240305', REF_DOC_NO: 'GR-1' }),
        seg('E1BP2017_GM_ITEM_CREATE', {
          MATERIAL: '000000000000004711',
          PLANT: '1000',
          STGE_LOC: '0001',
          MOVE_TYPE: '101',
          ENTRY_QNT: '1.000',
          ENTRY_UOM: 'PCE',
          DELIV_NUMB_TO_SEARCH: '0080000191',
          DELIV_ITEM_TO_SEARCH: '000010',
        }),
        seg('E1BP2017_GM_SERIALNUMBER', { MATDOC_ITM: '0001', SERIALNO: 'SN-1' }),
      ]),
    ],
  };
}

describe('one reader of business movements (src/ledger/movements/read.ts)', () => {
  it('reads a delivery into normalized values, with what its message type means to each ledger', () => {
    const idoc = delvry07('80000191', [{ posnr: '10', matnr: '4711', qty: '2.000', serials: ['SN-1'] }], {
      mestyp: 'WHSCON',
      qualf18: ['PGI'],
    });
    const read = readIdocMovements(idoc, 'UTC')!;
    expect(read.messageType).toBe('WHSCON');
    expect(read.createdAt?.toISOString()).toBe('2024-03-02T07:15:02.000Z');
    const [doc] = read.documents;
    expect(doc?.kind).toBe('delivery');
    if (doc?.kind !== 'delivery') return;
    expect([doc.delivery, doc.shipTo, doc.shippingPoint, doc.returnsDelivery]).toEqual([
      '0080000191',
      '0000100201',
      '1000',
      false,
    ]);
    expect(doc.items.map((i) => [i.position, i.material, i.quantity, i.serials])).toEqual([
      ['000010', '000000000000004711', '2.000', ['SN-1']],
    ]);
    expect(doc.goodsIssueActual?.toISOString()).toBe('2024-03-04T14:00:00.000Z');
    expect(doc.deliveryLedgerRoles.map((r) => r.milestone)).toEqual(['goods-issued']);
    expect(doc.serialLedgerRole).toBe('shipped');
  });

  it('an IDoc type without movements reads as nothing', () => {
    expect(readIdocMovements({ control: { IDOCTYP: 'ORDERS05' }, segments: [] }, 'UTC')).toBeUndefined();
  });

  it('both ledgers take the delivery of a goods receipt from the same fields (overflow, else the search fields)', () => {
    const idoc = receiptBySearchField();
    const [doc] = readIdocMovements(idoc, 'UTC')!.documents;
    expect(
      doc?.kind === 'goods-movement' && doc.items.map((i) => [i.delivery, i.deliveryItem, i.serials]),
    ).toEqual([['0080000191', '000010', ['SN-1']]]);
    const deliveries = readLedgerIdoc(idoc, { sites: testSites(), timeZone: 'UTC' });
    expect(deliveries.kind === 'receipt' && deliveries.lines.map((l) => [l.delivery, l.position])).toEqual([
      ['80000191', '10'],
    ]);
    const serials = extractFromIdoc(
      idoc,
      buildSiteDirectory(loadSiteRows(), defaultLedgerConfig({})),
      new Date(0),
      'UTC',
    );
    expect(serials.events.map((e) => [e.serial, e.movement, e.delivery, e.docRef])).toEqual([
      ['SN-1', 'received', '80000191', 'GR-1'],
    ]);
  });
});
