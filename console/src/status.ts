/**
 * Status colours a SAP user recognises from WE02/BD87: green = posted/passed (53/03),
 * yellow = in process/waiting (50/64/62/30/66), red = error (51/02), red-grey = no further
 * processing (68/31), grey = cancelled. The SAP codes are the server's (src/pipeline/lifecycle.ts).
 */
import { STATUS_INFO } from '../../src/pipeline/lifecycle';
import type { MessageRecord, Status } from './types';

export const STATUS_COLOR: Readonly<Record<Status, string>> = {
  received: 'yellow',
  queued: 'yellow',
  processing: 'blue',
  delivered: 'teal',
  posted: 'green',
  failed: 'red',
  dead: 'red.9',
  'sap-error': 'red.7',
  'in-doubt': 'grape',
  unconfirmed: 'orange.7',
  blocked: 'orange',
  cancelled: 'gray',
};

export function sapCode(m: Pick<MessageRecord, 'status' | 'sapStatus' | 'direction'>): string {
  return m.sapStatus ?? STATUS_INFO[m.status].sap[m.direction];
}

export function sapCodes(status: Status): string {
  const sap = STATUS_INFO[status].sap;
  return `${sap.in} in / ${sap.out} out`;
}
