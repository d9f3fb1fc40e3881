/**
 * Serial events in one stored message: its best payload version (src/pipeline/payload-version.ts:
 * the newest input version — edited, raw, or a parsed model of older rows — else mapped; the ledger
 * feed's query picks it) read as canonical IDoc JSON, IDoc-XML / SOAP, a flat IDoc file (with
 * definitions) or partner JSON. Messages the gateway produced from another one (correlation
 * `produced-by`, e.g. the MBGMCR03 built from a handheld scan) are skipped: their source already counted.
 */
import type { DefinitionRegistry } from '../../definitions/registry.js';
import type { PayloadKind } from '../../pipeline/payload-version.js';
import { decodePayload } from '../movements/payload.js';
import { extractFromIdoc } from './extract-idoc.js';
import { extractFromJson, type DeliveryLookup } from './extract-json.js';
import type { SiteDirectory } from './sites.js';
import type { DeliveryInfo, Extraction, SerialEventDraft } from './types.js';

/** The message's best payload version (src/pipeline/payload-version.ts: the store picks it by that rule). */
export interface LedgerPayload {
  readonly kind: PayloadKind;
  readonly format: string;
  /** Text, or bytes for a raw input stored as received (an SAP edge's body). */
  readonly content: string | Uint8Array;
}

export interface LedgerMessage {
  readonly id: string;
  readonly messageType: string | null;
  readonly correlationKind: string | null;
  readonly createdAt: Date;
  readonly payload: LedgerPayload | null;
}

export type MessageExtraction =
  | { readonly outcome: 'events'; readonly extraction: Extraction }
  | { readonly outcome: 'skipped'; readonly reason: string };

export function extractFromMessage(
  message: LedgerMessage,
  sites: SiteDirectory,
  deliveries: DeliveryLookup,
  timeZone: string,
  definitions?: DefinitionRegistry,
): MessageExtraction {
  if (message.correlationKind === 'produced-by')
    return { outcome: 'skipped', reason: 'produced by the gateway from another message' };
  const p = message.payload;
  if (p === null) return { outcome: 'skipped', reason: 'no readable payload version' };
  const decoded = decodePayload(p, definitions);
  let extraction: Extraction;
  if (decoded.kind === 'not-read') return { outcome: 'skipped', reason: decoded.reason };
  if (decoded.kind === 'idocs') {
    const events: SerialEventDraft[] = [];
    const found: DeliveryInfo[] = [];
    for (const idoc of decoded.idocs) {
      const x = extractFromIdoc(idoc, sites, message.createdAt, timeZone);
      events.push(...x.events);
      found.push(...x.deliveries);
    }
    extraction = { events, deliveries: found };
  } else {
    extraction = extractFromJson(decoded.value, sites, deliveries, message.messageType ?? undefined);
  }
  if (extraction.events.length === 0 && extraction.deliveries.length === 0)
    return { outcome: 'skipped', reason: 'no serial numbers' };
  return { outcome: 'events', extraction };
}
