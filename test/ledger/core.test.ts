/** Pure parts of the serial ledger: extraction, state machine + event rules, sweep rules, recall, EPCIS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultLedgerConfig } from '../../src/config/ledger.js';
import type { Idoc } from '../../src/idoc/model.js';
import { planApply, type DraftWithSource } from '../../src/ledger/serials/apply.js';
import { epcisDocument } from '../../src/ledger/serials/epcis/epcis.js';
import { epcNaming, sgln, sgtin, sscc } from '../../src/ledger/serials/epcis/identifiers.js';
import { validateEpcis } from '../../src/ledger/serials/epcis/validate.js';
import { extractFromIdoc, sapDateTime } from '../../src/ledger/serials/extract-idoc.js';
import { sapInstant } from '../../src/ledger/movements/sap-time.js';
import { extractFromJson } from '../../src/ledger/serials/extract-json.js';
import { csvField, rangeBounds, recallCsv, recallQuerySchema } from '../../src/ledger/serials/recall.js';
import { checkFrequency, robustZ } from '../../src/ledger/serials/rules/frequency.js';
import { checkNeverReceived } from '../../src/ledger/serials/rules/never-received.js';
import { checkVendorOverdue } from '../../src/ledger/serials/rules/vendor-overdue.js';
import { buildSiteDirectory, loadSiteRows } from '../../src/ledger/serials/sites.js';
import type { SerialEvent, SerialEventDraft, SerialState } from '../../src/ledger/serials/types.js';
import { scan, TRAFFIC_LEDGER_CONFIG } from './traffic.js';

const config = defaultLedgerConfig(TRAFFIC_LEDGER_CONFIG);
const sites = buildSiteDirectory(loadSiteRows(), config);
const T0 = new Date('2025-03-01T08:00:00Z');
const hours = (h: number): Date => new Date(T0.getTime() + h * 3_600_000);

function draft(p: Partial<SerialEventDraft> & Pick<SerialEventDraft, 'movement'>): SerialEventDraft {
  return {
    material: '4711',
    serial: 'SN1',
    moveType: null,
    fromSite: null,
    fromSloc: null,
    toSite: null,
    toSloc: null,
    handlingUnit: null,
    delivery: null,
    partner: null,
    eventTime: T0,
    docRef: null,
    ...p,
  };
}

/** Applies drafts in memory (ids from 1) and returns the alerts' rule names and the final state. */
function run(
  drafts: SerialEventDraft[],
  rules = config.rules,
): { alerts: string[]; state: SerialState | undefined; events: SerialEvent[] } {
  let id = 0;
  const plan = planApply({
    items: drafts.map((d, i): DraftWithSource => ({ draft: d, messageId: `m${i}` })),
    existing: new Set(),
    states: new Map(),
    nextId: () => ++id,
    sites,
    rules,
    recordedAt: T0,
  });
  return {
    alerts: plan.alerts.map((a) => a.rule),
    state: [...plan.states.values()][0],
    events: [...plan.events],
  };
}

const receipt = (site: string, h: number, extra: Partial<SerialEventDraft> = {}): SerialEventDraft =>
  draft({ movement: 'received', toSite: site, eventTime: hours(h), ...extra });
const ship = (from: string, to: string, h: number, delivery = '800'): SerialEventDraft =>
  draft({ movement: 'shipped', fromSite: from, toSite: to, delivery, eventTime: hours(h) });

