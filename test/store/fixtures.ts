/** Receive inputs for the store tests. */
import type { ReceiveInput, SearchKey } from '../../src/pipeline/store-port.js';

let counter = 0;

/** A unique-ish token per call (partners, keys) so tests sharing a database do not collide. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
}

export function delvry(
  partner: string,
  overrides: Partial<ReceiveInput> & { serials?: readonly string[]; delivery?: string } = {},
): ReceiveInput {
  const { serials = [], delivery, ...rest } = overrides;
  const keys: SearchKey[] = [
    ...(delivery !== undefined ? [{ kind: 'delivery', value: delivery }] : []),
    { kind: 'plant', value: '1000' },
    ...serials.map((value) => ({ kind: 'serial', value })),
  ];
  return {
    direction: 'in',
    partner,
    channel: 'http',
    idocType: 'DELVRY07',
    messageType: 'SHPORD',
    sender: { prt: 'LS', prn: 'S4HCLNT100', por: 'SAPS4H' },
    receiver: { prt: 'LS', prn: 'IDOCGATE' },
    raw: { format: 'xml', content: '<DELVRY07><IDOC BEGIN="1"/></DELVRY07>', contentType: 'application/xml' },
    parsed: { format: 'json', content: '{"control":{"IDOCTYP":"DELVRY07"},"segments":[]}' },
    searchKeys: keys,
    by: 'edge:http',
    ...rest,
  };
}
