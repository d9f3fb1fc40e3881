/**
 * The serial ledger's vocabulary: what a serial event says (one unit, one movement) and what a
 * serial's current state is. Pure types and small helpers; no I/O.
 */

/** Where a serial is now. */
export const SERIAL_STATES = [
  'in-stock', // at a site / storage location
  'in-transit', // shipped on a delivery to another site, not yet received
  'issued', // sold / issued to a customer or consumed; left the network
  'out-to-vendor', // 541: at a vendor (subcontracting / repair)
  'returned', // customer return received at a site
  'scrapped', // 551..555
  'unknown', // after a reversal or a movement the ledger cannot place
] as const;
export type SerialStateName = (typeof SERIAL_STATES)[number];

/** What happened to a serial in one event (SAP movement type or delivery role, normalised). */
export const MOVEMENTS = [
  'initial-load', // 561..565
  'received', // goods receipt (101, 305, delivery receipt, WMS received)
  'shipped', // goods issue into transit (delivery PGI, 303, 351, 641, 643)
  'transferred', // one-step transfer (301 plant to plant, 311 storage location)
  'issued', // goods issue to a customer / consumption (601, 201, 261, delivery to a customer)
  'out-to-vendor', // 541
  'back-from-vendor', // 542
  'returned', // customer return (651..657)
  'returned-to-vendor', // 122
  'scrapped', // 551..555
  'packed', // packed into a handling unit (no change of place)
  'announced', // on an outbound delivery SAP created (SHPORD/WHSORD): recorded, state unchanged
  'reversal', // 102, 302, ... the ledger cannot undo: state becomes unknown
  'other', // a movement type without a meaning in the table: recorded, state unchanged
] as const;
export type Movement = (typeof MOVEMENTS)[number];

/** Movements that bring a unit to a site. */
export const ARRIVALS: ReadonlySet<Movement> = new Set<Movement>([
  'initial-load',
  'received',
  'back-from-vendor',
  'returned',
]);

/** One serial event as extracted from a message (before it is applied). */
export interface SerialEventDraft {
  /** Material number, normalised (see normalizeKey). */
  readonly material: string;
  readonly serial: string;
  readonly movement: Movement;
  /** SAP movement type (BWART) when the source gave one. */
  readonly moveType: string | null;
  readonly fromSite: string | null;
  readonly fromSloc: string | null;
  readonly toSite: string | null;
  readonly toSloc: string | null;
  readonly handlingUnit: string | null;
  readonly delivery: string | null;
  /** Customer (ship-to) or vendor the unit went to or came from. */
  readonly partner: string | null;
  readonly eventTime: Date;
  /** The business document: delivery number, scan id, material document reference... */
  readonly docRef: string | null;
}

/** A stored event: the draft plus identity, the state it led to and where it came from. */
export interface SerialEvent extends SerialEventDraft {
  readonly id: number;
  readonly stateAfter: SerialStateName;
  readonly messageId: string | null;
  readonly recordedAt: Date;
}

/** The current state of one serial (material + serial). */
export interface SerialState {
  readonly material: string;
  readonly serial: string;
  readonly state: SerialStateName;
  readonly site: string | null;
  readonly sloc: string | null;
  /** The delivery while in transit (or the last one it travelled on). */
  readonly delivery: string | null;
  readonly handlingUnit: string | null;
  readonly partner: string | null;
  /** Event time at which the serial entered its current state. */
  readonly since: Date;
  /** The event that put it into the current state. */
  readonly sinceEventId: number;
  readonly sinceMessageId: string | null;
  /** Site it left when it went into transit / out (for transit-time checks). */
  readonly originSite: string | null;
  readonly lastEventId: number;
  readonly lastMovement: Movement;
  readonly lastEventAt: Date;
  readonly lastMessageId: string | null;
  readonly eventCount: number;
}

/** A delivery as announced by a delivery IDoc (where it goes), for resolving later events. */
export interface DeliveryInfo {
  readonly delivery: string;
  readonly fromSite: string | null;
  /** The receiving site when the ship-to is one of ours; null for a customer. */
  readonly toSite: string | null;
  /** Ship-to partner number (customer) as in the IDoc. */
  readonly shipTo: string | null;
}

/** What extraction found in one message. */
export interface Extraction {
  readonly events: readonly SerialEventDraft[];
  readonly deliveries: readonly DeliveryInfo[];
}

export const EMPTY_EXTRACTION: Extraction = { events: [], deliveries: [] };

/** The ledgers' one leading-zero rule (ALPHA output form): ../movements/keys.ts. */
export { keyOrNull, normalizeKey } from '../movements/keys.js';