describe('extraction', () => {
  const whsord = JSON.parse(
    readFileSync(
      new URL(
        '../../fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json',
        import.meta.url,
      ),
      'utf8',
    ),
  ) as Idoc;

  it('a WHSORD records each serial on its delivery (announced, state unchanged); the same IDoc as DESADV ships each serial once, with its HU', () => {
    const announce = extractFromIdoc(whsord, sites, T0, 'UTC');
    expect(
      announce.events.map((e) => [e.serial, e.movement, e.delivery, e.fromSite, e.handlingUnit]),
    ).toEqual([
      ['SN-1001', 'announced', '80001234', 'DC01', '1000000123'],
      ['SN-1002', 'announced', '80001234', 'DC01', '1000000123'],
    ]);
    expect(announce.deliveries).toEqual([
      { delivery: '80001234', fromSite: 'DC01', toSite: null, shipTo: '100201' },
    ]);
    const desadv = { ...whsord, control: { ...whsord.control, MESTYP: 'DESADV' } };
    const x = extractFromIdoc(desadv, sites, T0, 'UTC');
    expect(
      x.events.map((e) => [e.material, e.serial, e.movement, e.fromSite, e.handlingUnit, e.partner]),
    ).toEqual([
      ['4711', 'SN-1001', 'issued', 'DC01', '1000000123', '100201'],
      ['4711', 'SN-1002', 'issued', 'DC01', '1000000123', '100201'],
    ]);
    // Planned goods-issue time from E1EDT13 006 has no ISDD here: the control record's time is used.
    expect(x.events[0]!.eventTime.toISOString()).toBe('2024-03-02T07:15:02.000Z');
  });

  it('reads SAP dates in the configured time zone, like the delivery ledger (one reader)', () => {
    const desadv = structuredClone({ ...whsord, control: { ...whsord.control, MESTYP: 'DESADV' } });
    const t13 = desadv.segments[0]!.children.find((c) => c.type === 'E1EDT13')!;
    t13.fields['ISDD'] = '20240304';
    t13.fields['ISDZ'] = '140000';
    // 14:00 in New York (EST, UTC-5) is 19:00 UTC; the control record 07:15:02 is 12:15:02 UTC
    expect(extractFromIdoc(desadv, sites, T0, 'America/New_York').events[0]!.eventTime.toISOString()).toBe(
      '2024-03-04T19:00:00.000Z',
    );
    expect(extractFromIdoc(whsord, sites, T0, 'America/New_York').events[0]!.eventTime.toISOString()).toBe(
      '2024-03-02T12:15:02.000Z',
    );
    expect(sapDateTime('20240704', '120000', 'Europe/Berlin')?.toISOString()).toBe(
      '2024-07-04T10:00:00.000Z',
    );
    expect(sapDateTime('20240704', '120000', 'Europe/Berlin')).toEqual(
      sapInstant('20240704', '120000', 'Europe/Berlin'),
    );
    expect(sapDateTime('00000000', '000000', 'UTC')).toBeUndefined();
  });

  it('MBGMCR03 transfer posting: serials linked by MATDOC_ITM, receiving plant from MOVE_PLANT', () => {
    const mb = JSON.parse(
      readFileSync(
        new URL('../../fixtures/mappings/handheld-to-mbgmcr03/transfer-site.expected.json', import.meta.url),
        'utf8',
      ),
    ) as Idoc;
    const x = extractFromIdoc(mb, sites, T0, 'UTC');
    expect(x.events).toEqual([
      expect.objectContaining({
        material: '4711',
        serial: 'SN-2001',
        movement: 'transferred',
        moveType: '301',
        fromSite: 'S0124',
        fromSloc: '0002',
        toSite: 'S0200',
        toSloc: '0001',
        docRef: 'HH-7F3A-000185',
      }),
    ]);
  });

  it('handheld scans and WMS confirmations by contract; other JSON yields nothing', () => {
    const x = extractFromJson(
      scan(
        'S1',
        'S0123',
        { kind: 'vendor-repair-out', vendor: '300001' },
        '000000000000004711',
        ['00042'],
        T0,
      ),
      sites,
      () => undefined,
    );
    expect(x.events[0]).toMatchObject({
      material: '4711',
      serial: '42',
      movement: 'out-to-vendor',
      moveType: '541',
      fromSite: 'S0123',
      partner: '300001',
    });
    const w = extractFromJson(
      {
        delivery: '80000001',
        event: 'shipped',
        confirmedAt: '2025-03-01T10:00:00Z',
        items: [{ position: '10', article: '4711', quantity: 1, unit: 'PCE', serialNumbers: ['A'] }],
      },
      sites,
      (d) =>
        d === '80000001' ? { delivery: d, fromSite: 'DC01', toSite: 'S0124', shipTo: '900124' } : undefined,
    );
    expect(w.events[0]).toMatchObject({
      movement: 'shipped',
      fromSite: 'DC01',
      toSite: 'S0124',
      delivery: '80000001',
    });
    expect(extractFromJson({ hello: 'world' }, sites, () => undefined).events).toEqual([]);
  });
});

