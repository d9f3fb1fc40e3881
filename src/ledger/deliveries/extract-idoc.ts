/**
 * What an IDoc means to the delivery ledger, read through the layout tables (./layouts.ts):
 * an outbound delivery a store should receive (DELVRY0x SHPORD/WHSORD/DESADV to a store site),
 * or receipt lines (a store's WHSCON/SHPCON goods-movement confirmation, an MBGMCR0x goods
 * receipt referencing a delivery), or nothing. Problems are returned as issues, never thrown.
 */
import type { Issue } from '../../errors.js';
import type { Idoc, Segment } from '../../idoc/model.js';
import { sapDateTimeToIso } from '../../mapping/time.js';
import {
  deliveryLedgerLayoutFor,
  type DeliveryIdocLayout,
  type DeliveryRole,
  type GoodsMovementIdocLayout,
  type QualifiedDate,
} from './layouts.js';
import { childrenOf, field, firstField, holds, serialsBelow } from './segments.js';
import type { DeliverySites } from './sites.js';
import {
  keyOrNull,
  normalizeKey,
  parseQuantityMilli,
  type ExpectedDelivery,
  type ExpectedItem,
  type ExpectedSerial,
  type ReceiptLine,
} from './types.js';

export type LedgerReading =
  | { readonly kind: 'expect'; readonly deliveries: ExpectedDelivery[]; readonly issues: Issue[] }
  | { readonly kind: 'receipt'; readonly lines: ReceiptLine[]; readonly issues: Issue[] }
  | { readonly kind: 'ignore'; readonly reason: string; readonly issues: Issue[] };

export interface ReadOptions {
  readonly sites: DeliverySites;
  /** Time zone of SAP dates without one (the config's timeZone). */
  readonly timeZone: string;
}

function issue(code: string, message: string, path: string, details: Issue['details'] = {}): Issue {
  return { code, message, path, severity: 'warning', details };
}

/** A SAP date (+ time) as a Date; undefined for blank or all-zero dates. */
export function sapInstant(dats: string, tims: string, timeZone: string): Date | undefined {
  if (!/^\d{8}$/.test(dats) || /^0+$/.test(dats)) return undefined;
  const iso = sapDateTimeToIso(dats, /^\d{6}$/.test(tims) ? tims : '', timeZone);
  return iso === undefined ? undefined : new Date(iso);
}

