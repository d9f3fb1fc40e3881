/**
 * Serial events as GS1 EPCIS 2.0 JSON-LD: an ObjectEvent per movement, an AggregationEvent for
 * packing into a handling unit; bizStep and disposition from the CBV 2.0 vocabulary (bare words,
 * as the EPCIS 2.0 JSON-LD context defines them), readPoint/bizLocation/source/destination from
 * site -> GLN, EPCs per ./identifiers.ts. Ledger details travel as `idocgate:` extension fields.
 */
import type { Movement, SerialEvent } from '../types.js';
import type { EpcNaming } from './identifiers.js';

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
export const IDOCGATE_NS = 'https://idocgate.dev/ns/epcis/';

type Action = 'ADD' | 'OBSERVE' | 'DELETE';

/** Movement -> action, CBV bizStep and disposition. `at`: which site is the read point. */
export const EPCIS_MAPPING: Readonly<
  Record<Movement, { action: Action; bizStep: string; disposition: string; at: 'to' | 'from' }>
> = {
  'initial-load': { action: 'ADD', bizStep: 'commissioning', disposition: 'active', at: 'to' },
  received: { action: 'OBSERVE', bizStep: 'receiving', disposition: 'sellable_not_accessible', at: 'to' },
  shipped: { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', at: 'from' },
  transferred: { action: 'OBSERVE', bizStep: 'storing', disposition: 'sellable_not_accessible', at: 'to' },
  issued: { action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', at: 'from' },
  'out-to-vendor': { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', at: 'from' },
  'back-from-vendor': {
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: 'sellable_not_accessible',
    at: 'to',
  },
  returned: { action: 'OBSERVE', bizStep: 'receiving', disposition: 'returned', at: 'to' },
  'returned-to-vendor': { action: 'OBSERVE', bizStep: 'shipping', disposition: 'returned', at: 'from' },
  scrapped: { action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', at: 'from' },
  packed: { action: 'ADD', bizStep: 'packing', disposition: 'in_progress', at: 'from' },
  reversal: { action: 'OBSERVE', bizStep: 'other', disposition: 'unknown', at: 'from' },
  other: { action: 'OBSERVE', bizStep: 'other', disposition: 'unknown', at: 'from' },
  // a delivery SAP created for the serial (SHPORD/WHSORD): the business fact, nothing moved;
  // `idocgate:movement` says `announced`
  announced: { action: 'OBSERVE', bizStep: 'other', disposition: 'unknown', at: 'from' },
};

export type EpcisEvent = Record<string, unknown>;

function offset(): string {
  return '+00:00';
}

/** One ledger event as an EPCIS event (AggregationEvent for packing into an HU). */
export function toEpcisEvent(e: SerialEvent, naming: EpcNaming): EpcisEvent {
  const m = EPCIS_MAPPING[e.movement];
  // Goods issue on a delivery to a customer is shipping, not a till sale.
  const bizStep = e.movement === 'issued' && e.delivery !== null ? 'shipping' : m.bizStep;
  const disposition = e.movement === 'issued' && e.delivery !== null ? 'in_transit' : m.disposition;
  const site = m.at === 'to' ? (e.toSite ?? e.fromSite) : (e.fromSite ?? e.toSite);
  const epc = naming.unit(e.material, e.serial);
  const out: EpcisEvent = {
    type: e.movement === 'packed' && e.handlingUnit !== null ? 'AggregationEvent' : 'ObjectEvent',
    eventTime: e.eventTime.toISOString(),
    eventTimeZoneOffset: offset(),
    eventID: `urn:idocgate:event:${e.id}`,
  };
  if (out['type'] === 'AggregationEvent') {
    out['parentID'] = naming.handlingUnit(e.handlingUnit ?? '');
    out['childEPCs'] = [epc];
  } else {
    out['epcList'] = [epc];
  }
  out['action'] = m.action;
  out['bizStep'] = bizStep;
  out['disposition'] = disposition;
  if (site !== null) out['readPoint'] = { id: naming.location(site) };
  const located = m.at === 'to' || e.movement === 'packed' || e.movement === 'scrapped' ? site : null;
  if (located !== null) out['bizLocation'] = { id: naming.location(located) };
  if (e.delivery !== null)
    out['bizTransactionList'] = [{ type: 'desadv', bizTransaction: naming.delivery(e.delivery) }];
  if (e.fromSite !== null && (e.toSite !== null || m.at === 'from') && e.fromSite !== e.toSite)
    out['sourceList'] = [{ type: 'location', source: naming.location(e.fromSite) }];
  if (e.toSite !== null && e.fromSite !== e.toSite)
    out['destinationList'] = [{ type: 'location', destination: naming.location(e.toSite) }];
  out['idocgate:material'] = e.material;
  out['idocgate:serial'] = e.serial;
  out['idocgate:movement'] = e.movement;
  if (e.moveType !== null) out['idocgate:moveType'] = e.moveType;
  if (e.messageId !== null) out['idocgate:messageId'] = e.messageId;
  return out;
}

/** An EPCISDocument holding the events (JSON-LD, schemaVersion 2.0). */
export function epcisDocument(
  events: readonly SerialEvent[],
  naming: EpcNaming,
  creationDate: Date,
): Record<string, unknown> {
  return {
    '@context': [EPCIS_CONTEXT, { idocgate: IDOCGATE_NS }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: creationDate.toISOString(),
    epcisBody: { eventList: events.map((e) => toEpcisEvent(e, naming)) },
  };
}

/** EPCIS query-style filters (a subset of the EPCIS 2.0 query parameters) for the export. */
export interface EpcisFilters {
  readonly GE_eventTime?: string;
  readonly LT_eventTime?: string;
  readonly EQ_bizStep?: readonly string[];
  readonly EQ_bizLocation?: readonly string[];
  readonly MATCH_epc?: readonly string[];
  readonly EQ_action?: readonly string[];
}

/** Movements whose bizStep is one of the given ones (for pushing EQ_bizStep into SQL). */
export function movementsForBizSteps(steps: readonly string[]): Movement[] {
  return (Object.keys(EPCIS_MAPPING) as Movement[]).filter(
    (m) => steps.includes(EPCIS_MAPPING[m].bizStep) || (m === 'issued' && steps.includes('shipping')),
  );
}

/** Final check of an EPCIS event against the filters (after the SQL pre-selection). */
export function matchesFilters(ev: EpcisEvent, f: EpcisFilters): boolean {
  if (f.EQ_bizStep && !f.EQ_bizStep.includes(String(ev['bizStep']))) return false;
  if (f.EQ_action && !f.EQ_action.includes(String(ev['action']))) return false;
  if (f.EQ_bizLocation) {
    const loc = (ev['bizLocation'] as { id?: string } | undefined)?.id;
    if (loc === undefined || !f.EQ_bizLocation.includes(loc)) return false;
  }
  if (f.MATCH_epc) {
    const epcs = [
      ...((ev['epcList'] as string[] | undefined) ?? []),
      ...((ev['childEPCs'] as string[] | undefined) ?? []),
    ];
    const ok = f.MATCH_epc.some((pattern) => {
      // EPC pattern URIs (urn:epc:idpat:sgtin:prefix.item.*) and plain EPCs; `*` matches a component.
      const p = pattern.replace(/^urn:epc:idpat:/, 'urn:epc:id:');
      const re = new RegExp(
        `^${p
          .split('*')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^.:]*')}$`,
      );
      return epcs.some((e) => re.test(e));
    });
    if (!ok) return false;
  }
  return true;
}