describe('state machine and event rules', () => {
  it('a normal journey raises nothing and ends where it should', () => {
    const r = run([
      draft({ movement: 'received', toSite: 'DC01', eventTime: hours(0) }),
      draft({
        movement: 'packed',
        fromSite: 'DC01',
        handlingUnit: 'HU1',
        delivery: '800',
        eventTime: hours(1),
      }),
      ship('DC01', 'S0123', 2),
      receipt('S0123', 30, { delivery: '800' }),
      draft({ movement: 'out-to-vendor', fromSite: 'S0123', partner: 'V1', eventTime: hours(40) }),
      draft({ movement: 'back-from-vendor', toSite: 'S0123', partner: 'V1', eventTime: hours(200) }),
      draft({ movement: 'transferred', fromSite: 'S0123', toSite: 'S0124', eventTime: hours(210) }),
      draft({ movement: 'issued', fromSite: 'S0124', partner: 'C1', eventTime: hours(220) }),
      draft({ movement: 'returned', toSite: 'S0124', eventTime: hours(230) }),
      draft({ movement: 'scrapped', fromSite: 'S0124', eventTime: hours(240) }),
    ]);
    expect(r.alerts).toEqual([]);
    expect(r.state).toMatchObject({ state: 'scrapped', site: 'S0124', eventCount: 10 });
    expect(r.events[3]!.stateAfter).toBe('in-stock');
    expect(r.events[2]!.stateAfter).toBe('in-transit');
  });

  it('two places at once', () => {
    expect(run([receipt('S0123', 0), receipt('S0124', 5)]).alerts).toEqual(['twoPlaces']);
    expect(run([receipt('S0123', 0), ship('S0124', 'S0200', 5)]).alerts).toEqual(['twoPlaces']);
    expect(run([receipt('S0123', 0), ship('S0123', 'S0124', 1), receipt('S0124', 30)]).alerts).toEqual([]);
  });

  it('received twice', () => {
    expect(run([receipt('S0123', 0), receipt('S0123', 5)]).alerts).toEqual(['receivedTwice']);
    expect(
      run([
        receipt('S0123', 0),
        draft({ movement: 'transferred', fromSite: 'S0123', toSite: 'S0123', toSloc: '0002' }),
      ]).alerts,
    ).toEqual([]);
  });

  it('active after scrap or sale (a customer return after a sale is normal)', () => {
    expect(
      run([receipt('S0123', 0), draft({ movement: 'scrapped', fromSite: 'S0123' }), receipt('S0123', 5)])
        .alerts,
    ).toEqual(['activeAfterFinal']);
    expect(
      run([receipt('S0123', 0), draft({ movement: 'issued', fromSite: 'S0123' }), ship('S0123', 'S0124', 5)])
        .alerts,
    ).toEqual(['activeAfterFinal']);
    expect(
      run([
        receipt('S0123', 0),
        draft({ movement: 'issued', fromSite: 'S0123', delivery: '9' }),
        draft({ movement: 'issued', fromSite: 'S0123', delivery: '9', eventTime: hours(1) }),
      ]).alerts,
    ).toEqual([]);
  });

  it('arrival faster than the transit table allows (4 h DC01 -> stores)', () => {
    expect(run([receipt('DC01', 0), ship('DC01', 'S0123', 1), receipt('S0123', 2)]).alerts).toEqual([
      'impossibleTransit',
    ]);
    expect(run([receipt('DC01', 0), ship('DC01', 'S0123', 1), receipt('S0123', 5)]).alerts).toEqual([]);
    expect(run([receipt('S0124', 0), ship('S0124', 'S0200', 1), receipt('S0200', 1.1)]).alerts).toEqual([]); // no table entry
  });

  it('rules can be switched off', () => {
    const off = defaultLedgerConfig({ rules: { twoPlaces: { enabled: false } } }).rules;
    expect(run([receipt('S0123', 0), receipt('S0124', 5)], off).alerts).toEqual([]);
  });

  it('the same event twice in a batch is applied once', () => {
    const d = receipt('S0123', 0);
    expect(run([d, d]).events).toHaveLength(1);
  });
});