function dateOf(header: Segment, dates: readonly QualifiedDate[], timeZone: string): Date | undefined {
  for (const d of dates) {
    for (const s of childrenOf(header, d.segment)) {
      if (field(s, d.qualifierField) !== d.qualifier) continue;
      const at = sapInstant(field(s, d.date), field(s, d.time), timeZone);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

function controlTime(idoc: Idoc, timeZone: string): Date | undefined {
  return sapInstant((idoc.control.CREDAT ?? '').trim(), (idoc.control.CRETIM ?? '').trim(), timeZone);
}

function roleOf(layout: DeliveryIdocLayout, messageType: string, header: Segment): DeliveryRole | undefined {
  return layout.roles.find(
    (r) =>
      r.messageTypes.includes(messageType) &&
      (r.when ?? []).every((c) => holds(header, c)) &&
      !(r.unless ?? []).some((c) => holds(header, c)),
  );
}

/** Reads an IDoc for the ledger. `messageType` defaults to the control record's MESTYP. */
export function readLedgerIdoc(idoc: Idoc, options: ReadOptions, messageType?: string): LedgerReading {
  const layout = deliveryLedgerLayoutFor(idoc.control.IDOCTYP);
  if (layout === undefined) {
    return {
      kind: 'ignore',
      reason: `IDoc type ${idoc.control.IDOCTYP ?? '?'} carries no deliveries`,
      issues: [],
    };
  }
  const mestyp = (messageType ?? idoc.control.MESTYP ?? '').trim().toUpperCase();
  return layout.kind === 'delivery'
    ? readDeliveryIdoc(idoc, layout, mestyp, options)
    : readGoodsMovement(idoc, layout, options);
}

function readDeliveryIdoc(
  idoc: Idoc,
  layout: DeliveryIdocLayout,
  messageType: string,
  options: ReadOptions,
): LedgerReading {
  const headers = idoc.segments.filter((s) => s.type === layout.header.segment);
  const issues: Issue[] = [];
  const deliveries: ExpectedDelivery[] = [];
  const lines: ReceiptLine[] = [];
  let role: DeliveryRole['role'] | undefined;
  headers.forEach((header, h) => {
    const path = `${layout.header.segment}[${h}]`;
    const r = roleOf(layout, messageType, header);
    if (r === undefined) return;
    role ??= r.role;
    if (r.role === 'expect') {
      const d = expectedDelivery(idoc, header, layout, options, path, issues);
      if (d !== undefined) deliveries.push(d);
    } else {
      lines.push(...confirmationLines(idoc, header, layout, options, path, issues, lines.length));
    }
  });
  if (role === 'expect' && deliveries.length > 0) return { kind: 'expect', deliveries, issues };
  if (role === 'receipt' && lines.length > 0) return { kind: 'receipt', lines, issues };
  return {
    kind: 'ignore',
    reason:
      role === undefined
        ? `message type ${messageType || '?'} is not a delivery announcement or store confirmation`
        : 'no delivery to a store in it',
    issues,
  };
}

function expectedDelivery(
  idoc: Idoc,
  header: Segment,
  layout: DeliveryIdocLayout,
  { sites, timeZone }: ReadOptions,
  path: string,
  issues: Issue[],
): ExpectedDelivery | undefined {
  const sapDelivery = field(header, layout.header.delivery);
  const delivery = normalizeKey(sapDelivery);
  if (delivery === '') {
    issues.push(issue('DELIVERY_NUMBER_MISSING', 'the delivery header has no delivery number', path));
    return undefined;
  }
  const p = layout.partner;
  const shipToSeg = childrenOf(header, p.segment).find((s) => field(s, p.qualifierField) === p.shipTo);
  const shipTo = shipToSeg === undefined ? null : field(shipToSeg, p.id) || null;
  const destinationSite = sites.siteOfShipTo(shipTo);
  if (destinationSite === null || !sites.isStore(destinationSite)) {
    issues.push(
      issue(
        'NOT_A_STORE_DELIVERY',
        `delivery ${delivery}: ship-to ${shipTo ?? '(none)'} is not a store`,
        path,
        {
          delivery,
          shipTo,
        },
      ),
    );
    return undefined;
  }
  const items: ExpectedItem[] = [];
  const serials: ExpectedSerial[] = [];
  const seen = new Set<string>();
  const addSerial = (s: ExpectedSerial): void => {
    const k = `${s.material}\u0000${s.serial}`;
    if (seen.has(k)) return;
    seen.add(k);
    serials.push(s);
  };
  const li = layout.item;
  childrenOf(header, li.segment).forEach((seg, i) => {
    const position = normalizeKey(field(seg, li.position));
    const sapMaterial = field(seg, li.material);
    const quantityMilli = parseQuantityMilli(field(seg, li.quantity));
    if (position === '' || sapMaterial === '' || quantityMilli === undefined) {
      issues.push(
        issue(
          'DELIVERY_ITEM_UNREADABLE',
          'item without position, material or quantity',
          `${path}/${li.segment}[${i}]`,
        ),
      );
      return;
    }
    if (quantityMilli <= 0) return;
    const material = normalizeKey(sapMaterial);
    items.push({
      position,
      material,
      sapMaterial,
      quantityMilli,
      unit: field(seg, li.unit),
      plant: field(seg, li.plant) || null,
      storageLocation: field(seg, li.storageLocation) || null,
      batch: field(seg, li.batch) || null,
    });
    for (const serial of serialsBelow(seg, li.serials))
      addSerial({ material, serial, position, handlingUnit: null });
  });
  const hu = layout.handlingUnit;
  const handlingUnits: string[] = [];
  for (const huSeg of childrenOf(header, hu.segment)) {
    const id = keyOrNull(field(huSeg, hu.id));
    if (id !== null) handlingUnits.push(id);
    for (const content of childrenOf(huSeg, hu.content)) {
      const position = keyOrNull(field(content, hu.contentPosition));
      const item = items.find((it) => it.position === position);
      const material = keyOrNull(field(content, hu.contentMaterial)) ?? item?.material ?? null;
      if (material === null) continue;
      for (const serial of serialsBelow(content, hu.serials))
        addSerial({ material, serial, position, handlingUnit: id });
    }
  }
  if (items.length === 0) {
    issues.push(
      issue('DELIVERY_WITHOUT_ITEMS', `delivery ${delivery} has no items with a quantity`, path, {
        delivery,
      }),
    );
    return undefined;
  }
  const originPlant = items.find((it) => it.plant !== null)?.plant ?? null;
  const shippingPoint = field(header, layout.header.shippingPoint) || null;
  const originSite = sites.siteOfPlant(originPlant) ?? sites.siteOfShippingPoint(shippingPoint);
  if (originSite === null) {
    issues.push(
      issue(
        'ORIGIN_UNKNOWN',
        `delivery ${delivery}: neither plant ${originPlant ?? '-'} nor shipping point ${shippingPoint ?? '-'} is a known site`,
        path,
        { delivery },
      ),
    );
    return undefined;
  }
  const goodsIssueAt = dateOf(header, layout.goodsIssue, timeZone) ?? controlTime(idoc, timeZone);
  if (goodsIssueAt === undefined) {
    issues.push(
      issue('GOODS_ISSUE_DATE_MISSING', `delivery ${delivery} has no goods-issue date`, path, { delivery }),
    );
    return undefined;
  }
  return {
    delivery,
    sapDelivery,
    originSite,
    originPlant: originPlant ?? sites.plantOf(originSite),
    originStorageLocation:
      items.find((it) => it.storageLocation !== null)?.storageLocation ?? sites.storageLocationOf(originSite),
    shippingPoint,
    destinationSite,
    destinationPlant: sites.plantOf(destinationSite),
    destinationStorageLocation: sites.storageLocationOf(destinationSite),
    shipTo,
    goodsIssueAt,
    items,
    handlingUnits,
    serials,
  };
}

function confirmationLines(
  idoc: Idoc,
  header: Segment,
  layout: DeliveryIdocLayout,
  { timeZone }: ReadOptions,
  path: string,
  issues: Issue[],
  firstLine: number,
): ReceiptLine[] {
  const delivery = normalizeKey(field(header, layout.header.delivery));
  if (delivery === '') {
    issues.push(issue('DELIVERY_NUMBER_MISSING', 'the confirmation has no delivery number', path));
    return [];
  }
  const eventAt = dateOf(header, layout.goodsIssue, timeZone) ?? controlTime(idoc, timeZone) ?? new Date(0);
  const li = layout.item;
  const huSerials = new Map<string, string[]>();
  for (const huSeg of childrenOf(header, layout.handlingUnit.segment)) {
    for (const content of childrenOf(huSeg, layout.handlingUnit.content)) {
      const pos = normalizeKey(field(content, layout.handlingUnit.contentPosition));
      const list = huSerials.get(pos) ?? [];
      list.push(...serialsBelow(content, layout.handlingUnit.serials));
      huSerials.set(pos, list);
    }
  }
  const lines: ReceiptLine[] = [];
  for (const seg of childrenOf(header, li.segment)) {
    const quantityMilli = parseQuantityMilli(field(seg, li.quantity)) ?? 0;
    const position = keyOrNull(field(seg, li.position));
    const serials = [
      ...new Set([...serialsBelow(seg, li.serials), ...(huSerials.get(position ?? '') ?? [])]),
    ];
    lines.push({
      delivery,
      line: firstLine + lines.length,
      source: 'wms-confirmation',
      position,
      material: keyOrNull(field(seg, li.material)),
      quantityMilli,
      unit: field(seg, li.unit) || null,
      serials,
      eventAt,
    });
  }
  return lines;
}

function readGoodsMovement(
  idoc: Idoc,
  layout: GoodsMovementIdocLayout,
  { timeZone }: ReadOptions,
): LedgerReading {
  const issues: Issue[] = [];
  const root = idoc.segments.find((s) => s.type === layout.root);
  if (root === undefined) return { kind: 'ignore', reason: `no ${layout.root} segment`, issues };
  const head = childrenOf(root, layout.head.segment)[0];
  const eventAt =
    sapInstant(field(head, layout.head.postingDate), '', timeZone) ??
    controlTime(idoc, timeZone) ??
    new Date(0);
  const li = layout.item;
  const serialsByItem = new Map<string, string[]>();
  for (const s of childrenOf(root, layout.serial.segment)) {
    const link = normalizeKey(field(s, layout.serial.itemLink));
    const serial = field(s, layout.serial.field);
    if (serial === '') continue;
    serialsByItem.set(link, [...(serialsByItem.get(link) ?? []), serial]);
  }
  const lines: ReceiptLine[] = [];
  childrenOf(root, li.segment).forEach((item, i) => {
    if (!layout.receiptMoveTypes.includes(field(item, li.moveType))) return;
    const overflow = childrenOf(item, li.overflow.segment)[0];
    const delivery = normalizeKey(firstField(item, li.delivery) || field(overflow, li.overflow.delivery));
    if (delivery === '') return;
    const quantityMilli = parseQuantityMilli(field(item, li.quantity));
    if (quantityMilli === undefined) {
      issues.push(
        issue(
          'RECEIPT_QUANTITY_UNREADABLE',
          'goods receipt item without a quantity',
          `${layout.root}/${li.segment}[${i}]`,
        ),
      );
      return;
    }
    lines.push({
      delivery,
      line: lines.length,
      source: 'goods-movement',
      position: keyOrNull(firstField(item, li.deliveryItem) || field(overflow, li.overflow.deliveryItem)),
      material: keyOrNull(field(item, li.material)),
      quantityMilli,
      unit: field(item, li.unitIso) || field(item, li.unit) || null,
      serials: serialsByItem.get(String(i + 1)) ?? [],
      eventAt,
    });
  });
  return lines.length > 0
    ? { kind: 'receipt', lines, issues }
    : { kind: 'ignore', reason: 'no goods receipt against a delivery in it', issues };
}
