/**
 * The one reader of business movements in IDocs, shared by both ledgers (deliveries for the
 * pushback sweeper, serials for chain of custody): an IDoc model -> normalized documents, driven
 * by the layouts as data (./layouts/*.yaml through ./idoc-layouts.ts). A delivery (DELVRY0x) is
 * its header, items with their serials, handling units with their contents, the ship-to, the
 * delivery type and goods-issue dates, and what its message type means to each ledger (the
 * layout's `deliveryLedger` and `serialLedger` roles); a goods movement (MBGMCR0x) is its head
 * and items with their serials (linked by item number) and delivery references.
 *
 * Values are trimmed but kept in SAP's form (leading zeros, as in the IDoc); each ledger applies
 * its keys (./keys.ts) and its site directory. SAP dates are read in the SAP system's time zone
 * (the config's `timeZone`). Pure: no I/O; shared code never branches on an IDoc type name.
 */
import type { Idoc, Segment } from '../../idoc/model.js';
import {
  DELVRY_LAYOUT,
  isDeliveryIntoPlant,
  isReturnsDeliveryType,
  MBGMCR_LAYOUT,
  type DelvryLayout,
  type MbgmcrLayout,
  type QualifiedDate,
} from './idoc-layouts.js';
import { sapInstant } from './sap-time.js';
import { childrenOf, controlTime, field, firstField, holds, serialsBelow } from './segments.js';

/** What a delivery message means to the delivery ledger (delvry.yaml `deliveryLedger.roles`). */
export type DeliveryLedgerRole = DelvryLayout['deliveryLedger']['roles'][number];
/** What a delivery message means to its serials (delvry.yaml `serialLedger.roles`). */
export type SerialLedgerRole = DelvryLayout['serialLedger']['roles'][number]['role'];

export interface DeliveryItemRead {
  /** Position among the header's items (0-based), for issue paths. */
  readonly index: number;
  readonly position: string;
  readonly material: string;
  readonly quantity: string;
  readonly unit: string;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  readonly referenceDocument: string;
  readonly referenceItem: string;
  /** Serial numbers below the item, in document order. */
  readonly serials: readonly string[];
}

export interface HandlingUnitContentRead {
  readonly position: string;
  readonly material: string;
  readonly serials: readonly string[];
}

export interface HandlingUnitRead {
  readonly id: string;
  readonly contents: readonly HandlingUnitContentRead[];
}

export interface DeliveryRead {
  readonly kind: 'delivery';
  readonly layout: DelvryLayout;
  /** Where the header sits (`E1EDL20[0]`), for issue paths. */
  readonly path: string;
  readonly delivery: string;
  readonly shippingPoint: string;
  /** LFART of the header, when given. */
  readonly deliveryType: string | undefined;
  /** A returns delivery type (goods come back to the plant of the items). */
  readonly returnsDelivery: boolean;
  /** A returns or inbound delivery type: goods come INTO the plant of the items. */
  readonly intoPlant: boolean;
  /** The ship-to party (the first ship-to partner with an id), when given. */
  readonly shipTo: string | null;
  /**
   * The carrier (forwarding agent): PARTNER_ID of the first header partner with an id whose
   * partner function is one of the layout's `partner.carrier` (in that order), when given.
   */
  readonly carrier: string | null;
  readonly items: readonly DeliveryItemRead[];
  readonly handlingUnits: readonly HandlingUnitRead[];
  /** The actual goods issue (delvry.yaml `goodsIssueActual`), when posted. */
  readonly goodsIssueActual: Date | undefined;
  readonly goodsIssuePlanned: Date | undefined;
  /** The delivery ledger's roles that fit the message type and the header (PIC and PGI may come together). */
  readonly deliveryLedgerRoles: readonly DeliveryLedgerRole[];
  /** The serial ledger's role: the first that fits the message type, qualifier and `intoPlant`. */
  readonly serialLedgerRole: SerialLedgerRole | undefined;
}

export interface GoodsMovementItemRead {
  /** Position among the items (0-based); item number `index + 1` links the serials. */
  readonly index: number;
  readonly material: string;
  readonly plant: string;
  readonly storageLocation: string;
  readonly moveType: string;
  readonly movePlant: string;
  readonly moveStorageLocation: string;
  readonly vendor: string;
  readonly customer: string;
  readonly quantity: string;
  readonly unit: string;
  readonly unitIso: string;
  /** The delivery it is posted against: the item overflow's DELIV_NUMB, else the item's search fields. */
  readonly delivery: string;
  readonly deliveryItem: string;
  readonly serials: readonly string[];
}

