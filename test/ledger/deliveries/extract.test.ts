import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIdocs } from '../../../src/idoc/codec.js';
import { parseJson } from '../../../src/idoc/codec-json.js';
import { loadDefinitions } from '../../../src/definitions/load.js';
import { readLedgerIdoc } from '../../../src/ledger/deliveries/extract-idoc.js';
import { readJsonReceipt } from '../../../src/ledger/deliveries/extract-json.js';
import { buildDeliverySites, siteRowsOf } from '../../../src/ledger/deliveries/sites.js';
import {
  DELVRY_LAYOUT,
  DELVRY_LAYOUT_SCHEMA,
  LAYOUTS_DIR,
  loadLayout,
} from '../../../src/ledger/movements/idoc-layouts.js';
import { carrierOf } from '../../../src/ledger/movements/read.js';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { delvry07, handheldReceipt, SITES_TABLE, testSites } from '../../sweeper/support.js';

const opts = { sites: testSites(), timeZone: 'UTC' };
const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'mappings');

describe('reading deliveries from DELVRY07', () => {
  it('reads the WHSORD fixture: origin, store, items, HU, serials once, planned goods issue only', () => {
    const [idoc] = parseJson(
      readFileSync(join(FIXTURES, 'delvry07-to-wms-delivery-order', 'whsord-items-hus-serials.input.json')),
    );
    const r = readLedgerIdoc(idoc!, opts);
    expect(r.kind).toBe('expect');
    if (r.kind !== 'expect') return;
    const [d] = r.deliveries;
    expect(d).toMatchObject({
      delivery: '80001234',
      sapDelivery: '0080001234',
      originSite: 'DC01',
      originPlant: '1000',
      destinationSite: 'S0124',
      destinationPlant: '0124',
      shipTo: '0000100201',
      // the fixture names sold-to (AG) and ship-to (WE), no forwarding agent (SP)
      carrier: null,
      handlingUnits: ['1000000123'],
    });
    // E1EDT13 006 has NTANF/NTANZ (planned) and no ISDD: created, not goods-issued yet
    expect(d!.goodsIssueAt).toBeNull();
    expect(d!.plannedGoodsIssueAt?.toISOString()).toBe('2024-03-04T14:00:00.000Z');
    expect(d!.items.map((i) => [i.position, i.material, i.quantityMilli, i.unit, i.batch])).toEqual([
      ['10', '4711', 2000, 'PCE', null],
      ['20', '100200300', 10000, 'CT', 'B2024-07'],
    ]);
    // E1EDL11 and E1EDL46 carry the same two serials: recorded once each, with the HU unknown from E1EDL11
    expect(d!.serials.map((s) => [s.material, s.serial, s.position])).toEqual([
      ['4711', 'SN-1001', '10'],
      ['4711', 'SN-1002', '10'],
    ]);
  });

  it('ignores deliveries whose ship-to is not a store, with an issue saying so', () => {
    const r = readLedgerIdoc(
      delvry07('80000001', [{ posnr: '10', matnr: '4711', qty: '1.000' }], { shipTo: '999999' }),
      opts,
    );
    expect(r.kind).toBe('ignore');
    expect(r.issues.map((i) => i.code)).toEqual(['NOT_A_STORE_DELIVERY']);
  });

  it('only stores listed in `stores` count when the list is given', () => {
    const sites = buildDeliverySites(siteRowsOf(SITES_TABLE), {
      shipTo: { '100201': 'S0124' },
      stores: ['S0123'],
    });
    const r = readLedgerIdoc(delvry07('80000001', [{ posnr: '10', matnr: '4711', qty: '1.000' }]), {
      sites,
      timeZone: 'UTC',
    });
    expect(r.kind).toBe('ignore');
  });

  it('ship-to equal to a site code or plant resolves without a map', () => {
    const r = readLedgerIdoc(
      delvry07('80000002', [{ posnr: '10', matnr: '4711', qty: '1.000' }], { shipTo: '0123' }),
      opts,
    );
    expect(r.kind === 'expect' && r.deliveries[0]!.destinationSite).toBe('S0123');
  });

  it('takes the actual goods-issue time in the configured zone; never a planned date or the control record', () => {
    const r = readLedgerIdoc(delvry07('80000003', [{ posnr: '10', matnr: '4711', qty: '1.000' }]), {
      ...opts,
      timeZone: 'Europe/Berlin',
    });
    expect(r.kind === 'expect' && r.deliveries[0]!.goodsIssueAt?.toISOString()).toBe(
      '2024-03-04T13:00:00.000Z',
    );
    const planned = readLedgerIdoc(
      delvry07('80000013', [{ posnr: '10', matnr: '4711', qty: '1.000' }], { goodsIssued: false }),
      { ...opts, timeZone: 'America/New_York' },
    );
    expect(planned.kind === 'expect' && planned.deliveries[0]).toMatchObject({
      goodsIssueAt: null,
      plannedGoodsIssueAt: new Date('2024-03-04T19:00:00.000Z'),
    });
    const idoc = delvry07('80000004', [{ posnr: '10', matnr: '4711', qty: '1.000' }]);
    idoc.segments[0]!.children = idoc.segments[0]!.children.filter((s) => s.type !== 'E1EDT13');
    const r2 = readLedgerIdoc(idoc, opts);
    expect(r2.kind === 'expect' && r2.deliveries[0]).toMatchObject({
      goodsIssueAt: null,
      plannedGoodsIssueAt: null,
    });
  });

  it('keeps the stock transport order item of each delivery item (E1EDL24-VGBEL / VGPOS)', () => {
    const r = readLedgerIdoc(
      delvry07('80000014', [
        { posnr: '10', matnr: '4711', qty: '1.000' },
        { posnr: '20', matnr: '4712', qty: '2.000' },
      ]),
      opts,
    );
    expect(
      r.kind === 'expect' &&
        r.deliveries[0]!.items.map((i) => [i.position, i.purchaseOrder, i.purchaseOrderItem]),
    ).toEqual([
      ['10', '4500000123', '000010'],
      ['20', '4500000123', '000020'],
    ]);
  });

  it("reads the carrier: the forwarding agent's partner number (E1ADRM1 PARTNER_Q SP), without leading zeros", () => {
    const item = [{ posnr: '10', matnr: '4711', qty: '1.000' }];
    const r = readLedgerIdoc(delvry07('80000003', item, { carrier: '700001' }), opts);
    expect(r.kind === 'expect' && r.deliveries[0]!.carrier).toBe('700001');
    // the ship-to (WE) or sold-to is never the carrier; without SP there is none
    const none = readLedgerIdoc(delvry07('80000004', item), opts);
    expect(none.kind === 'expect' && none.deliveries[0]!.carrier).toBeNull();
    // an SP partner without a number names no carrier
    const blank = delvry07('80000005', item, { carrier: '1' });
    const header = blank.segments[0]!;
    const sp = header.children.find((s) => s.type === 'E1ADRM1' && s.fields['PARTNER_Q'] === 'SP')!;
    sp.fields['PARTNER_ID'] = '';
    const b = readLedgerIdoc(blank, opts);
    expect(b.kind === 'expect' && b.deliveries[0]!.carrier).toBeNull();
  });

  it('a message type that is no announcement is ignored', () => {
    const r = readLedgerIdoc(
      delvry07('80000005', [{ posnr: '10', matnr: '4711', qty: '1.000' }], { mestyp: 'INVOIC' }),
      opts,
    );
    expect(r.kind).toBe('ignore');
  });
});

