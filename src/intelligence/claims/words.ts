/** Words the claim packet's HTML page and PDF share (pure). */
import type { ClaimPacket } from '../service.js';

/** A time as the packet prints it: `2025-01-06 14:30 UTC`. */
export const when = (d: Date | null | undefined): string =>
  d ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '';

/** Who the claim goes to: the forwarding agent the announcement named (SAP partner function SP). */
export const carrierName = (p: Pick<ClaimPacket, 'carrier'>): string =>
  p.carrier === null ? 'the carrier (not named on the announcement)' : `carrier ${p.carrier}`;
