/**
 * Serial events from partner JSON: handheld goods-movement scans and WMS confirmations (the
 * contracts in src/contracts), recognised once for both ledgers (../movements/partner-json.ts).
 */
import type { HandheldGoodsMovement } from '../../contracts/handheld-goods-movement.js';
import type { WmsConfirmation } from '../../contracts/wms-confirmation.js';
import { readPartnerMovement } from '../movements/partner-json.js';
import type { SiteDirectory } from './sites.js';
import { DELVRY_LAYOUT, isReturnsDeliveryType } from '../movements/idoc-layouts.js';
import { HANDHELD_MOVE_TYPES, HANDHELD_MOVEMENTS, MOVE_TYPES, WMS_EVENTS } from './sources.js';
import {
  EMPTY_EXTRACTION,
  keyOrNull,
  normalizeKey,
  type DeliveryInfo,
  type Extraction,
  type Movement,
  type SerialEventDraft,
} from './types.js';

/** Looks up what is known about a delivery (route from an earlier delivery IDoc). */
export type DeliveryLookup = (delivery: string) => DeliveryInfo | undefined;

function handheld(scan: HandheldGoodsMovement, sites: SiteDirectory): Extraction {
  const moveType = HANDHELD_MOVE_TYPES[scan.movement.kind] ?? null;
  const movement: Movement =
    HANDHELD_MOVEMENTS[scan.movement.kind] ??
    (moveType !== null ? MOVE_TYPES[moveType]?.movement : undefined) ??
    'other';
  const site = sites.site(scan.site);
  const sloc = scan.storageLocation ?? sites.defaultSloc(site);
  const m = scan.movement;
  let from: [string | null, string | null] = [site, sloc];
  let to: [string | null, string | null] = [null, null];
  let partner: string | null = null;
  let delivery: string | null = null;
  switch (m.kind) {
    case 'receipt-delivery':
      delivery = keyOrNull(m.delivery);
      [from, to] = [
        [null, null],
        [site, sloc],
      ];
      break;
    case 'receipt-po':
    case 'initial-stock':
    case 'customer-return':
      [from, to] = [
        [null, null],
        [site, sloc],
      ];
      break;
    case 'vendor-repair-return':
      [from, to] = [
        [null, null],
        [site, sloc],
      ];
      partner = keyOrNull(m.vendor);
      break;
    case 'vendor-repair-out':
      partner = keyOrNull(m.vendor);
      break;
    case 'transfer-location':
      to = [site, m.toStorageLocation];
      break;
    case 'return-sto': {
      // out of the store into transit to the DC, on the returns delivery when there is one
      const toSite = sites.site(m.toSite);
      to = [toSite, sites.defaultSloc(toSite)];
      delivery = keyOrNull(m.delivery);
      break;
    }
    case 'sto-issue': {
      // 351: into stock in transit of the STO's receiving plant
      const toSite = sites.site(m.toSite);
      to = [toSite, sites.defaultSloc(toSite)];
      break;
    }
    case 'transfer-site': {
      const toSite = sites.site(m.toSite);
      to = [toSite, m.toStorageLocation ?? sites.defaultSloc(toSite)];
      break;
    }
    case 'return-to-vendor':
    case 'scrap':
      break;
  }
  const eventTime = new Date(scan.scannedAt);
  const events: SerialEventDraft[] = [];
  for (const item of scan.items) {
    for (const s of item.serialNumbers ?? []) {
      const serial = keyOrNull(s);
      if (serial === null) continue;
      events.push({
        material: normalizeKey(item.article),
        serial,
        movement,
        moveType,
        fromSite: from[0],
        fromSloc: from[1],
        toSite: to[0],
        toSloc: to[1],
        handlingUnit: null,
        delivery,
        partner,
        eventTime,
        docRef: scan.scanId,
      });
    }
  }
  return { events, deliveries: [] };
}

function wms(c: WmsConfirmation, sites: SiteDirectory, lookup: DeliveryLookup): Extraction {
  const delivery = keyOrNull(c.delivery);
  const known = delivery !== null ? lookup(delivery) : undefined;
  let movement: Movement = WMS_EVENTS[c.event] ?? 'other';
  // The goods movement of a returns delivery (NLR of a returns STO...) receives the goods at the
  // warehouse that confirms it (docs/movement-types.md "Return stock transport order").
  const returns = isReturnsDeliveryType(DELVRY_LAYOUT, c.deliveryType);
  if (returns && movement === 'shipped') movement = 'received';
  else if (movement === 'shipped' && known !== undefined && known.toSite === null && known.shipTo !== null)
    movement = 'issued';
  const eventTime = new Date(c.confirmedAt);
  const hus = new Map<string, string>();
  for (const hu of c.handlingUnits ?? [])
    for (const content of hu.contents)
      for (const s of content.serialNumbers ?? [])
        hus.set(`${content.position}\u0000${normalizeKey(s)}`, normalizeKey(hu.id));
  const events: SerialEventDraft[] = [];
  for (const item of c.items) {
    const material = keyOrNull(item.article);
    if (material === null) continue;
    const site = item.site !== undefined ? sites.site(item.site) : (known?.fromSite ?? null);
    const sloc = item.storageLocation ?? null;
    for (const s of item.serialNumbers ?? []) {
      const serial = keyOrNull(s);
      if (serial === null) continue;
      const received = movement === 'received';
      events.push({
        material,
        serial,
        movement,
        moveType: null,
        fromSite: received ? (returns ? null : (known?.fromSite ?? null)) : site,
        fromSloc: received ? null : sloc,
        toSite: received ? site : movement === 'shipped' ? (known?.toSite ?? null) : null,
        toSloc: received ? sloc : null,
        handlingUnit: hus.get(`${item.position}\u0000${serial}`) ?? null,
        delivery,
        partner: movement === 'issued' ? (known?.shipTo ?? null) : null,
        eventTime,
        docRef: delivery,
      });
    }
  }
  return { events, deliveries: [] };
}

/**
 * Events in a partner JSON payload (recognised by ../movements/partner-json.ts). `contract` (when
 * the message says which) is tried first. Payloads matching none yield nothing.
 */
export function extractFromJson(
  value: unknown,
  sites: SiteDirectory,
  deliveries: DeliveryLookup,
  contract?: string,
): Extraction {
  const m = readPartnerMovement(value, contract);
  if (m === undefined) return EMPTY_EXTRACTION;
  return m.contract === 'handheld-goods-movement'
    ? handheld(m.value, sites)
    : wms(m.value, sites, deliveries);
}