describe('reading receipts', () => {
  it("WHSCON/SHPCON are the DC's confirmations, never the store's receipt: PIC picked, PGI goods issued", () => {
    const items = [{ posnr: '10', matnr: '4711', qty: '1.000', serials: ['SN-1'] }];
    // PGI: the goods issue of the stock transport order at the DC (641/643), at the actual goods-issue date
    const pgi = readLedgerIdoc(
      delvry07('80000006', items, { mestyp: 'WHSCON', qualf18: ['PGI'], gi: '20240305061500' }),
      { ...opts, timeZone: 'Europe/Berlin' },
    );
    expect(pgi).toMatchObject({
      kind: 'milestone',
      milestones: [{ delivery: '80000006', kind: 'goods-issued', at: new Date('2024-03-05T05:15:00.000Z') }],
    });
    // PIC: picking confirmation, at the IDoc's creation time
    const pic = readLedgerIdoc(
      delvry07('80000006', items, { mestyp: 'SHPCON', qualf18: ['PIC'], credat: '20240303101500' }),
      opts,
    );
    expect(pic).toMatchObject({
      kind: 'milestone',
      milestones: [{ delivery: '80000006', kind: 'picked', at: new Date('2024-03-03T10:15:00.000Z') }],
    });
    const both = readLedgerIdoc(
      delvry07('80000006', items, { mestyp: 'WHSCON', qualf18: ['PIC', 'PGI'] }),
      opts,
    );
    expect(both.kind === 'milestone' && both.milestones.map((m) => m.kind)).toEqual([
      'goods-issued',
      'picked',
    ]);
    expect(
      readLedgerIdoc(delvry07('80000006', items, { mestyp: 'WHSCON', qualf18: ['CHG'] }), opts).kind,
    ).toBe('ignore');
  });

  it('an MBGMCR03 goods receipt against a delivery (the handheld mapping output) gives lines with serials by MATDOC_ITM', () => {
    const [idoc] = parseJson(
      readFileSync(join(FIXTURES, 'handheld-to-mbgmcr03', 'receipt-delivery-serials.expected.json')),
    );
    const r = readLedgerIdoc(idoc!, opts);
    expect(r.kind).toBe('receipt');
    if (r.kind !== 'receipt') return;
    expect(r.lines.map((l) => [l.delivery, l.position, l.material, l.quantityMilli, l.serials])).toEqual([
      ['180000123', '10', '4711', 2000, ['SN-1001', 'SN-1002']],
      ['180000123', '20', '100200300', 1500, []],
    ]);
  });

  it('an MBGMCR03 without receipt movement types or delivery reference is not a receipt', () => {
    const [idoc] = parseJson(
      readFileSync(join(FIXTURES, 'handheld-to-mbgmcr03', 'transfer-site.expected.json')),
    );
    expect(readLedgerIdoc(idoc!, opts).kind).toBe('ignore');
  });

  it('handheld receipt scans are receipts; other scans are not; a WMS "received" is refused by its contract', () => {
    const scan = readJsonReceipt(
      handheldReceipt('S1', '80000007', [
        { article: '4711', quantity: 2, deliveryItem: '10', serialNumbers: ['A', 'A', 'B'] },
      ]),
    );
    expect(scan?.contract).toBe('handheld-goods-movement');
    expect(scan?.lines).toEqual([
      expect.objectContaining({
        delivery: '80000007',
        position: '10',
        material: '4711',
        quantityMilli: 2000,
        serials: ['A', 'B'],
        source: 'handheld',
      }),
    ]);
    const scrap = readJsonReceipt({
      ...handheldReceipt('S2', '1', [{ article: '4711', quantity: 1 }]),
      movement: { kind: 'scrap' },
    });
    expect(scrap?.lines).toEqual([]);
    const wms = readJsonReceipt({
      delivery: '80000007',
      event: 'received',
      confirmedAt: '2024-03-05T10:00:00Z',
      items: [{ position: '000010', quantity: 1, unit: 'PCE' }],
      handlingUnits: [
        { id: 'HU1', contents: [{ position: '10', quantity: 1, unit: 'PCE', serialNumbers: ['SN-9'] }] },
      ],
    });
    expect(wms).toBeUndefined();
    const shipped = readJsonReceipt({
      delivery: '80000007',
      event: 'shipped',
      confirmedAt: '2024-03-04T18:00:00Z',
      items: [{ position: '000010', quantity: 1, unit: 'PCE' }],
    });
    expect(shipped).toMatchObject({
      lines: [],
      milestones: [{ delivery: '80000007', kind: 'goods-issued', at: new Date('2024-03-04T18:00:00Z') }],
    });
    expect(readJsonReceipt({ hello: 'world' })).toBeUndefined();
  });
});

