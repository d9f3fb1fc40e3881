/**
 * A store return on a returns stock transport order (store S0124 -> DC01) in both ledgers, on the
 * pure parts: the store's 161 scan puts the serials in transit to the DC, the returns delivery's
 * goods movement (WHSCON/SHPCON PGI of delivery type NLR, or the WMS's `shipped` confirmation
 * quoting the type) receives them at the DC; the delivery ledger never takes a returns delivery for
 * a delivery the store must receive (so it is never pushed back). SAP sources: docs/movement-types.md
 * "Return stock transport order".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultLedgerConfig } from '../../src/config/ledger.js';
import type { Idoc, Segment } from '../../src/idoc/model.js';
import { readLedgerIdoc } from '../../src/ledger/deliveries/extract-idoc.js';
import { readJsonReceipt } from '../../src/ledger/deliveries/extract-json.js';
import { planApply, type DraftWithSource } from '../../src/ledger/serials/apply.js';
import { extractFromIdoc } from '../../src/ledger/serials/extract-idoc.js';
import { extractFromJson } from '../../src/ledger/serials/extract-json.js';
import { buildSiteDirectory, loadSiteRows } from '../../src/ledger/serials/sites.js';
import type { SerialEventDraft, SerialState } from '../../src/ledger/serials/types.js';
import { testSites } from '../sweeper/support.js';
import { TRAFFIC_LEDGER_CONFIG } from './traffic.js';

const config = defaultLedgerConfig(TRAFFIC_LEDGER_CONFIG);
const sites = buildSiteDirectory(loadSiteRows(), config);
const fixture = (path: string): unknown => JSON.parse(readFileSync(`fixtures/mappings/${path}`, 'utf8'));

/** The returns delivery 84000071 (NLR) as SAP sends it to the DC's warehouse (WHSORD). */
const WHSORD_NLR = fixture('delvry07-to-wms-delivery-order/returns-delivery-nlr.input.json') as Idoc;
/** The store's scan: 161 against returns STO 4500000779 item 10, returns delivery 84000071. */
const RETURN_SCAN = fixture('handheld-to-mbgmcr03/return-sto.input.json');

/** The DC's confirmation of the returns delivery: WHSCON with E1EDL18 PGI and the actual date. */
function whsconPgi(idoc: Idoc, lfart: string | null): Idoc {
  const header = idoc.segments[0]!;
  const children: Segment[] = [
    { type: 'E1EDL18', fields: { QUALF: 'PGI' }, children: [] },
    ...header.children
      .filter((c) => lfart !== null || c.type !== 'E1EDL21')
      .map((c) =>
        c.type === 'E1EDT13'
          ? { ...c, fields: { ...c.fields, ISDD: '20240305', ISDZ: '140000' } }
          : c.type === 'E1EDL21'
            ? { ...c, fields: { LFART: lfart ?? '' } }
            : c,
      ),
  ];
  return {
    control: { ...idoc.control, MESTYP: 'WHSCON', DIRECT: '2' },
    segments: [{ ...header, children }],
  };
}

function journey(drafts: SerialEventDraft[], start: SerialState | undefined): SerialState | undefined {
  let id = 0;
  const states = new Map<string, SerialState>();
  if (start !== undefined) states.set(`${start.material}\u0000${start.serial}`, start);
  const plan = planApply({
    items: drafts.map((d, i): DraftWithSource => ({ draft: d, messageId: `m${i}` })),
    existing: new Set(),
    states,
    nextId: () => ++id,
    sites,
    rules: config.rules,
    recordedAt: new Date('2024-03-06T00:00:00Z'),
  });
  expect(plan.alerts.map((a) => a.rule)).toEqual([]);
  return [...plan.states.values()].find((s) => s.serial === 'SN-3001');
}

