/** Loss attribution rules and the claim page, on hand-made custody chains (pure). */
import { describe, expect, it } from 'vitest';
import { attributeMissing, type DeliveryCustody } from '../../src/intelligence/claims/attribution.js';
import { claimPacketHtml } from '../../src/intelligence/claims/html.js';
import { claimPacketPdf } from '../../src/intelligence/claims/pdf.js';
import { PdfDocument, winAnsi, wrapText } from '../../src/intelligence/claims/pdf-writer.js';
import type { ClaimPacket } from '../../src/intelligence/service.js';
import { pdfText } from './pdf-text.js';
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
        carrier: null,
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
    expect(html).toContain('the carrier (not named on the announcement)');
  });

  it('the claim PDF holds the delivery, every missing serial and handling unit over page breaks', () => {
    const kinds = ['lane', 'store', 'dc-pick', 'unobservable'] as const;
    const missingSerials = Array.from({ length: 140 }, (_, i) => ({
      material: '4711',
      serial: `SN${String(100000 + i)}`,
      handlingUnit: i % 5 === 0 ? null : `003401234500000${String(10000 + i)}`,
      attribution: kinds[i % 4]!,
      reason:
        i === 7
          ? 'odd (text) with a \\ backslash, Müller → S0124'
          : 'its handling unit arrived, this serial was never scanned',
      lastCustody: null,
      custody: [
        {
          id: i,
          material: '4711',
          serial: `SN${String(100000 + i)}`,
          movement: 'shipped',
          fromSite: 'DC01',
          toSite: 'S0124',
          eventTime: new Date('2025-01-06T10:00:00Z'),
        },
      ] as unknown as ClaimPacket['missingSerials'][number]['custody'],
    }));
    const packet: ClaimPacket = {
      type: 'idocgate.freight-claim',
      delivery: '80001234',
      originSite: 'DC01',
      destinationSite: 'S0124',
      carrier: '700002',
      goodsIssueAt: new Date('2025-01-06T10:00:00Z'),
      dueAt: new Date('2025-01-08T10:00:00Z'),
      expected: 300,
      receivedByDue: 160,
      missing: 140,
      byAttribution: { 'dc-pick': 35, lane: 35, store: 35, unobservable: 35 },
      claimableSerials: missingSerials.filter((m) => m.attribution === 'lane').map((m) => m.serial),
      missingSerials,
    };
    const pdf = claimPacketPdf(packet, new Date('2025-01-09T00:00:00Z'));
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    const { text, pages } = pdfText(pdf);
    expect(pages).toBeGreaterThan(2);
    expect(text).toContain('Freight claim: delivery 80001234');
    expect(text).toContain('DC01');
    expect(text.replace(/\s+/g, ' ')).toContain('liability of carrier 700002');
    for (const m of missingSerials) {
      expect(text).toContain(m.serial);
      if (m.handlingUnit !== null) expect(text).toContain(m.handlingUnit);
    }
    // the table header on every page, the footer with the page count
    expect(text.split('Custody chain').length - 1).toBe(pages);
    expect(text).toContain(`page ${pages} of ${pages}`);
    // PDF string delimiters escaped, Latin-1 kept, what WinAnsi lacks replaced
    expect(text.replace(/\s+/g, ' ')).toContain('odd (text) with a \\ backslash, Müller -> S0124');
  });

  it('the PDF writer wraps text within the width and breaks long words', () => {
    const lines = wrapText('a '.repeat(200) + 'X'.repeat(300), 'F1', 10, 200);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.length * 2.2).toBeLessThanOrEqual(200 + 1e-9); // narrowest: 'a' 5.56 pt, ' ' 2.78 pt
    expect(winAnsi('€ → ✓')).toEqual([0x80, 32, 45, 62, 32, 63]);
    const doc = new PdfDocument();
    for (let i = 0; i < 200; i++) doc.paragraph(`line ${i}`);
    const { text, pages } = pdfText(doc.toBuffer());
    expect(pages).toBeGreaterThan(2);
    for (let i = 0; i < 200; i++) expect(text).toContain(`line ${i}\n`);
  });
});