describe('sweep rules', () => {
  const state = (p: Partial<SerialState>): SerialState => ({
    material: '4711',
    serial: 'SN1',
    state: 'in-transit',
    site: 'S0123',
    sloc: null,
    delivery: '800',
    handlingUnit: null,
    partner: null,
    since: T0,
    sinceEventId: 7,
    sinceMessageId: 'm7',
    originSite: 'DC01',
    lastEventId: 7,
    lastMovement: 'shipped',
    lastEventAt: T0,
    lastMessageId: 'm7',
    eventCount: 2,
    ...p,
  });
  const day = (d: number): Date => new Date(T0.getTime() + d * 86_400_000);

  it('never received after afterDays, with the shipment as evidence', () => {
    expect(checkNeverReceived(state({}), day(13), config.rules.neverReceived)).toBeUndefined();
    const a = checkNeverReceived(state({}), day(15), config.rules.neverReceived);
    expect(a).toMatchObject({
      rule: 'neverReceived',
      dedupeKey: '7',
      evidence: { events: [{ eventId: 7, messageId: 'm7' }] },
    });
  });

  it('out to vendor longer than afterDays', () => {
    const s = state({ state: 'out-to-vendor', partner: 'V1', lastMovement: 'out-to-vendor' });
    expect(checkVendorOverdue(s, day(29), config.rules.vendorOverdue)).toBeUndefined();
    expect(checkVendorOverdue(s, day(31), config.rules.vendorOverdue)?.summary).toContain('vendor V1');
  });

  it('frequency: robust z-score against the material population, not a fixed count', () => {
    expect(robustZ([2, 2, 2, 2, 14])[4]).toBeGreaterThan(3.5);
    const pop = (n: number, extra: number[]) =>
      [...Array.from({ length: n }, (_, i) => 2 + (i % 3)), ...extra].map((count, i) => ({
        material: 'M',
        serial: `S${i}`,
        count,
        events: [],
      }));
    expect(checkFrequency(pop(30, [15]), T0, config.rules.frequency).map((a) => a.serial)).toEqual(['S30']);
    expect(checkFrequency(pop(30, []), T0, config.rules.frequency)).toEqual([]);
    // The same count among serials that all move a lot is normal.
    const busy = Array.from({ length: 30 }, (_, i) => ({
      material: 'M',
      serial: `B${i}`,
      count: 12 + (i % 5),
      events: [],
    }));
    expect(checkFrequency(busy, T0, config.rules.frequency)).toEqual([]);
    expect(checkFrequency(pop(5, [40]), T0, config.rules.frequency)).toEqual([]); // population too small
  });
});

