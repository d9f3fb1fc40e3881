/**
 * Where each missing serial of a delivery was lost, from its custody chain in the ledgers (pure):
 *
 *   dc-pick       the DC's confirmations list serials, but not this one: it never left the DC
 *   lane          it left the DC (packing / goods-issue confirmation) in a handling unit of which
 *                 the store received nothing: the whole HU went missing between DC and store
 *   store         it left the DC in a handling unit that arrived (the store scanned other serials
 *                 of that HU) but was itself never scanned: lost or mis-scanned at the store
 *   unobservable  the evidence is missing: the DC's confirmations carry no serials, or the serial
 *                 travelled loose (no container scan tells whether it arrived)
 *
 * docs/intelligence.md "Attribution" lists what each class rests on.
 */
import { normalizeKey } from '../../ledger/deliveries/types.js';
import type { SerialEvent } from '../../ledger/serials/types.js';

export type LossAttribution = 'dc-pick' | 'lane' | 'store' | 'unobservable';

export interface DeliveryCustody {
  readonly delivery: string;
  /** Serials on the announcement, with their handling unit. */
  readonly serials: readonly { material: string; serial: string; handlingUnit: string | null }[];
  /** Serials the store scanned for the delivery (any time). */
  readonly receivedSerials: readonly string[];
  /** Serial ledger events on this delivery (announced, packed, shipped, received), in time order. */
  readonly events: readonly SerialEvent[];
}

export interface MissingSerial {
  readonly material: string;
  readonly serial: string;
  readonly handlingUnit: string | null;
  readonly attribution: LossAttribution;
  readonly reason: string;
  /** The last custody event of the serial on this delivery (null: none). */
  readonly lastCustody: SerialEvent | null;
  readonly custody: readonly SerialEvent[];
}

const DC_MOVEMENTS = new Set(['packed', 'shipped']);

export function attributeMissing(c: DeliveryCustody): MissingSerial[] {
  const received = new Set(c.receivedSerials.map(normalizeKey));
  const chain = new Map<string, SerialEvent[]>();
  for (const e of c.events) {
    const k = normalizeKey(e.serial);
    const l = chain.get(k) ?? [];
    l.push(e);
    chain.set(k, l);
  }
  const dcReported = c.events.some((e) => DC_MOVEMENTS.has(e.movement));
  const huArrived = new Set<string>();
  for (const s of c.serials)
    if (s.handlingUnit !== null && received.has(normalizeKey(s.serial))) huArrived.add(s.handlingUnit);
  const out: MissingSerial[] = [];
  for (const s of c.serials) {
    const key = normalizeKey(s.serial);
    if (received.has(key)) continue;
    const events = chain.get(key) ?? [];
    const leftDc = events.some((e) => DC_MOVEMENTS.has(e.movement));
    let attribution: LossAttribution;
    let reason: string;
    if (!dcReported) {
      attribution = 'unobservable';
      reason = "the DC's packing and goods-issue confirmations carry no serials";
    } else if (!leftDc) {
      attribution = 'dc-pick';
      reason = "announced, but not on the DC's packing or goods-issue confirmation";
    } else if (s.handlingUnit === null) {
      attribution = 'unobservable';
      reason = 'left the DC loose (no handling unit): no container scan tells whether it arrived';
    } else if (huArrived.has(s.handlingUnit)) {
      attribution = 'store';
      reason = `its handling unit ${s.handlingUnit} arrived (other serials scanned), this serial was never scanned`;
    } else {
      attribution = 'lane';
      reason = `left the DC in handling unit ${s.handlingUnit}, of which the store received nothing`;
    }
    out.push({
      material: s.material,
      serial: s.serial,
      handlingUnit: s.handlingUnit,
      attribution,
      reason,
      lastCustody: events[events.length - 1] ?? null,
      custody: events,
    });
  }
  return out;
}
