/**
 * What an IDoc means to the delivery ledger, projected from the one reader of business movements
 * (../movements/read.ts, driven by the layouts as data):
 * an outbound delivery a store should receive (DELVRY0x SHPORD/WHSORD/DESADV to a store site),
 * a confirmation of the DC that executes it (WHSCON/SHPCON with E1EDL18 PIC: picked; PGI: goods
 * issued, the in-transit clock starts), receipt lines (an MBGMCR0x goods receipt 101 against the
 * delivery at the store), or nothing. Problems are returned as issues, never thrown.
 */
import type { Issue } from '../../errors.js';
import type { Idoc } from '../../idoc/model.js';
import {
  readIdocMovements,
  type DeliveryLedgerRole,
  type DeliveryRead,
  type GoodsMovementRead,
} from '../movements/read.js';
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

/** Reads an IDoc for the ledger. `messageType` defaults to the control record's MESTYP. */
export function readLedgerIdoc(idoc: Idoc, options: ReadOptions, messageType?: string): LedgerReading {
  const read = readIdocMovements(idoc, options.timeZone, messageType);
  if (read === undefined) {
    return {
      kind: 'ignore',
      reason: `IDoc type ${idoc.control.IDOCTYP ?? '?'} carries no deliveries`,
      issues: [],
    };
  }
  const issues: Issue[] = [];
  const deliveries: ExpectedDelivery[] = [];
  const milestones: Milestone[] = [];
  const lines: ReceiptLine[] = [];
  let role: DeliveryLedgerRole['role'] | undefined;
  let goodsMovement = false;
  const returns: string[] = [];
  for (const doc of read.documents) {
    if (doc.kind === 'goods-movement') {
      goodsMovement = true;
      receiptLines(doc, read.createdAt, lines, issues);
      continue;
    }
    // A returns delivery (store -> DC on a returns stock transport order, a customer return...)
    // brings goods back to the plant of its items: it is no delivery a store has to receive, so
    // it is never expected, never goods-issued to a store and never pushed back.
    if (doc.returnsDelivery) {
      returns.push(`${normalizeKey(doc.delivery)} (${doc.deliveryType ?? ''})`);
      continue;
    }
    for (const r of doc.deliveryLedgerRoles) {
      role ??= r.role;
      if (r.role === 'expect') {
        const d = expectedDelivery(doc, options, issues);
        if (d !== undefined) deliveries.push(d);
      } else if (r.milestone !== undefined) {
        const m = milestoneOf(doc, read.createdAt, r.milestone, issues);
        if (m !== undefined) milestones.push(m);
      }
    }
  }
  if (goodsMovement) {
    return lines.length > 0
      ? { kind: 'receipt', lines, issues }
      : { kind: 'ignore', reason: 'no goods receipt against a delivery in it', issues };
  }
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
        ? `message type ${read.messageType || '?'} is not a delivery announcement or a picking / goods-issue confirmation`
        : 'no delivery to a store in it',
    issues,
  };
}

function expectedDelivery(
  doc: DeliveryRead,
  { sites }: ReadOptions,
  issues: Issue[],
): ExpectedDelivery | undefined {
  const { path, layout } = doc;
  const sapDelivery = doc.delivery;
  const delivery = normalizeKey(sapDelivery);
  if (delivery === '') {
    issues.push(issue('DELIVERY_NUMBER_MISSING', 'the delivery header has no delivery number', path));
    return undefined;
  }
  const shipTo = doc.shipTo;
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
  for (const it of doc.items) {
    const position = normalizeKey(it.position);
    const sapMaterial = it.material;
    const quantityMilli = parseQuantityMilli(it.quantity);
    if (position === '' || sapMaterial === '' || quantityMilli === undefined) {
      issues.push(
        issue(
          'DELIVERY_ITEM_UNREADABLE',
          'item without position, material or quantity',
          `${path}/${layout.item.segment}[${it.index}]`,
        ),
      );
      continue;
    }
    if (quantityMilli <= 0) continue;
    const material = normalizeKey(sapMaterial);
    items.push({
      position,
      material,
      sapMaterial,
      quantityMilli,
      unit: it.unit,
      plant: it.plant || null,
      storageLocation: it.storageLocation || null,
      batch: it.batch || null,
      purchaseOrder: it.referenceDocument || null,
      purchaseOrderItem: it.referenceItem || null,
    });
    for (const serial of it.serials) addSerial({ material, serial, position, handlingUnit: null });
  }
  const handlingUnits: string[] = [];
  for (const hu of doc.handlingUnits) {
    const id = keyOrNull(hu.id);
    if (id !== null) handlingUnits.push(id);
    for (const content of hu.contents) {
      const position = keyOrNull(content.position);
      const item = items.find((it) => it.position === position);
      const material = keyOrNull(content.material) ?? item?.material ?? null;
      if (material === null) continue;
      for (const serial of content.serials) addSerial({ material, serial, position, handlingUnit: id });
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
  const shippingPoint = doc.shippingPoint || null;
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
    carrier: keyOrNull(doc.carrier),
    // Only an actual goods-issue date starts the grace period; a planned one is kept for display.
    goodsIssueAt: doc.goodsIssueActual ?? null,
    plannedGoodsIssueAt: doc.goodsIssuePlanned ?? null,
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
  doc: DeliveryRead,
  createdAt: Date | undefined,
  kind: Milestone['kind'],
  issues: Issue[],
): Milestone | undefined {
  const delivery = normalizeKey(doc.delivery);
  if (delivery === '') {
    issues.push(issue('DELIVERY_NUMBER_MISSING', 'the confirmation has no delivery number', doc.path));
    return undefined;
  }
  const at = (kind === 'goods-issued' ? doc.goodsIssueActual : undefined) ?? createdAt;
  if (at === undefined) {
    issues.push(
      issue(
        'CONFIRMATION_TIME_MISSING',
        `delivery ${delivery}: the ${kind} confirmation has no date`,
        doc.path,
        {
          delivery,
        },
      ),
    );
    return undefined;
  }
  return { delivery, kind, at };
}

/** Goods receipts (the layout's receipt movement types) against a delivery. */
function receiptLines(
  doc: GoodsMovementRead,
  createdAt: Date | undefined,
  lines: ReceiptLine[],
  issues: Issue[],
): void {
  const eventAt = doc.postingDate ?? createdAt ?? new Date(0);
  const receiptMoveTypes = doc.layout.deliveryLedger.receiptMoveTypes;
  for (const item of doc.items) {
    if (!receiptMoveTypes.includes(item.moveType)) continue;
    const delivery = normalizeKey(item.delivery);
    if (delivery === '') continue;
    const quantityMilli = parseQuantityMilli(item.quantity);
    if (quantityMilli === undefined) {
      issues.push(
        issue(
          'RECEIPT_QUANTITY_UNREADABLE',
          'goods receipt item without a quantity',
          `${doc.path}/${doc.layout.item.segment}[${item.index}]`,
        ),
      );
      continue;
    }
    lines.push({
      delivery,
      line: lines.length,
      source: 'goods-movement',
      position: keyOrNull(item.deliveryItem),
      material: keyOrNull(item.material),
      quantityMilli,
      unit: item.unitIso || item.unit || null,
      serials: [...item.serials],
      eventAt,
    });
  }
}
