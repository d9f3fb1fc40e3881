/**
 * Serial events in one stored message: its payload (an edited version first, then the parsed
 * model, then the raw content when it is JSON or IDoc-XML) read as canonical IDoc JSON, IDoc-XML
 * or partner JSON. Messages the gateway produced from another one (correlation `produced-by`,
 * e.g. the MBGMCR03 built from a handheld scan) are skipped: their source already counted.
 */
import { fromJson } from '../../idoc/codec-json.js';
import type { Idoc } from '../../idoc/model.js';
import { parseXml } from '../../idoc/xml-reader.js';
import { extractFromIdoc } from './extract-idoc.js';
import { extractFromJson, type DeliveryLookup } from './extract-json.js';
import type { SiteDirectory } from './sites.js';
import type { DeliveryInfo, Extraction, SerialEventDraft } from './types.js';

export interface LedgerPayload {
  readonly kind: 'raw' | 'parsed' | 'mapped' | 'edited';
  readonly format: string;
  readonly content: string;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Canonical IDoc JSON (one object or an array), tolerating codec layout hints next to the model. */
function asIdocs(value: unknown): Idoc[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => isObject(v) && 'control' in v && 'segments' in v))
    return undefined;
  return fromJson(list.map((v) => ({ control: (v as Idoc).control, segments: (v as Idoc).segments })));
}

export function extractFromMessage(
  message: LedgerMessage,
  sites: SiteDirectory,
  deliveries: DeliveryLookup,
  timeZone: string,
): MessageExtraction {
  if (message.correlationKind === 'produced-by')
    return { outcome: 'skipped', reason: 'produced by the gateway from another message' };
  const p = message.payload;
  if (p === null) return { outcome: 'skipped', reason: 'no readable payload version' };
  let idocs: Idoc[] | undefined;
  let json: unknown;
  const text = p.content.trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    json = JSON.parse(p.content) as unknown;
    idocs = asIdocs(json);
  } else if (text.startsWith('<')) {
    idocs = parseXml(p.content).idocs;
  } else {
    return { outcome: 'skipped', reason: `payload format ${p.format} is not read by the ledger` };
  }
  let extraction: Extraction;
  if (idocs !== undefined) {
    const events: SerialEventDraft[] = [];
    const found: DeliveryInfo[] = [];
    for (const idoc of idocs) {
      const x = extractFromIdoc(idoc, sites, message.createdAt, timeZone);
      events.push(...x.events);
      found.push(...x.deliveries);
    }
    extraction = { events, deliveries: found };
  } else {
    extraction = extractFromJson(json, sites, deliveries, message.messageType ?? undefined);
  }
  if (extraction.events.length === 0 && extraction.deliveries.length === 0)
    return { outcome: 'skipped', reason: 'no serial numbers' };
  return { outcome: 'events', extraction };
}