const CONFORMANCE = join(PROJECT_ROOT, '..', 'shared', 'conformance', 'samples', 'DELVRY07');
const haveConformance = existsSync(CONFORMANCE);
if (!haveConformance) console.warn(`conformance suite skipped: ${CONFORMANCE} is absent`);

describe.skipIf(!haveConformance)('conformance: real DELVRY07 DESADV samples', () => {
  const definitions = loadDefinitions();
  it('every sample with items reads as an expected delivery when its ship-to is declared a store', () => {
    let read = 0;
    let issued = 0;
    let returns = 0;
    let carriers = 0;
    for (const name of readdirSync(CONFORMANCE)) {
      const { idocs } = readIdocs(readFileSync(join(CONFORMANCE, name)), definitions);
      for (const idoc of idocs) {
        const header = idoc.segments.find((s) => s.type === 'E1EDL20');
        const we = header?.children.find((s) => s.type === 'E1ADRM1' && s.fields['PARTNER_Q'] === 'WE');
        const items =
          header?.children.filter((s) => s.type === 'E1EDL24' && Number(s.fields['LFIMG'] ?? '0') > 0) ?? [];
        if (we === undefined || items.length === 0) continue;
        const plant = items.find((i) => i.fields['WERKS'])?.fields['WERKS'];
        const sites = buildDeliverySites(
          [
            { site: 'ORIGIN', plant: plant ?? 'XXXX', storageLocation: null },
            { site: 'STORE', plant: '9999', storageLocation: null },
          ],
          {
            shipTo: { [we.fields['PARTNER_ID'] ?? '']: 'STORE' },
            shippingPoints: { [header?.fields['VSTEL'] ?? '']: 'ORIGIN' },
          },
        );
        const r = readLedgerIdoc(idoc, { sites, timeZone: 'UTC' }, 'DESADV');
        // A returns delivery (SAP's customer-return sample: E1EDL21-LFART LR) brings goods back:
        // it is no delivery a store receives, never expected, never pushed back.
        const lfart = header?.children.find((s) => s.type === 'E1EDL21')?.fields['LFART']?.trim();
        if (lfart !== undefined && ['NLR', 'NCR', 'LR'].includes(lfart)) {
          expect(r.kind, name).toBe('ignore');
          if (r.kind === 'ignore') expect(r.reason).toMatch(/returns delivery/);
          returns++;
          continue;
        }
        expect(r.kind, `${name}: ${r.issues.map((i) => i.message).join('; ')}`).toBe('expect');
        if (r.kind === 'expect') {
          expect(r.deliveries[0]!.items.length).toBe(items.length);
          // the carrier is the forwarding agent (SP) where SAP names one, never another partner
          const sp = header?.children.find((s) => s.type === 'E1ADRM1' && s.fields['PARTNER_Q'] === 'SP');
          const spId = sp?.fields['PARTNER_ID']?.trim();
          expect(r.deliveries[0]!.carrier, name).toBe(spId ? spId.replace(/^0+(?=.)/, '') : null);
          if (spId) carriers++;
          // the reference document of each item is kept as SAP wrote it
          expect(r.deliveries[0]!.items.map((i) => i.purchaseOrder)).toEqual(
            items.map((i) => i.fields['VGBEL']?.trim() || null),
          );
          // only a set ISDD is a goods issue: DESADVs sent after it carry one, orders to the warehouse do not
          const isdd = header?.children.find((s) => s.type === 'E1EDT13' && s.fields['QUALF'] === '006')
            ?.fields['ISDD'];
          if (isdd === undefined || /^0*$/.test(isdd.trim()))
            expect(r.deliveries[0]!.goodsIssueAt).toBeNull();
          else {
            expect(r.deliveries[0]!.goodsIssueAt?.toISOString().slice(0, 10)).toBe(
              `${isdd.slice(0, 4)}-${isdd.slice(4, 6)}-${isdd.slice(6, 8)}`,
            );
            issued++;
          }
        }
        read++;
      }
    }
    expect(read).toBeGreaterThanOrEqual(5);
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(returns).toBe(1);
    // SAP's TPM sample names a forwarding agent (SP) next to its sold-to (AG)
    expect(carriers).toBeGreaterThanOrEqual(1);
  });

  it("an installation's own carrier partner function is one more entry in the layout (U3 in the Versuni sample)", () => {
    const name = 'sap-recipes-o2c-desadv-x12-7010-utf8-czech.xml';
    const { idocs } = readIdocs(readFileSync(join(CONFORMANCE, name)), definitions);
    const header = idocs[0]!.segments.find((s) => s.type === 'E1EDL20')!;
    // SAP's standard reads no carrier there: the sample names its carrier (Raben) with U3
    expect(carrierOf(header, DELVRY_LAYOUT.partner)).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'idocgate-wt-carrier-layout-'));
    const file = join(dir, 'delvry.yaml');
    writeFileSync(
      file,
      readFileSync(join(LAYOUTS_DIR, 'delvry.yaml'), 'utf8').replace('carrier: [SP]', 'carrier: [SP, U3]'),
    );
    const layout = loadLayout(file, DELVRY_LAYOUT_SCHEMA);
    expect(layout.partner.carrier).toEqual(['SP', 'U3']);
    expect(carrierOf(header, layout.partner)).toBe('0100301396');
    // the first listed function wins
    expect(carrierOf(header, { ...layout.partner, carrier: ['U3', 'WE'] })).toBe('0100301396');
    expect(carrierOf(header, { ...layout.partner, carrier: ['WE', 'U3'] })).toBe('0100300841');
  });
});
