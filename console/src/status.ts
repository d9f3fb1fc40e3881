/**
 * Status colours a SAP user recognises from WE02/BD87: green = posted/passed (53/03),
 * yellow = in process/waiting (50/64/62/30/66), red = error (51/02), red-grey = no further
 * processing (68/31), grey = cancelled.
 */
import type { MessageRecord, Status } from './types';

export const STATUS_COLOR: Readonly<Record<Status, string>> = {
  received: 'yellow',
  queued: 'yellow',
  processing: 'blue',
  delivered: 'green',
  failed: 'red',
  dead: 'red.9',
  blocked: 'orange',
  cancelled: 'gray',
};

const SAP: Readonly<Record<Status, { in: string; out: string }>> = {
  received: { in: '50', out: '01' },
  queued: { in: '64', out: '30' },
  processing: { in: '62', out: '30' },
  delivered: { in: '53', out: '03' },
  failed: { in: '51', out: '02' },
  dead: { in: '68', out: '31' },
  blocked: { in: '66', out: '30' },
  cancelled: { in: '68', out: '31' },
};

export function sapCode(m: Pick<MessageRecord, 'status' | 'sapStatus' | 'direction'>): string {
  return m.sapStatus ?? SAP[m.status][m.direction];
}

export function sapCodes(status: Status): string {
  return `${SAP[status].in} in / ${SAP[status].out} out`;
}
