/**
 * Where deliveries and receipts sit in IDocs, as data. Shared code reads these tables and never
 * branches on an IDoc type name: another delivery release (DELVRY05), an extension with other
 * segment names or a customer movement type is one more entry (or one changed value) here.
 *
 * Facts behind the values: ../shared/reference/IDOC-FORMAT.md §4 (DELVRY07 tree, serial-number
 * segments E1EDL11 / E1EDL46 / E1EDL59, handling units E1EDL37 > E1EDL44, partners E1ADRM1),
 * §5 (MBGMCR03: items and serials are siblings linked by MATDOC_ITM) and §8 (movement types).
 */

/** A chain of child segment types below a parent, and the field holding the serial number. */
export interface SerialPath {
  readonly path: readonly string[];
  readonly field: string;
}

/** A child segment of the delivery header whose field must (or must not) hold one of the values. */
export interface HeaderCondition {
  readonly segment: string;
  readonly field: string;
  readonly values: readonly string[];
}

/**
 * What a delivery IDoc means to the ledger, by message type:
 * `expect`  an outbound delivery SAP announces (the store should receive it);
 * `receipt` a warehouse/shipping confirmation that the goods arrived at the store.
 */
export interface DeliveryRole {
  readonly messageTypes: readonly string[];
  readonly role: 'expect' | 'receipt';
  /** All of these must hold (e.g. E1EDL18 QUALF PGI). */
  readonly when?: readonly HeaderCondition[];
  /** None of these may hold (e.g. E1EDL18 QUALF PIC: a picking confirmation from the DC). */
  readonly unless?: readonly HeaderCondition[];
}

/** A date (and time) segment with a qualifier, tried in order for the goods-issue time. */
export interface QualifiedDate {
  readonly segment: string;
  readonly qualifierField: string;
  readonly qualifier: string;
  readonly date: string;
  readonly time: string;
}

export interface DeliveryIdocLayout {
  readonly kind: 'delivery';
  readonly idocTypes: readonly string[];
  readonly header: { readonly segment: string; readonly delivery: string; readonly shippingPoint: string };
  readonly item: {
    readonly segment: string;
    readonly position: string;
    readonly material: string;
    readonly quantity: string;
    readonly unit: string;
    readonly plant: string;
    readonly storageLocation: string;
    readonly batch: string;
    readonly serials: readonly SerialPath[];
  };
  readonly handlingUnit: {
    readonly segment: string;
    readonly id: string;
    readonly content: string;
    readonly contentPosition: string;
    readonly contentMaterial: string;
    readonly serials: readonly SerialPath[];
  };
  readonly partner: {
    readonly segment: string;
    readonly qualifierField: string;
    readonly id: string;
    /** Qualifier of the ship-to party (the receiving site). */
    readonly shipTo: string;
  };
  /** Goods-issue date segments, tried in order; the control record's CREDAT/CRETIM is the last resort. */
  readonly goodsIssue: readonly QualifiedDate[];
  readonly roles: readonly DeliveryRole[];
}

export interface GoodsMovementIdocLayout {
  readonly kind: 'goods-movement';
  readonly idocTypes: readonly string[];
  /** Segment that holds head, items and serials (they are its children). */
  readonly root: string;
  readonly head: { readonly segment: string; readonly postingDate: string };
  readonly item: {
    readonly segment: string;
    readonly material: string;
    readonly moveType: string;
    readonly quantity: string;
    readonly unit: string;
    readonly unitIso: string;
    /** Delivery reference fields on the item, tried in order. */
    readonly delivery: readonly string[];
    readonly deliveryItem: readonly string[];
    /** Overflow child of the item that may hold the delivery reference instead. */
    readonly overflow: {
      readonly segment: string;
      readonly delivery: string;
      readonly deliveryItem: string;
    };
  };
  readonly serial: { readonly segment: string; readonly field: string; readonly itemLink: string };
  /** Movement types that are a goods receipt of the delivery at the store. */
  readonly receiptMoveTypes: readonly string[];
}

export type DeliveryLedgerLayout = DeliveryIdocLayout | GoodsMovementIdocLayout;

const PGI = { segment: 'E1EDL18', field: 'QUALF', values: ['PGI'] } as const;
const PIC = { segment: 'E1EDL18', field: 'QUALF', values: ['PIC'] } as const;

