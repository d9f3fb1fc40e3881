/**
 * Both directions together: a WMS confirmation -> DELVRY07 -> WMS delivery order keeps items,
 * quantities, units, handling units and serial numbers; a handheld scan -> MBGMCR03 ->
 * PeopleSoft keeps articles, quantities, units, sites and the serials of each item.
 */
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import type { Idoc } from '../../src/idoc/model.js';
import { validateIdoc } from '../../src/idoc/validate.js';
import { runMapping } from '../../src/mapping/run.js';
import { loadMappings } from '../../src/mapping/load.js';
import { MappingError } from '../../src/mapping/errors.js';
import { IdocgateError } from '../../src/errors.js';

const definitions = loadDefinitions();
const registry = loadMappings(undefined, { definitions });
const ctx = { now: new Date('2024-03-04T19:30:00Z'), timeZone: 'Europe/Berlin' };
const mapping = (name: string) => {
  const m = registry.get(name);
  if (!m) throw new Error(`no mapping ${name}`);
  return m;
};

describe('round trips', () => {
  it('WMS confirmation -> DELVRY07 -> WMS delivery order', () => {
    const confirmation = {
      delivery: '80001234',
      event: 'packed',
      confirmedAt: '2024-03-04T14:12:45+01:00',
      items: [
        {
          position: '10',
          article: '4711',
          site: 'DC01',
          storageLocation: '0001',
          quantity: 2,
          unit: 'PCE',
          serialNumbers: ['A1', 'A2'],
        },
        { position: '20', article: 'ABC-100', site: 'DC01', quantity: 0.125, unit: 'KGM' },
      ],
      handlingUnits: [
        {
          id: '1000000123',
          contents: [{ position: '10', quantity: 2, unit: 'PCE', serialNumbers: ['A1', 'A2'] }],
        },
        { id: 'HU-B', contents: [{ position: '20', quantity: 0.125, unit: 'KGM' }] },
      ],
    };
    const idoc = runMapping(mapping('wms-confirmation-to-delvry07'), confirmation, ctx).output as Idoc;
    expect(validateIdoc(idoc, definitions).filter((i) => i.severity !== 'warning')).toEqual([]);
    // The same DELVRY07, as SAP would send it onwards as a warehouse order.
    const asOrder: Idoc = {
      ...idoc,
      control: { ...idoc.control, MESTYP: 'WHSORD', DOCNUM: '0000000000000042' },
    };
    const order = runMapping(mapping('delvry07-to-wms-delivery-order'), asOrder, ctx).output;
    expect(order).toEqual({
      messageType: 'WHSORD',
      idocNumber: '42',
      delivery: '80001234',
      items: [
        {
          position: '000010',
          article: '4711',
          site: 'DC01',
          storageLocation: '0001',
          quantity: 2,
          unit: 'PCE',
          serialNumbers: ['A1', 'A2'],
        },
        { position: '000020', article: 'ABC-100', site: 'DC01', quantity: 0.125, unit: 'KGM' },
      ],
      handlingUnits: [
        {
          id: '1000000123',
          contents: [{ position: '000010', quantity: 2, unit: 'PCE', serialNumbers: ['A1', 'A2'] }],
        },
        { id: 'HU-B', contents: [{ position: '000020', quantity: 0.125, unit: 'KGM' }] },
      ],
    });
  });

  it('handheld scan -> MBGMCR03 -> PeopleSoft inventory transaction', () => {
    const scan = {
      scanId: 'HH-1',
      site: 'S0124',
      movement: { kind: 'transfer-location', toStorageLocation: '0009' },
      items: [
        { article: '4711', quantity: 3, unit: 'PCE', serialNumbers: ['S1', 'S2', 'S3'] },
        { article: '4712', quantity: 1, unit: 'PCE' },
        { article: '4713', quantity: 2, unit: 'PCE', serialNumbers: ['T1', 'T2'] },
      ],
      device: 'TC52',
      user: 'jdoe',
      scannedAt: '2024-03-04T23:30:00Z',
    };
    const idoc = runMapping(mapping('handheld-to-mbgmcr03'), scan, ctx).output as Idoc;
    expect(validateIdoc(idoc, definitions).filter((i) => i.severity !== 'warning')).toEqual([]);
    const tx = runMapping(
      mapping('mbgmcr03-to-peoplesoft'),
      { ...idoc, control: { ...idoc.control, DOCNUM: '7' } },
      ctx,
    ).output as { postingDate: string; goodsMovementCode: string; lines: Record<string, unknown>[] };
    expect(tx.postingDate).toBe('2024-03-05'); // 23:30 UTC is already the 5th in Berlin
    expect(tx.goodsMovementCode).toBe('04');
    expect(
      tx.lines.map((l) => [
        l['item'],
        l['quantity'],
        l['toQuantity'],
        l['unitOfMeasure'],
        l['businessUnit'],
        l['storageArea'],
        l['toStorageArea'],
        l['transactionType'],
        l['serialNumbers'],
      ]),
    ).toEqual([
      // 311: out of the issuing storage location (-), into the receiving one (+)
      ['4711', -3, 3, 'PCE', 'US124', '0001', '0009', 'TRANSFER_LOCATION', ['S1', 'S2', 'S3']],
      ['4712', -1, 1, 'PCE', 'US124', '0001', '0009', 'TRANSFER_LOCATION', undefined],
      ['4713', -2, 2, 'PCE', 'US124', '0001', '0009', 'TRANSFER_LOCATION', ['T1', 'T2']],
    ]);
  });
});

