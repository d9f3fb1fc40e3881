/**
 * The serial state machine: the state after an event, from the state before it. Total: every
 * movement from every state gives a state (anomalies are the rules' business, not this one's).
 */
import type { SerialEvent, SerialState, SerialStateName } from './types.js';

/** The state name a movement leads to (null = unchanged). */
export function stateAfter(
  event: Pick<SerialEvent, 'movement'>,
  before: SerialState | undefined,
): SerialStateName {
  switch (event.movement) {
    case 'initial-load':
    case 'received':
    case 'transferred':
    case 'back-from-vendor':
      return 'in-stock';
    case 'shipped':
      return 'in-transit';
    case 'issued':
    case 'returned-to-vendor':
      return 'issued';
    case 'out-to-vendor':
      return 'out-to-vendor';
    case 'returned':
      return 'returned';
    case 'scrapped':
      return 'scrapped';
    case 'reversal':
      return 'unknown';
    case 'packed':
    case 'announced':
    case 'other':
      return before?.state ?? 'unknown';
  }
}

/** The new current state of a serial after `event` (which carries its id and message). */
export function nextState(before: SerialState | undefined, event: SerialEvent): SerialState {
  const state = event.stateAfter;
  const changed =
    before === undefined ||
    before.state !== state ||
    event.movement === 'transferred' ||
    event.movement === 'received' ||
    event.movement === 'shipped';
  let site: string | null;
  let sloc: string | null;
  switch (state) {
    case 'in-stock':
    case 'returned':
      site = event.toSite ?? event.fromSite ?? before?.site ?? null;
      sloc = event.toSite !== null ? event.toSloc : (event.fromSloc ?? before?.sloc ?? null);
      break;
    case 'in-transit':
      site = event.toSite;
      sloc = event.toSloc;
      break;
    default:
      site = event.fromSite ?? before?.site ?? null;
      sloc = event.fromSloc ?? before?.sloc ?? null;
  }
  if (event.movement === 'packed' || event.movement === 'announced' || event.movement === 'other') {
    site = before?.site ?? event.fromSite;
    sloc = before?.sloc ?? event.fromSloc;
  }
  const origin =
    state === 'in-transit' || state === 'out-to-vendor' || state === 'issued'
      ? (event.fromSite ?? before?.site ?? null)
      : changed
        ? (before?.site ?? event.fromSite ?? null)
        : (before?.originSite ?? null);
  return {
    material: event.material,
    serial: event.serial,
    state,
    site,
    sloc,
    delivery: event.delivery ?? (state === 'in-transit' ? (before?.delivery ?? null) : null),
    handlingUnit:
      event.handlingUnit ??
      (event.movement === 'packed' ||
      event.movement === 'announced' ||
      state === 'in-transit' ||
      (event.delivery !== null && event.delivery === before?.delivery)
        ? (before?.handlingUnit ?? null)
        : null),
    partner: event.partner ?? (state === before?.state ? (before?.partner ?? null) : null),
    since: changed || before === undefined ? event.eventTime : before.since,
    sinceEventId: changed || before === undefined ? event.id : before.sinceEventId,
    sinceMessageId: changed || before === undefined ? event.messageId : before.sinceMessageId,
    originSite: origin,
    lastEventId: event.id,
    lastMovement: event.movement,
    lastEventAt: event.eventTime,
    lastMessageId: event.messageId,
    eventCount: (before?.eventCount ?? 0) + 1,
  };
}
