/**
 * Business keys (delivery, PO, material, plant, serial, HU, batch) of a message, for search and
 * for ordering keys. Derived from data: a table of segment field -> key kind for IDocs and of
 * JSON property -> key kind for partner payloads. A new IDoc type needs rows here, not code.
 */
import type { Idoc } from '../idoc/model.js';
import { walkSegments } from '../idoc/model.js';
import type { SearchKey, SearchKeyKind } from './store-port.js';

export interface IdocKeyField {
  /** Segment type; absent = any segment with this field. */
  readonly segment?: string;
  readonly field: string;
  readonly kind: SearchKeyKind;
}

/** Segment fields that carry business keys (DELVRY0x, MBGMCR0x and friends). */
export const IDOC_KEY_FIELDS: readonly IdocKeyField[] = [
  // deliveries (DELVRY03/07): header, items, serials, handling units and their contents
  { segment: 'E1EDL20', field: 'VBELN', kind: 'delivery' },
  { segment: 'E1EDL24', field: 'MATNR', kind: 'material' },
  { segment: 'E1EDL24', field: 'WERKS', kind: 'plant' },
  { segment: 'E1EDL24', field: 'CHARG', kind: 'batch' },
  { segment: 'E1EDL41', field: 'BSTNR', kind: 'po' },
  { segment: 'E1EDL11', field: 'SERNR', kind: 'serial' },
  { segment: 'E1EDL37', field: 'EXIDV', kind: 'hu' },
  { segment: 'E1EDL44', field: 'MATNR', kind: 'material' },
  { segment: 'E1EDL44', field: 'CHARG', kind: 'batch' },
  { segment: 'E1EDL46', field: 'SERNR', kind: 'serial' },
  // goods movements (MBGMCR02/03, BAPI_GOODSMVT_CREATE)
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'MATERIAL', kind: 'material' },
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'PLANT', kind: 'plant' },
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'MOVE_PLANT', kind: 'plant' },
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'BATCH', kind: 'batch' },
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'PO_NUMBER', kind: 'po' },
  { segment: 'E1BP2017_GM_ITEM_CREATE', field: 'DELIV_NUMB_TO_SEARCH', kind: 'delivery' },
  { segment: 'E1BP2017_GM_SERIALNUMBER', field: 'SERIALNO', kind: 'serial' },
  // status IDocs: the IDoc reported on
  { segment: 'E1STATS', field: 'DOCNUM', kind: 'docnum' },
  { segment: 'E1STATE', field: 'DOCNUM', kind: 'docnum' },
];

/** JSON property names (at any depth) that carry business keys in partner payloads. */
export const JSON_KEY_PROPERTIES: Readonly<Record<string, SearchKeyKind>> = {
  delivery: 'delivery',
  purchaseOrder: 'po',
  article: 'material',
  material: 'material',
  site: 'site',
  toSite: 'site',
  plant: 'plant',
  batch: 'batch',
  serialNumbers: 'serial',
  serialNumber: 'serial',
  handlingUnit: 'hu',
  scanId: 'scan',
};

const byField = new Map<string, IdocKeyField[]>();
for (const row of IDOC_KEY_FIELDS) {
  const list = byField.get(row.field) ?? [];
  list.push(row);
  byField.set(row.field, list);
}

/**
 * Key values as stored: trimmed; an all-digit value with leading zeros is stored twice, as is
 * and without the zeros (SAP's ALPHA conversion), so `80001234` finds `0080001234`.
 */
function push(out: SearchKey[], seen: Set<string>, kind: SearchKeyKind, raw: string): void {
  const value = raw.trim();
  if (value === '' || value.length > 200) return;
  const forms = /^0+\d/.test(value) ? [value, value.replace(/^0+/, '')] : [value];
  for (const v of forms) {
    const k = `${kind}\u0000${v}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ kind, value: v });
  }
}

/** Business keys of an IDoc, in document order. */
export function idocSearchKeys(idoc: Idoc): SearchKey[] {
  const out: SearchKey[] = [];
  const seen = new Set<string>();
  for (const { segment } of walkSegments(idoc.segments)) {
    for (const [field, value] of Object.entries(segment.fields)) {
      const rows = byField.get(field);
      if (rows === undefined) continue;
      for (const row of rows) {
        if (row.segment === undefined || row.segment === segment.type) push(out, seen, row.kind, value);
      }
    }
  }
  return out;
}

/** Business keys of a JSON payload, in document order. */
export function jsonSearchKeys(value: unknown): SearchKey[] {
  const out: SearchKey[] = [];
  const seen = new Set<string>();
  const visit = (v: unknown, kind: SearchKeyKind | undefined, depth: number): void => {
    if (depth > 32) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, kind, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) visit(x, JSON_KEY_PROPERTIES[k], depth + 1);
    } else if (kind !== undefined && (typeof v === 'string' || typeof v === 'number')) {
      push(out, seen, kind, String(v));
    }
  };
  visit(value, undefined, 0);
  return out;
}

/** A few words for the free-text index (business keys and their kinds). */
export function searchText(keys: readonly SearchKey[]): string {
  return keys
    .slice(0, 200)
    .map((k) => k.value)
    .join(' ');
}

/** At most this many distinct words of a payload go into the free-text index. */
export const PAYLOAD_TEXT_WORDS = 2000;

/**
 * The words of a payload for the free-text index, so a search finds what is *in* a message (a
 * ship-to name in a DESADV, a device in a scan), not only its business keys: every value of an
 * IDoc's segments (segment raw SDATA included), or every string/number of a JSON document,
 * distinct, at most PAYLOAD_TEXT_WORDS words.
 */
export function payloadText(value: unknown): string {
  const words = new Set<string>();
  const add = (v: string): void => {
    for (const w of v.split(/\s+/)) {
      if (words.size >= PAYLOAD_TEXT_WORDS) return;
      if (w !== '') words.add(w);
    }
  };
  const visit = (v: unknown, depth: number): void => {
    if (depth > 64 || words.size >= PAYLOAD_TEXT_WORDS) return;
    if (typeof v === 'string') add(v);
    else if (typeof v === 'number') add(String(v));
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return [...words].join(' ');
}