describe('return stock transport order: serial ledger', () => {
  it('the store’s 161 scan sends the serials into transit to the DC, on the returns delivery', () => {
    const x = extractFromJson(RETURN_SCAN, sites, () => undefined, 'handheld-goods-movement');
    expect(x.events.map((e) => [e.serial, e.movement, e.moveType, e.fromSite, e.toSite, e.delivery])).toEqual(
      [
        ['SN-3001', 'shipped', '161', 'S0124', 'DC01', '84000071'],
        ['SN-3002', 'shipped', '161', 'S0124', 'DC01', '84000071'],
      ],
    );
  });

  it('the other way back, a 351 for an STO without delivery, also puts the serials in transit to the DC', () => {
    const x = extractFromJson(
      fixture('handheld-to-mbgmcr03/sto-issue.input.json'),
      sites,
      () => undefined,
      'handheld-goods-movement',
    );
    expect(x.events.map((e) => [e.serial, e.movement, e.moveType, e.fromSite, e.toSite])).toEqual([
      ['SN-3010', 'shipped', '351', 'S0124', 'DC01'],
    ]);
  });

  it('the returns delivery: announced to the DC’s warehouse, and its PGI is the receipt at the DC', () => {
    const announced = extractFromIdoc(WHSORD_NLR, sites, new Date(), 'America/New_York');
    expect(announced.events.map((e) => e.movement)).toEqual(['announced', 'announced']);
    // as a DESADV too: a returns delivery is never a goods issue
    const desadv = { ...WHSORD_NLR, control: { ...WHSORD_NLR.control, MESTYP: 'DESADV' } };
    expect(extractFromIdoc(desadv, sites, new Date(), 'UTC').events.map((e) => e.movement)).toEqual([
      'announced',
      'announced',
    ]);

    // an inbound delivery (EL, as SAP's 3PL sample sends it as DESADV) announces too, it ships nothing
    const inbound = whsconPgi(WHSORD_NLR, 'EL');
    const elDesadv = { ...inbound, control: { ...inbound.control, MESTYP: 'DESADV' } };
    expect(extractFromIdoc(elDesadv, sites, new Date(), 'UTC').events.map((e) => e.movement)).toEqual([
      'announced',
      'announced',
    ]);

    const pgi = extractFromIdoc(whsconPgi(WHSORD_NLR, 'NLR'), sites, new Date(), 'America/New_York');
    expect(pgi.events.map((e) => [e.serial, e.movement, e.fromSite, e.toSite, e.toSloc])).toEqual([
      ['SN-3001', 'received', null, 'DC01', '0001'],
      ['SN-3002', 'received', null, 'DC01', '0001'],
    ]);
    expect(pgi.events[0]!.eventTime.toISOString()).toBe('2024-03-05T19:00:00.000Z');
    // the same confirmation of an ordinary outbound delivery is the DC's goods issue
    const outbound = extractFromIdoc(whsconPgi(WHSORD_NLR, null), sites, new Date(), 'UTC');
    expect(outbound.events.map((e) => e.movement)).toEqual(['issued', 'issued']);
  });

  it('the WMS’s `shipped` confirmation of a returns delivery (deliveryType NLR) is the DC’s receipt', () => {
    const confirmation = fixture(
      'wms-confirmation-to-delvry07/returns-delivery-received.input.json',
    ) as Record<string, unknown>;
    const x = extractFromJson(confirmation, sites, () => undefined, 'wms-confirmation');
    expect(x.events[0]).toMatchObject({
      movement: 'received',
      fromSite: null,
      toSite: 'DC01',
      delivery: '84000071',
    });
    const { deliveryType: _omitted, ...plain } = confirmation;
    expect(extractFromJson(plain, sites, () => undefined, 'wms-confirmation').events[0]!.movement).toBe(
      'shipped',
    );
  });

  it('a whole return: in stock at the store -> in transit to DC01 -> in stock at DC01, no alerts', () => {
    const scan = extractFromJson(RETURN_SCAN, sites, () => undefined).events;
    const pgi = extractFromIdoc(whsconPgi(WHSORD_NLR, 'NLR'), sites, new Date(), 'America/New_York').events;
    const start = journey(
      [
        {
          material: '4711',
          serial: 'SN-3001',
          movement: 'received',
          moveType: '101',
          fromSite: null,
          fromSloc: null,
          toSite: 'S0124',
          toSloc: '0001',
          handlingUnit: null,
          delivery: null,
          partner: null,
          eventTime: new Date('2024-02-20T10:00:00Z'),
          docRef: null,
        },
      ],
      undefined,
    );
    const inTransit = journey(scan.slice(0, 1), start);
    expect(inTransit).toMatchObject({
      state: 'in-transit',
      site: 'DC01',
      delivery: '84000071',
      originSite: 'S0124',
    });
    const back = journey(pgi.slice(0, 1), inTransit);
    expect(back).toMatchObject({ state: 'in-stock', site: 'DC01', sloc: '0001' });
  });
});

describe('return stock transport order: delivery ledger', () => {
  const deliverySites = testSites();
  const opts = { sites: deliverySites, timeZone: 'America/New_York' };
  /** The returns delivery with the store as ship-to: it still is no delivery the store receives. */
  const withStoreShipTo: Idoc = {
    ...WHSORD_NLR,
    segments: [
      {
        ...WHSORD_NLR.segments[0]!,
        children: [
          ...WHSORD_NLR.segments[0]!.children,
          { type: 'E1ADRM1', fields: { PARTNER_Q: 'WE', PARTNER_ID: '0000100201' }, children: [] },
        ],
      },
    ],
  };

  it('a returns delivery is never expected at a store (so never pushed back), whatever its message type', () => {
    for (const mestyp of ['WHSORD', 'SHPORD', 'DESADV']) {
      const r = readLedgerIdoc(withStoreShipTo, opts, mestyp);
      expect(r.kind, mestyp).toBe('ignore');
      if (r.kind === 'ignore') expect(r.reason).toMatch(/returns delivery \(84000071 \(NLR\)\)/);
    }
    // the control: the same delivery without the returns type is a delivery to store S0124
    const outbound: Idoc = {
      ...withStoreShipTo,
      segments: [
        {
          ...withStoreShipTo.segments[0]!,
          children: withStoreShipTo.segments[0]!.children.filter((c) => c.type !== 'E1EDL21'),
        },
      ],
    };
    const r = readLedgerIdoc(outbound, opts, 'WHSORD');
    expect(r.kind === 'expect' && r.deliveries[0]!.destinationSite).toBe('S0124');
  });

  it('its PGI is no goods issue milestone, and the store’s 161 scan is no receipt', () => {
    expect(readLedgerIdoc(whsconPgi(withStoreShipTo, 'NLR'), opts).kind).toBe('ignore');
    expect(readLedgerIdoc(whsconPgi(withStoreShipTo, null), opts).kind).toBe('milestone');
    // the DC WMS's JSON confirmation of it is no goods-issue milestone either (the control: without the type it is)
    const confirmation = fixture(
      'wms-confirmation-to-delvry07/returns-delivery-received.input.json',
    ) as Record<string, unknown>;
    expect(readJsonReceipt(confirmation)?.milestones).toEqual([]);
    const { deliveryType: _type, ...plain } = confirmation;
    expect(readJsonReceipt(plain)?.milestones.map((m) => m.kind)).toEqual(['goods-issued']);
    const read = readJsonReceipt(RETURN_SCAN);
    expect(read?.contract).toBe('handheld-goods-movement');
    expect(read?.lines).toEqual([]);
  });
});