export interface GoodsMovementRead {
  readonly kind: 'goods-movement';
  readonly layout: MbgmcrLayout;
  readonly path: string;
  readonly postingDate: Date | undefined;
  /** The head's first reference (delivery note, bill of lading...), when given. */
  readonly reference: string | undefined;
  readonly items: readonly GoodsMovementItemRead[];
}

export type MovementDocument = DeliveryRead | GoodsMovementRead;

export interface IdocMovements {
  /** Upper-case message type the roles were chosen by. */
  readonly messageType: string;
  /** When SAP created the IDoc (CREDAT/CRETIM), when given. */
  readonly createdAt: Date | undefined;
  readonly documents: readonly MovementDocument[];
}

/** The layout of an IDoc type (basic type, extension ignored), or undefined for one without movements. */
export function movementLayoutFor(
  idocType: string | null | undefined,
): DelvryLayout | MbgmcrLayout | undefined {
  const t = (idocType ?? '').trim().toUpperCase();
  return [DELVRY_LAYOUT, MBGMCR_LAYOUT].find((l) => l.idocTypes.includes(t));
}

/** Segments of a type at the first two levels (root segments, else their children). */
function topSegments(segments: readonly Segment[], type: string): Segment[] {
  const direct = segments.filter((s) => s.type === type);
  if (direct.length > 0) return direct;
  return segments.flatMap((s) => childrenOf(s, type));
}

function dateOf(header: Segment, d: QualifiedDate, timeZone: string): Date | undefined {
  for (const s of childrenOf(header, d.segment)) {
    if (field(s, d.qualifierField) !== d.qualifier) continue;
    const at = sapInstant(field(s, d.date), field(s, d.time), timeZone);
    if (at !== undefined) return at;
  }
  return undefined;
}

/**
 * The carrier of a delivery header: PARTNER_ID of the first partner segment with an id whose
 * partner function is one of `partner.carrier`, trying the functions in their order; null when none.
 */
export function carrierOf(header: Segment, partner: DelvryLayout['partner']): string | null {
  const partners = childrenOf(header, partner.segment);
  for (const q of partner.carrier) {
    const id = partners
      .filter((s) => field(s, partner.qualifierField) === q)
      .map((s) => field(s, partner.id))
      .find((v) => v !== '');
    if (id !== undefined) return id;
  }
  return null;
}

function readDelivery(
  layout: DelvryLayout,
  header: Segment,
  path: string,
  messageType: string,
  timeZone: string,
): DeliveryRead {
  const deliveryType = childrenOf(header, layout.deliveryType.segment)
    .map((s) => field(s, layout.deliveryType.field))
    .find((t) => t !== '');
  const intoPlant = isDeliveryIntoPlant(layout, deliveryType);
  const p = layout.partner;
  const shipTo =
    childrenOf(header, p.segment)
      .filter((s) => field(s, p.qualifierField) === p.shipTo)
      .map((s) => field(s, p.id))
      .find((v) => v !== '') ?? null;
  const carrier = carrierOf(header, p);
  const li = layout.item;
  const items = childrenOf(header, li.segment).map((s, index): DeliveryItemRead => ({
    index,
    position: field(s, li.position),
    material: field(s, li.material),
    quantity: field(s, li.quantity),
    unit: field(s, li.unit),
    plant: field(s, li.plant),
    storageLocation: field(s, li.storageLocation),
    batch: field(s, li.batch),
    referenceDocument: field(s, li.referenceDocument),
    referenceItem: field(s, li.referenceItem),
    serials: serialsBelow(s, li.serials),
  }));
  const hu = layout.handlingUnit;
  const handlingUnits = childrenOf(header, hu.segment).map((s): HandlingUnitRead => ({
    id: field(s, hu.id),
    contents: childrenOf(s, hu.content).map((c) => ({
      position: field(c, hu.contentPosition),
      material: field(c, hu.contentMaterial),
      serials: serialsBelow(c, hu.serials),
    })),
  }));
  const deliveryLedgerRoles = layout.deliveryLedger.roles.filter(
    (r) =>
      r.messageTypes.includes(messageType) &&
      (r.when ?? []).every((c) => holds(header, c)) &&
      !(r.unless ?? []).some((c) => holds(header, c)),
  );
  const serialLedgerRole = layout.serialLedger.roles.find(
    (r) =>
      r.messageTypes.includes(messageType) &&
      (r.intoPlant ?? false) === intoPlant &&
      (r.when === undefined || holds(header, r.when)),
  )?.role;
  return {
    kind: 'delivery',
    layout,
    path,
    delivery: field(header, layout.header.delivery),
    shippingPoint: field(header, layout.header.shippingPoint),
    deliveryType,
    returnsDelivery: isReturnsDeliveryType(layout, deliveryType),
    intoPlant,
    shipTo,
    carrier,
    items,
    handlingUnits,
    goodsIssueActual: dateOf(header, layout.goodsIssueActual, timeZone),
    goodsIssuePlanned: dateOf(header, layout.goodsIssuePlanned, timeZone),
    deliveryLedgerRoles,
    serialLedgerRole,
  };
}

