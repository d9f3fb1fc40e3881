/**
 * What an IDoc means to the delivery ledger, read through the layout tables (./layouts.ts):
 * an outbound delivery a store should receive (DELVRY0x SHPORD/WHSORD/DESADV to a store site),
 * a confirmation of the DC that executes it (WHSCON/SHPCON with E1EDL18 PIC: picked; PGI: goods
 * issued, the in-transit clock starts), receipt lines (an MBGMCR0x goods receipt 101 against the
 * delivery at the store), or nothing. Problems are returned as issues, never thrown.
 */
import type { Issue } from '../../errors.js';
import type { Idoc, Segment } from '../../idoc/model.js';
import { isReturnsDeliveryType } from '../movements/idoc-layouts.js';
import { sapInstant } from '../movements/sap-time.js';
import {
  deliveryLedgerLayoutFor,
  type DeliveryIdocLayout,
  type DeliveryRole,
  type GoodsMovementIdocLayout,
  type QualifiedDate,
} from './layouts.js';
import { childrenOf, controlTime, field, firstField, holds, serialsBelow } from '../movements/segments.js';
import type { DeliverySites } from './sites.js';
import {
  keyOrNull,
  normalizeKey,
  parseQuantityMilli,
  type ExpectedDelivery,
  type ExpectedItem,
  type ExpectedSerial,
  type Milestone,
  type ReceiptLine,
} from './types.js';

export { sapInstant } from '../movements/sap-time.js';

export type LedgerReading =
  | { readonly kind: 'expect'; readonly deliveries: ExpectedDelivery[]; readonly issues: Issue[] }
  | { readonly kind: 'receipt'; readonly lines: ReceiptLine[]; readonly issues: Issue[] }
  | { readonly kind: 'milestone'; readonly milestones: Milestone[]; readonly issues: Issue[] }
  | { readonly kind: 'ignore'; readonly reason: string; readonly issues: Issue[] };

export interface ReadOptions {
  readonly sites: DeliverySites;
  /** Time zone of SAP dates without one (the config's timeZone). */
  readonly timeZone: string;
}

function issue(code: string, message: string, path: string, details: Issue['details'] = {}): Issue {
  return { code, message, path, severity: 'warning', details };
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

/** The roles of a delivery header: one `expect`, or the milestones it confirms (PIC and PGI may come together). */
function rolesOf(layout: DeliveryIdocLayout, messageType: string, header: Segment): DeliveryRole[] {
  return layout.roles.filter(
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
  const milestones: Milestone[] = [];
  let role: DeliveryRole['role'] | undefined;
  const returns: string[] = [];
  headers.forEach((header, h) => {
    const path = `${layout.header.segment}[${h}]`;
    // A returns delivery (store -> DC on a returns stock transport order, a customer return...)
    // brings goods back to the plant of its items: it is no delivery a store has to receive, so
    // it is never expected, never goods-issued to a store and never pushed back.
    const type = childrenOf(header, layout.deliveryType.segment)
      .map((s) => field(s, layout.deliveryType.field))
      .find((t) => t !== '');
    if (isReturnsDeliveryType(layout, type)) {
      returns.push(`${normalizeKey(field(header, layout.header.delivery))} (${type ?? ''})`);
      return;
    }
    for (const r of rolesOf(layout, messageType, header)) {
      role ??= r.role;
      if (r.role === 'expect') {
        const d = expectedDelivery(idoc, header, layout, options, path, issues);
        if (d !== undefined) deliveries.push(d);
      } else if (r.milestone !== undefined) {
        const m = milestoneOf(idoc, header, layout, r.milestone, options, path, issues);
        if (m !== undefined) milestones.push(m);
      }
    }
  });
  if (role === 'expect' && deliveries.length > 0) return { kind: 'expect', deliveries, issues };
  if (role === 'milestone' && milestones.length > 0) return { kind: 'milestone', milestones, issues };
  if (returns.length > 0 && role === undefined)
    return {
      kind: 'ignore',
      reason: `a returns delivery (${returns.join(', ')}): its goods movement is the receipt at the plant of its items, not a delivery a store receives`,
      issues,
    };
  return {
    kind: 'ignore',
    reason:
      role === undefined
        ? `message type ${messageType || '?'} is not a delivery announcement or a picking / goods-issue confirmation`
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
      purchaseOrder: field(seg, li.referenceDocument) || null,
      purchaseOrderItem: field(seg, li.referenceItem) || null,
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
  // Only an actual goods-issue date starts the grace period; a planned one is kept for display.
  const goodsIssueAt = dateOf(header, layout.actualGoodsIssueDates, timeZone) ?? null;
  const plannedGoodsIssueAt = dateOf(header, layout.plannedGoodsIssueDates, timeZone) ?? null;
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
    plannedGoodsIssueAt,
    pickedAt: null,
    items,
    handlingUnits,
    serials,
  };
}

/**
 * A picking or goods-issue confirmation of the DC. Its time: the actual goods-issue date of the
 * confirmation (for PGI), else the IDoc's creation (CREDAT/CRETIM), both in the configured zone.
 */
function milestoneOf(
  idoc: Idoc,
  header: Segment,
  layout: DeliveryIdocLayout,
  kind: Milestone['kind'],
  { timeZone }: ReadOptions,
  path: string,
  issues: Issue[],
): Milestone | undefined {
  const delivery = normalizeKey(field(header, layout.header.delivery));
  if (delivery === '') {
    issues.push(issue('DELIVERY_NUMBER_MISSING', 'the confirmation has no delivery number', path));
    return undefined;
  }
  const at =
    (kind === 'goods-issued' ? dateOf(header, layout.actualGoodsIssueDates, timeZone) : undefined) ??
    controlTime(idoc, timeZone);
  if (at === undefined) {
    issues.push(
      issue('CONFIRMATION_TIME_MISSING', `delivery ${delivery}: the ${kind} confirmation has no date`, path, {
        delivery,
      }),
    );
    return undefined;
  }
  return { delivery, kind, at };
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
    // DELIV_NUMB (item overflow) is the outbound delivery a GR for a stock transport order is
    // posted against; DELIV_NUMB_TO_SEARCH is read too, for producers that write it.
    const delivery = normalizeKey(field(overflow, li.overflow.delivery) || firstField(item, li.delivery));
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
      position: keyOrNull(field(overflow, li.overflow.deliveryItem) || firstField(item, li.deliveryItem)),
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