export const DELIVERY_LEDGER_LAYOUTS: readonly DeliveryLedgerLayout[] = [
  {
    kind: 'delivery',
    idocTypes: ['DELVRY07', 'DELVRY06', 'DELVRY05', 'DELVRY03'],
    header: { segment: 'E1EDL20', delivery: 'VBELN', shippingPoint: 'VSTEL' },
    item: {
      segment: 'E1EDL24',
      position: 'POSNR',
      material: 'MATNR',
      quantity: 'LFIMG',
      unit: 'VRKME',
      plant: 'WERKS',
      storageLocation: 'LGORT',
      batch: 'CHARG',
      serials: [
        { path: ['E1EDL11'], field: 'SERNR' },
        { path: ['E1EDL58', 'E1EDL59'], field: 'SERNR' },
      ],
    },
    handlingUnit: {
      segment: 'E1EDL37',
      id: 'EXIDV',
      content: 'E1EDL44',
      contentPosition: 'POSNR',
      contentMaterial: 'MATNR',
      serials: [{ path: ['E1EDL46'], field: 'SERNR' }],
    },
    partner: { segment: 'E1ADRM1', qualifierField: 'PARTNER_Q', id: 'PARTNER_ID', shipTo: 'WE' },
    // E1EDT13 QUALF 006 is the goods-issue date: in the public samples it sits between picking
    // (010) and delivery (007) dates, and the WMS confirmation mapping writes the actual time there.
    // The qualifier's meaning is not confirmed by an SAP source (IDOC-FORMAT.md §4: UNSURE).
    // ISDD/ISDZ = actual date/time (00000000 while not posted), NTANF/NTANZ = planned.
    goodsIssue: [
      { segment: 'E1EDT13', qualifierField: 'QUALF', qualifier: '006', date: 'ISDD', time: 'ISDZ' },
      { segment: 'E1EDT13', qualifierField: 'QUALF', qualifier: '006', date: 'NTANF', time: 'NTANZ' },
    ],
    roles: [
      { messageTypes: ['SHPORD', 'WHSORD', 'DESADV'], role: 'expect' },
      // A store's own confirmation: goods movement posted (PGI) without a picking confirmation.
      { messageTypes: ['WHSCON', 'SHPCON'], role: 'receipt', when: [PGI], unless: [PIC] },
    ],
  },
  {
    kind: 'goods-movement',
    idocTypes: ['MBGMCR03', 'MBGMCR02'],
    root: 'E1MBGMCR',
    head: { segment: 'E1BP2017_GM_HEAD_01', postingDate: 'PSTNG_DATE' },
    item: {
      segment: 'E1BP2017_GM_ITEM_CREATE',
      material: 'MATERIAL',
      moveType: 'MOVE_TYPE',
      quantity: 'ENTRY_QNT',
      unit: 'ENTRY_UOM',
      unitIso: 'ENTRY_UOM_ISO',
      delivery: ['DELIV_NUMB_TO_SEARCH'],
      deliveryItem: ['DELIV_ITEM_TO_SEARCH'],
      overflow: { segment: 'E1BP2017_GM_ITEM_CREATE1', delivery: 'DELIV_NUMB', deliveryItem: 'DELIV_ITEM' },
    },
    serial: { segment: 'E1BP2017_GM_SERIALNUMBER', field: 'SERIALNO', itemLink: 'MATDOC_ITM' },
    // 101: goods receipt against the (inbound/outbound) delivery; 305: placement in the receiving
    // plant of a two-step transfer (IDOC-FORMAT.md §8).
    receiptMoveTypes: ['101', '305'],
  },
];

export function deliveryLedgerLayoutFor(
  idocType: string | null | undefined,
): DeliveryLedgerLayout | undefined {
  const t = (idocType ?? '').trim().toUpperCase();
  return DELIVERY_LEDGER_LAYOUTS.find((l) => l.idocTypes.includes(t));
}

/** Message types the ledger reads, by when a message of that type is applied. */
export const LEDGER_MESSAGE_TYPES = {
  /** Announcements from SAP: applied as soon as they are stored (whatever happens to their delivery). */
  onReceipt: ['SHPORD', 'WHSORD', 'DESADV'],
  /** Receipts going to SAP: applied once SAP has them (status delivered). */
  onDelivery: ['WHSCON', 'SHPCON', 'MBGMCR'],
} as const;

/** Handheld scan movement kinds that are a goods receipt against a delivery. */
export const HANDHELD_RECEIPT_KINDS: readonly string[] = ['receipt-delivery'];

/** WMS confirmation events that mean the goods arrived. */
export const WMS_RECEIPT_EVENTS: readonly string[] = ['received'];