function readGoodsMovement(
  layout: MbgmcrLayout,
  root: Segment,
  path: string,
  timeZone: string,
): GoodsMovementRead {
  const head = childrenOf(root, layout.head.segment)[0];
  const serialsByItem = new Map<number, string[]>();
  for (const s of childrenOf(root, layout.serial.segment)) {
    const itemNo = Number(field(s, layout.serial.itemLink));
    const serial = field(s, layout.serial.field);
    if (!Number.isInteger(itemNo) || itemNo < 1 || serial === '') continue;
    serialsByItem.set(itemNo, [...(serialsByItem.get(itemNo) ?? []), serial]);
  }
  const li = layout.item;
  const items = childrenOf(root, li.segment).map((item, index): GoodsMovementItemRead => {
    const overflow = childrenOf(item, li.overflow.segment)[0];
    return {
      index,
      material: field(item, li.material),
      plant: field(item, li.plant),
      storageLocation: field(item, li.sloc),
      moveType: field(item, li.moveType),
      movePlant: field(item, li.movePlant),
      moveStorageLocation: field(item, li.moveSloc),
      vendor: field(item, li.vendor),
      customer: field(item, li.customer),
      quantity: field(item, li.quantity),
      unit: field(item, li.unit),
      unitIso: field(item, li.unitIso),
      // DELIV_NUMB (item overflow) is the outbound delivery a GR for a stock transport order is
      // posted against; DELIV_NUMB_TO_SEARCH is read too, for producers that write it.
      delivery: field(overflow, li.overflow.delivery) || firstField(item, li.delivery),
      deliveryItem: field(overflow, li.overflow.deliveryItem) || firstField(item, li.deliveryItem),
      serials: serialsByItem.get(index + 1) ?? [],
    };
  });
  const reference = layout.head.references.map((r) => field(head, r)).find((v) => v !== '');
  return {
    kind: 'goods-movement',
    layout,
    path,
    postingDate: sapInstant(field(head, layout.head.postingDate), '', timeZone),
    reference,
    items,
  };
}

/**
 * The business movements of an IDoc, or undefined for an IDoc type that carries none.
 * `messageType` (default: the control record's MESTYP) chooses the ledgers' roles.
 */
export function readIdocMovements(
  idoc: Idoc,
  timeZone: string,
  messageType?: string,
): IdocMovements | undefined {
  const layout = movementLayoutFor(idoc.control.IDOCTYP);
  if (layout === undefined) return undefined;
  const mestyp = (messageType ?? idoc.control.MESTYP ?? '').trim().toUpperCase();
  let documents: MovementDocument[];
  if (layout.kind === 'delivery') {
    documents = topSegments(idoc.segments, layout.header.segment).map((h, i) =>
      readDelivery(layout, h, `${layout.header.segment}[${i}]`, mestyp, timeZone),
    );
  } else {
    const roots = idoc.segments.filter((s) => s.type === layout.root);
    // Without the root segment, head, items and serials may stand at the top level.
    const list = roots.length > 0 ? roots : [{ type: layout.root, fields: {}, children: idoc.segments }];
    documents = list.map((r, i) =>
      readGoodsMovement(layout, r, roots.length > 1 ? `${layout.root}[${i}]` : layout.root, timeZone),
    );
  }
  return {
    messageType: mestyp,
    createdAt: controlTime(idoc, timeZone),
    documents,
  };
}
