/** Loss attribution rules and the claim page, on hand-made custody chains (pure). */
import { describe, expect, it } from 'vitest';
import { attributeMissing, type DeliveryCustody } from '../../src/intelligence/claims/attribution.js';
import { claimPacketHtml } from '../../src/intelligence/claims/html.js';
import type { SerialEvent } from '../../src/ledger/serials/types.js';

let id = 0;
function ev(serial: string, movement: SerialEvent['movement'], hu: string | null): SerialEvent {
  return {
    id: ++id,
    material: '4711',
    serial,
    movement,
    moveType: null,
    fromSite: 'DC01',
    fromSloc: null,
    toSite: 'S0124',
    toSloc: null,
    handlingUnit: hu,
    delivery: '80000001',
    partner: null,
    eventTime: new Date('2025-01-06T10:00:00Z'),
    docRef: null,
    stateAfter: 'in-transit',
    messageId: null,
    recordedAt: new Date('2025-01-06T10:00:00Z'),
  };
}

const serials = [
  { material: '4711', serial: 'A1', handlingUnit: 'HU1' }, // HU1 arrives, A1 not scanned -> store
  { material: '4711', serial: 'A2', handlingUnit: 'HU1' },
  { material: '4711', serial: 'B1', handlingUnit: 'HU2' }, // HU2 never arrives -> lane
  { material: '4711', serial: 'C1', handlingUnit: 'HU3' }, // not on the DC's confirmation -> dc-pick
  { material: '4711', serial: 'C2', handlingUnit: 'HU3' },
  { material: '4711', serial: 'L1', handlingUnit: null }, // loose, shipped, missing -> unobservable
];

describe('attribution', () => {
  it('dc-pick, lane, store and unobservable from the custody chain', () => {
    const custody: DeliveryCustody = {
      delivery: '80000001',
      serials,
      receivedSerials: ['A2', 'C2'],
      events: [
        ...['A1', 'A2'].map((s) => ev(s, 'shipped', 'HU1')),
        ev('B1', 'shipped', 'HU2'),
        ev('C2', 'shipped', 'HU3'),
        ev('C1', 'announced', 'HU3'),
        ev('L1', 'shipped', null),
      ],
    };
    const got = Object.fromEntries(attributeMissing(custody).map((m) => [m.serial, m.attribution]));
    expect(got).toEqual({ A1: 'store', B1: 'lane', C1: 'dc-pick', L1: 'unobservable' });
  });

  it('a DC that reports no serials makes every loss unobservable', () => {
    const custody: DeliveryCustody = {
      delivery: '80000001',
      serials,
      receivedSerials: ['A2'],
      events: serials.map((s) => ev(s.serial, 'announced', s.handlingUnit)),
    };
    const got = attributeMissing(custody);
    expect(got).toHaveLength(5);
    expect(new Set(got.map((m) => m.attribution))).toEqual(new Set(['unobservable']));
  });

  it('the claim page escapes what the ledgers hold', () => {
    const html = claimPacketHtml(
      {
        type: 'idocgate.freight-claim',
        delivery: '80000001',
        originSite: 'DC01',
        destinationSite: 'S0124',
        goodsIssueAt: new Date('2025-01-06T10:00:00Z'),
        dueAt: new Date('2025-01-08T10:00:00Z'),
        expected: 2,
        receivedByDue: 1,
        missing: 1,
        byAttribution: { 'dc-pick': 0, lane: 1, store: 0, unobservable: 0 },
        claimableSerials: ['<img src=x>'],
        missingSerials: [
          {
            material: '4711',
            serial: '<img src=x>',
            handlingUnit: 'HU2',
            attribution: 'lane',
            reason: 'lost',
            lastCustody: null,
            custody: [],
          },
        ],
      },
      new Date('2025-01-09T00:00:00Z'),
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x&gt;');
  });
});
