/**
 * Which way a message went, truthfully: every message the gateway stores is `in` (received by it)
 * or `out` (made by it: SAP status, pushback postings), which says nothing about SAP's side. The
 * channel does: `port:<p>` came from SAP, `partner:<name>:<contract>` from a partner for SAP,
 * `feedback:<p>` is SAP's status report, `gateway:<p>` an IDoc passed on to SAP.
 */
export interface FlowOf {
  readonly direction: 'in' | 'out';
  readonly channel: string | null;
  readonly partner: string | null;
}

export function flowOf(m: FlowOf): { readonly label: string; readonly sap: 'from-sap' | 'to-sap' | 'other' } {
  const [kind = '', name = ''] = (m.channel ?? '').split(':');
  if (m.direction === 'out') return { label: `gateway → SAP${name ? ` (${name})` : ''}`, sap: 'to-sap' };
  switch (kind) {
    case 'port':
      return { label: `SAP${name ? ` (${name})` : ''} → ${m.partner ?? 'partner'}`, sap: 'from-sap' };
    case 'partner':
      return { label: `${name || m.partner || 'partner'} → SAP`, sap: 'to-sap' };
    case 'feedback':
      return { label: `SAP${name ? ` (${name})` : ''} → gateway: status`, sap: 'from-sap' };
    case 'gateway':
      return { label: `${m.partner ?? 'partner'} → SAP${name ? ` (${name})` : ''}`, sap: 'to-sap' };
    default:
      return {
        label: m.direction === 'in' ? 'received by the gateway' : 'sent by the gateway',
        sap: 'other',
      };
  }
}
