/**
 * Serial events from an IDoc model, projected from the one reader of business movements
 * (../movements/read.ts, layouts as data). A delivery yields one
 * event per serial (items and handling-unit contents, de-duplicated, the HU kept) and the
 * delivery's route; a goods movement yields one event per serial of each item.
 */
import type { Idoc } from '../../idoc/model.js';
import { readIdocMovements, type DeliveryRead, type GoodsMovementRead } from '../movements/read.js';
import { sapInstant } from '../movements/sap-time.js';
import type { SiteDirectory } from './sites.js';
import { MOVE_TYPES } from './sources.js';
import {
  EMPTY_EXTRACTION,
  keyOrNull,
  normalizeKey,
  type DeliveryInfo,
  type Extraction,
  type Movement,
  type SerialEventDraft,
} from './types.js';

/**
 * `YYYYMMDD` + optional `HHMMSS` in the SAP system's time zone (the config's `timeZone`) -> Date,
 * or undefined when not a valid date: the one SAP date/time reader of both ledgers (../movements/sap-time.ts).
 */
export function sapDateTime(
  date: string | undefined,
  time: string | undefined,
  timeZone: string,
): Date | undefined {
  return sapInstant(date, time, timeZone);
}

/** A value of the reader, null when blank. */
function orNull(v: string): string | null {
  return v === '' ? null : v;
}

function deliveryEvents(
  doc: DeliveryRead,
  createdAt: Date | undefined,
  sites: SiteDirectory,
  fallbackTime: Date,
  events: SerialEventDraft[],
  deliveries: DeliveryInfo[],
): void {
  const delivery = keyOrNull(doc.delivery);
  const role = doc.serialLedgerRole;
  const shipTo = keyOrNull(doc.shipTo);
  const firstPlant = doc.items.map((i) => i.plant).find((p) => p !== '');
  const fromSite = sites.siteOfPlant(firstPlant ?? orNull(doc.shippingPoint) ?? undefined);
  const toSite = sites.siteOfShipTo(shipTo);
  if (delivery !== null) deliveries.push({ delivery, fromSite, toSite, shipTo });
  if (role === undefined) return;

  // the event happened at the actual goods issue; an announcement when SAP created the IDoc
  const eventTime = (role !== 'announce' ? doc.goodsIssueActual : undefined) ?? createdAt ?? fallbackTime;

  // Serials per item position, then the HU that holds them.
  const hus = new Map<string, string>();
  const huMaterial = new Map<string, string>();
  for (const hu of doc.handlingUnits) {
    const huId = keyOrNull(hu.id);
    for (const content of hu.contents) {
      const material = normalizeKey(content.material);
      for (const serial of content.serials.map(normalizeKey)) {
        const key = `${material}\u0000${serial}`;
        if (huId !== null) hus.set(key, huId);
        huMaterial.set(key, material);
      }
    }
  }
  const seen = new Set<string>();
  const emit = (
    material: string,
    serial: string,
    plant: string | undefined,
    sloc: string | undefined,
  ): void => {
    const key = `${material}\u0000${serial}`;
    if (material === '' || seen.has(key)) return;
    seen.add(key);
    const from = plant !== undefined ? sites.siteOfPlant(plant) : fromSite;
    const movement: Movement =
      role === 'packed'
        ? 'packed'
        : role === 'announce'
          ? 'announced'
          : role === 'received'
            ? 'received'
            : toSite !== null
              ? 'shipped'
              : 'issued';
    // a returns delivery's PGI: the unit arrives at the plant of the item (the DC of a store return)
    const arrives = movement === 'received';
    events.push({
      material,
      serial,
      movement,
      moveType: null,
      fromSite: arrives ? null : from,
      fromSloc: arrives ? null : (sloc ?? null),
      toSite: arrives ? from : role === 'packed' ? null : toSite,
      toSloc: arrives ? (sloc ?? null) : null,
      handlingUnit: hus.get(key) ?? null,
      delivery,
      partner: movement === 'issued' ? shipTo : null,
      eventTime,
      docRef: delivery,
    });
  };
  for (const item of doc.items) {
    const material = normalizeKey(item.material);
    for (const serial of item.serials.map(normalizeKey))
      emit(material, serial, orNull(item.plant) ?? undefined, orNull(item.storageLocation) ?? undefined);
  }
  for (const [key, material] of huMaterial)
    emit(material, key.split('\u0000')[1] ?? '', undefined, undefined);
}

function goodsMovementEvents(
  doc: GoodsMovementRead,
  createdAt: Date | undefined,
  sites: SiteDirectory,
  fallbackTime: Date,
  events: SerialEventDraft[],
): void {
  const docRef = doc.reference ?? null;
  const eventTime = createdAt ?? doc.postingDate ?? fallbackTime;
  for (const item of doc.items) {
    const serials = item.serials.map(normalizeKey).filter((s) => s !== '');
    if (serials.length === 0) continue;
    const moveType = orNull(item.moveType);
    const spec = moveType !== null ? MOVE_TYPES[moveType] : undefined;
    const movement: Movement = spec?.movement ?? 'other';
    const site = sites.siteOfPlant(orNull(item.plant) ?? undefined);
    const sloc = orNull(item.storageLocation);
    const moveSite = sites.siteOfPlant(orNull(item.movePlant) ?? undefined);
    const moveSloc = orNull(item.moveStorageLocation);
    const delivery = keyOrNull(item.delivery);
    const vendor = keyOrNull(item.vendor);
    const customer = keyOrNull(item.customer);
    const arrives =
      movement === 'received' ||
      movement === 'initial-load' ||
      movement === 'returned' ||
      movement === 'back-from-vendor';
    let from: [string | null, string | null] = [site, sloc];
    let to: [string | null, string | null] = [null, null];
    if (spec?.receiving)
      to = [moveSite ?? site, moveSloc ?? (moveSite === null ? null : sites.defaultSloc(moveSite))];
    else if (arrives) {
      to = [site, sloc];
      from = [null, null];
    }
    const partner =
      movement === 'out-to-vendor' || movement === 'back-from-vendor' || movement === 'returned-to-vendor'
        ? vendor
        : movement === 'issued' || movement === 'returned'
          ? customer
          : null;
    const material = normalizeKey(item.material);
    if (material === '') continue;
    for (const serial of serials) {
      events.push({
        material,
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
        docRef,
      });
    }
  }
}

/**
 * Serial events and delivery routes in one IDoc (empty for IDoc types without serials), projected
 * from the one reader of business movements (../movements/read.ts). SAP dates and times are read
 * in `timeZone`, the SAP system's (the config's top-level `timeZone`).
 */
export function extractFromIdoc(
  idoc: Idoc,
  sites: SiteDirectory,
  fallbackTime: Date,
  timeZone: string,
): Extraction {
  const read = readIdocMovements(idoc, timeZone);
  if (read === undefined) return EMPTY_EXTRACTION;
  const events: SerialEventDraft[] = [];
  const deliveries: DeliveryInfo[] = [];
  for (const doc of read.documents) {
    if (doc.kind === 'delivery') deliveryEvents(doc, read.createdAt, sites, fallbackTime, events, deliveries);
    else goodsMovementEvents(doc, read.createdAt, sites, fallbackTime, events);
  }
  return { events, deliveries };
}
