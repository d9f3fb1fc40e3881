/**
 * Serial events from an IDoc model, driven by the layouts in ./sources.ts. A delivery yields one
 * event per serial (items and handling-unit contents, de-duplicated, the HU kept) and the
 * delivery's route; a goods movement yields one event per serial of each item.
 */
import type { Idoc, Segment } from '../../idoc/model.js';
import { sapInstant } from '../movements/sap-time.js';
import { idocTypeOf } from '../../idoc/model.js';
import { isDeliveryIntoPlant } from '../movements/idoc-layouts.js';
import { childrenOf, controlTime, field as fieldOf, holds, serialsBelow } from '../movements/segments.js';
import type { SiteDirectory } from './sites.js';
import {
  layoutFor,
  MOVE_TYPES,
  type DeliveryLayout,
  type GoodsMovementLayout,
  type SerialPath,
} from './sources.js';
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

/** A trimmed field value, undefined when blank. */
function field(s: Segment | undefined, name: string): string | undefined {
  return fieldOf(s, name) || undefined;
}

/** Serial numbers along the layout's paths, in their ALPHA output form. */
function serialsUnder(parent: Segment, paths: readonly SerialPath[]): string[] {
  return serialsBelow(parent, paths).map(normalizeKey);
}

/** Finds top-level segments of a type anywhere at the first two levels (root segments or their children). */
function topSegments(idoc: Idoc, type: string): Segment[] {
  const direct = idoc.segments.filter((s) => s.type === type);
  if (direct.length > 0) return direct;
  return idoc.segments.flatMap((s) => childrenOf(s, type));
}

function deliveryRole(
  layout: DeliveryLayout,
  mestyp: string,
  header: Segment,
): DeliveryLayout['roles'][number]['role'] | undefined {
  const type = childrenOf(header, layout.deliveryType.segment)
    .map((s) => field(s, layout.deliveryType.field))
    .find((t) => t !== undefined);
  const into = isDeliveryIntoPlant(layout, type);
  for (const r of layout.roles) {
    if (!r.messageTypes.includes(mestyp)) continue;
    if ((r.intoPlant ?? false) !== into) continue;
    if (r.when === undefined || holds(header, r.when)) return r.role;
  }
  return undefined;
}