describe('recall helpers', () => {
  it('numeric ranges compare as numbers, others lexicographically on same-length serials', () => {
    expect(rangeBounds('0098', '101')).toEqual([
      { lo: '98', hi: '99', length: 2, digitsOnly: true },
      { lo: '100', hi: '101', length: 3, digitsOnly: true },
    ]);
    expect(rangeBounds('SN-1009', 'SN-1001')).toEqual([
      { lo: 'SN-1001', hi: 'SN-1009', length: 7, digitsOnly: false },
    ]);
    expect(rangeBounds('A1', 'A100')).toEqual([]);
  });

  it('CSV escaping (quotes, commas, line breaks, formula prefixes)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField('=cmd()')).toBe("'=cmd()");
    expect(recallCsv([])).toBe(
      'material,serial,state,site,sloc,partner,delivery,handlingUnit,lastMovement,lastEventAt,lastMessageId\r\n',
    );
  });

  it('query: exactly one selector; serials and ranges need a material', () => {
    expect(recallQuerySchema.safeParse({ delivery: '1' }).success).toBe(true);
    expect(recallQuerySchema.safeParse({ serials: ['1'] }).success).toBe(false);
    expect(recallQuerySchema.safeParse({ material: 'M', delivery: '1', serials: ['1'] }).success).toBe(false);
  });
});

describe('EPCIS 2.0', () => {
  it('GS1 keys: SGTIN, SGLN, SSCC (check digits verified), fallback URNs otherwise', () => {
    expect(sgtin('10614141007346', 7, 'SN/1')).toBe('urn:epc:id:sgtin:0614141.100734.SN%2F1');
    expect(sgtin('10614141007345', 7, 'X')).toBeUndefined();
    expect(sgln('0614141000012', 7, '0')).toBe('urn:epc:id:sgln:0614141.00001.0');
    expect(sscc('00106141410000000016', 7)).toBeUndefined(); // wrong check digit
    expect(sscc('00106141410000000019', 7)).toBe('urn:epc:id:sscc:0614141.1000000001');
    const naming = epcNaming(defaultLedgerConfig({}));
    expect(naming.unit('4711', 'A B')).toBe('urn:idocgate:serial:4711:A%20B');
    expect(naming.location('S0123')).toBe('urn:idocgate:site:S0123');
  });

  it('every movement maps to an event that validates against the EPCIS 2.0 schema; broken ones do not', () => {
    const naming = epcNaming(
      defaultLedgerConfig({ materials: { '4711': { gtin: '10614141007346', companyPrefixLength: 7 } } }),
    );
    const movements = [
      'initial-load',
      'received',
      'shipped',
      'transferred',
      'issued',
      'out-to-vendor',
      'back-from-vendor',
      'returned',
      'returned-to-vendor',
      'scrapped',
      'packed',
      'reversal',
      'other',
    ] as const;
    const events: SerialEvent[] = movements.map((movement, i) => ({
      ...draft({
        movement,
        fromSite: 'DC01',
        toSite: movement === 'scrapped' ? null : 'S0123',
        handlingUnit: 'HU1',
        delivery: '800',
      }),
      id: i + 1,
      stateAfter: 'in-stock',
      messageId: '00000000-0000-4000-8000-000000000001',
      recordedAt: T0,
    }));
    const doc = epcisDocument(events, naming, T0);
    expect(validateEpcis(doc)).toEqual([]);
    const list = (doc['epcisBody'] as { eventList: Record<string, unknown>[] }).eventList;
    expect(list[10]).toMatchObject({
      type: 'AggregationEvent',
      action: 'ADD',
      bizStep: 'packing',
      parentID: 'urn:idocgate:hu:HU1',
    });
    expect(list[2]).toMatchObject({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      epcList: ['urn:epc:id:sgtin:0614141.100734.SN1'],
    });
    expect(list[9]).toMatchObject({ action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed' });
    expect(
      validateEpcis({
        ...list[0],
        '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
        bizStep: 'teleporting',
      }).length,
    ).toBeGreaterThan(0);
    expect(validateEpcis({ ...doc, schemaVersion: '1.2' }).length).toBeGreaterThan(0);
    expect(
      validateEpcis({
        ...list[0],
        '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
        surprise: 1,
      }).length,
    ).toBeGreaterThan(0);
  });
});