describe('failures are permanent and carry their issues', () => {
  it('invalid partner JSON is PAYLOAD_INVALID with JSON pointers', () => {
    const e = (() => {
      try {
        runMapping(mapping('handheld-to-mbgmcr03'), { site: 'S0123' }, ctx);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(IdocgateError);
    const err = e as IdocgateError;
    expect(err.code).toBe('PAYLOAD_INVALID');
    expect(err.verdict).toBe('permanent');
    expect(err.issues.map((i) => i.path)).toContain('/items');
  });

  it('a mapping failure is a MappingError (MAPPING_FAILED, permanent) listing every issue', () => {
    const idoc: Idoc = {
      control: { IDOCTYP: 'DELVRY07', MESTYP: 'WHSORD' },
      segments: [
        {
          type: 'E1EDL20',
          fields: {},
          children: [
            { type: 'E1EDL24', fields: { POSNR: '000010', WERKS: '1000', VRKME: 'PCE' }, children: [] },
          ],
        },
      ],
    };
    let err: unknown;
    try {
      runMapping(mapping('delvry07-to-wms-delivery-order'), idoc, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MappingError);
    const me = err as MappingError;
    expect(me.code).toBe('MAPPING_FAILED');
    expect(me.verdict).toBe('permanent');
    expect(me.issues.map((i) => [i.targetPath, i.rule])).toEqual([
      ['/idocNumber', 'required'],
      ['/delivery', 'required'],
      ['/items/0/article', 'required'],
      ['/items/0/quantity', 'required'],
    ]);
  });

  it('lookup tables can be overridden per run (ctx.tables)', () => {
    const idoc: Idoc = {
      control: { IDOCTYP: 'DELVRY07', MESTYP: 'WHSORD', DOCNUM: '1' },
      segments: [
        {
          type: 'E1EDL20',
          fields: { VBELN: '0080000001' },
          children: [
            {
              type: 'E1EDL24',
              fields: { POSNR: '000010', MATNR: 'X', WERKS: '7777', LFIMG: '1', VRKME: 'PCE' },
              children: [],
            },
          ],
        },
      ],
    };
    const m = mapping('delvry07-to-wms-delivery-order');
    expect(m.run(idoc, ctx).issues.map((i) => i.code)).toEqual(['LOOKUP_MISS']);
    // Columns are matched by name: the override may order them differently.
    const tables = { sites: { name: 'sites', columns: ['plant', 'site'], rows: [['7777', 'S7777']] } };
    const r = m.run(idoc, { ...ctx, tables });
    expect(r.issues).toEqual([]);
    expect((r.output as { items: { site: string }[] }).items[0]?.site).toBe('S7777');
  });
});