function extractDelivery(
  layout: DeliveryLayout,
  idoc: Idoc,
  sites: SiteDirectory,
  fallbackTime: Date,
  timeZone: string,
): Extraction {
  const mestyp = (idoc.control.MESTYP ?? '').trim().toUpperCase();
  const events: SerialEventDraft[] = [];
  const deliveries: DeliveryInfo[] = [];
  for (const header of topSegments(idoc, layout.header.segment)) {
    const delivery = keyOrNull(header.fields[layout.header.delivery]);
    const role = deliveryRole(layout, mestyp, header);
    const shipTo =
      childrenOf(header, layout.partner.segment)
        .filter((p) => (p.fields[layout.partner.qualifierField] ?? '').trim() === layout.partner.shipTo)
        .map((p) => keyOrNull(p.fields[layout.partner.id]))
        .find((v) => v !== null) ?? null;
    const items = childrenOf(header, layout.item.segment);
    const firstPlant = items.map((i) => field(i, layout.item.plant)).find((p) => p !== undefined);
    const fromSite = sites.siteOfPlant(firstPlant ?? field(header, layout.header.shippingPoint));
    const toSite = sites.siteOfShipTo(shipTo);
    if (delivery !== null) deliveries.push({ delivery, fromSite, toSite, shipTo });
    if (role === undefined) continue;

    let eventTime: Date | undefined;
    if (role !== 'announce') {
      for (const t of layout.times) {
        for (const s of childrenOf(header, t.segment)) {
          if ((s.fields[t.qualifierField] ?? '').trim() !== t.qualifier) continue;
          eventTime ??= sapDateTime(s.fields[t.date], s.fields[t.time], timeZone);
        }
      }
    }
    // an announcement happened when SAP created the IDoc
    eventTime ??= controlTime(idoc, timeZone) ?? fallbackTime;

    // Serials per item position, then the HU that holds them.
    const hus = new Map<string, string>();
    const huMaterial = new Map<string, string>();
    for (const hu of childrenOf(header, layout.handlingUnit.segment)) {
      const huId = keyOrNull(hu.fields[layout.handlingUnit.id]);
      for (const content of childrenOf(hu, layout.handlingUnit.content)) {
        const material = normalizeKey(content.fields[layout.handlingUnit.contentMaterial]);
        for (const serial of serialsUnder(content, layout.handlingUnit.serials)) {
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
    for (const item of items) {
      const material = normalizeKey(item.fields[layout.item.material]);
      for (const serial of serialsUnder(item, layout.item.serials))
        emit(material, serial, field(item, layout.item.plant), field(item, layout.item.storageLocation));
    }
    for (const [key, material] of huMaterial)
      emit(material, key.split('\u0000')[1] ?? '', undefined, undefined);
  }
  return { events, deliveries };
}

function extractGoodsMovement(
  layout: GoodsMovementLayout,
  idoc: Idoc,
  sites: SiteDirectory,
  fallbackTime: Date,
  timeZone: string,
): Extraction {
  const events: SerialEventDraft[] = [];
  const roots = idoc.segments.filter((s) => s.type === layout.root);
  for (const root of roots.length > 0 ? roots : [{ type: '', fields: {}, children: idoc.segments }]) {
    const head = childrenOf(root, layout.head.segment)[0];
    const docRef = layout.head.references.map((r) => field(head, r)).find((v) => v !== undefined) ?? null;
    const eventTime =
      controlTime(idoc, timeZone) ??
      sapDateTime(field(head, layout.head.postingDate), undefined, timeZone) ??
      fallbackTime;
    const items = childrenOf(root, layout.item.segment);
    const serialsByItem = new Map<number, string[]>();
    for (const s of childrenOf(root, layout.serial.segment)) {
      const itemNo = Number((s.fields[layout.serial.itemLink] ?? '').trim());
      const serial = keyOrNull(s.fields[layout.serial.field]);
      if (!Number.isInteger(itemNo) || itemNo < 1 || serial === null) continue;
      const list = serialsByItem.get(itemNo) ?? [];
      list.push(serial);
      serialsByItem.set(itemNo, list);
    }
    items.forEach((item, index) => {
      const serials = serialsByItem.get(index + 1) ?? [];
      if (serials.length === 0) return;
      const f = layout.item;
      const moveType = field(item, f.moveType) ?? null;
      const spec = moveType !== null ? MOVE_TYPES[moveType] : undefined;
      const movement: Movement = spec?.movement ?? 'other';
      const site = sites.siteOfPlant(field(item, f.plant));
      const sloc = field(item, f.sloc) ?? null;
      const moveSite = sites.siteOfPlant(field(item, f.movePlant));
      const moveSloc = field(item, f.moveSloc) ?? null;
      const overflow = f.overflow ? childrenOf(item, f.overflow.segment)[0] : undefined;
      const delivery = f.overflow ? keyOrNull(overflow?.fields[f.overflow.delivery]) : null;
      const vendor = keyOrNull(item.fields[f.vendor]);
      const customer = keyOrNull(item.fields[f.customer]);
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
      for (const serial of serials) {
        events.push({
          material: normalizeKey(item.fields[f.material]),
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
    });
  }
  return { events: events.filter((e) => e.material !== ''), deliveries: [] };
}

/**
 * Serial events and delivery routes in one IDoc (empty for IDoc types without serials). SAP dates
 * and times are read in `timeZone`, the SAP system's (the config's top-level `timeZone`).
 */
export function extractFromIdoc(
  idoc: Idoc,
  sites: SiteDirectory,
  fallbackTime: Date,
  timeZone: string,
): Extraction {
  const layout = layoutFor(idocTypeOf(idoc.control).basicType);
  if (layout === undefined) return EMPTY_EXTRACTION;
  return layout.kind === 'delivery'
    ? extractDelivery(layout, idoc, sites, fallbackTime, timeZone)
    : extractGoodsMovement(layout, idoc, sites, fallbackTime, timeZone);
}
