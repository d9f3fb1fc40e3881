/**
 * Where deliveries and goods movements sit in the DELVRY and MBGMCR IDoc types — the data tables
 * both ledgers (deliveries for the pushback sweeper, serials for chain of custody) read from. A
 * new IDoc type or an extension is one more entry in their `idocTypes`, or a copy of a layout
 * with other names.
 */

/** A serial number field under a segment, reached through child segment types. */
export interface SerialPath {
  readonly path: readonly string[];
  readonly field: string;
}

/** A date/time pair in a qualified segment (e.g. E1EDT13 QUALF 006). */
export interface QualifiedDate {
  readonly segment: string;
  readonly qualifierField: string;
  readonly qualifier: string;
  readonly date: string;
  readonly time: string;
}

export interface DelvryLayout {
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
    /**
     * Reference document of the item: for a replenishment delivery of a stock transport order,
     * the STO number and item (LIPS-VGBEL / VGPOS; help.sap.com "Stock Transport Order with
     * Delivery via Shipping": the delivery is created for the STO). E1EDL41 (QUALI 001) is the
     * customer's purchase order of a sales-order delivery (IDOC-FORMAT.md §4) and is not read.
     */
    readonly referenceDocument: string;
    readonly referenceItem: string;
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
  /**
   * E1EDT13 QUALF 006 is the goods-issue date: in the public samples it sits between picking (010)
   * and delivery (007) dates, and the WMS confirmation mapping writes the actual time there. The
   * qualifier's meaning is UNVERIFIED: no SAP source lists the E1EDT13 qualifiers (IDOC-FORMAT.md
   * §4). ISDD/ISDZ = actual date/time (00000000 while not posted, as in every conformance sample of
   * an outbound delivery before goods issue), NTANF/NTANZ = planned.
   */
  readonly goodsIssueActual: QualifiedDate;
  readonly goodsIssuePlanned: QualifiedDate;
  /**
   * The delivery type (LIKP-LFART) in a child of the header (E1EDL21-LFART, as in SAP's customer
   * returns sample `sap-recipes-3pl-customer-return-mescod-ret.xml`: LFART LR).
   */
  readonly deliveryType: { readonly segment: string; readonly field: string };
  /**
   * Returns delivery types: a delivery of one of these types brings goods BACK to the plant of its
   * items; its goods movement (the "goods issue" WHSCON/SHPCON PGI) is the receipt there, not a
   * goods issue (SAP wiki "Return with deliveries": "The return movement types post negative GI,
   * which is equal to GR"). SAP standard (docs/movement-types.md "Return stock transport order"):
   * NLR / NCR returns delivery of a returns stock transport order, intra- / cross-company (item
   * categories NLRN / NCRN), LR customer returns delivery. Not RL (returns delivery TO a vendor:
   * its goods issue takes the goods out, "a negative GR"), not EL (inbound delivery: received with
   * a goods receipt, not a PGI). Installations that copy a delivery type (ZNLR...) add it here.
   */
  readonly returnsDeliveryTypes: readonly string[];
  /**
   * Inbound delivery types (EL: SAP's sample `sap-recipes-3pl-inbound-delivery-mescod-ibg.xml`,
   * LFART EL "Inbound Delivery"): goods coming INTO the plant of the items, received with a goods
   * receipt; a DESADV of one announces them, it is no goods issue of that plant.
   */
  readonly inboundDeliveryTypes: readonly string[];
}

export const DELVRY_LAYOUT: DelvryLayout = {
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
    referenceDocument: 'VGBEL',
    referenceItem: 'VGPOS',
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
  goodsIssueActual: {
    segment: 'E1EDT13',
    qualifierField: 'QUALF',
    qualifier: '006',
    date: 'ISDD',
    time: 'ISDZ',
  },
  goodsIssuePlanned: {
    segment: 'E1EDT13',
    qualifierField: 'QUALF',
    qualifier: '006',
    date: 'NTANF',
    time: 'NTANZ',
  },
  deliveryType: { segment: 'E1EDL21', field: 'LFART' },
  returnsDeliveryTypes: ['NLR', 'NCR', 'LR'],
  inboundDeliveryTypes: ['EL'],
};

/** A delivery bringing goods INTO the plant of its items: a returns or an inbound delivery type. */
export function isDeliveryIntoPlant(layout: DelvryLayout, deliveryType: string | null | undefined): boolean {
  const t = (deliveryType ?? '').trim().toUpperCase();
  return isReturnsDeliveryType(layout, t) || (t !== '' && layout.inboundDeliveryTypes.includes(t));
}

/** A returns delivery type (DelvryLayout.returnsDeliveryTypes), given the header's LFART. */
export function isReturnsDeliveryType(
  layout: DelvryLayout,
  deliveryType: string | null | undefined,
): boolean {
  const t = (deliveryType ?? '').trim().toUpperCase();
  return t !== '' && layout.returnsDeliveryTypes.includes(t);
}

/** Goods movement IDocs (MBGMCR0x): head, items and serials are siblings under one root segment. */
export interface MbgmcrLayout {
  readonly idocTypes: readonly string[];
  /** Segment that holds head, items and serials (they are its children). */
  readonly root: string;
  readonly head: {
    readonly segment: string;
    readonly postingDate: string;
    /** Reference fields of the head, tried in order (delivery note, bill of lading...). */
    readonly references: readonly string[];
  };
  readonly item: {
    readonly segment: string;
    readonly material: string;
    readonly plant: string;
    readonly sloc: string;
    readonly moveType: string;
    readonly movePlant: string;
    readonly moveSloc: string;
    readonly vendor: string;
    readonly customer: string;
    readonly quantity: string;
    readonly unit: string;
    readonly unitIso: string;
    /** Delivery reference fields on the item, tried in order. */
    readonly delivery: readonly string[];
    readonly deliveryItem: readonly string[];
    /** Overflow child of the item that may hold the delivery reference instead. */
    readonly overflow: { readonly segment: string; readonly delivery: string; readonly deliveryItem: string };
  };
  /** Serial numbers: sibling segments linked to their item by item number. */
  readonly serial: { readonly segment: string; readonly field: string; readonly itemLink: string };
}

export const MBGMCR_LAYOUT: MbgmcrLayout = {
  idocTypes: ['MBGMCR03', 'MBGMCR02'],
  root: 'E1MBGMCR',
  head: {
    segment: 'E1BP2017_GM_HEAD_01',
    postingDate: 'PSTNG_DATE',
    references: ['REF_DOC_NO_LONG', 'REF_DOC_NO', 'BILL_OF_LADING'],
  },
  item: {
    segment: 'E1BP2017_GM_ITEM_CREATE',
    material: 'MATERIAL',
    plant: 'PLANT',
    sloc: 'STGE_LOC',
    moveType: 'MOVE_TYPE',
    movePlant: 'MOVE_PLANT',
    moveSloc: 'MOVE_STLOC',
    vendor: 'VENDOR',
    customer: 'CUSTOMER',
    quantity: 'ENTRY_QNT',
    unit: 'ENTRY_UOM',
    unitIso: 'ENTRY_UOM_ISO',
    delivery: ['DELIV_NUMB_TO_SEARCH'],
    deliveryItem: ['DELIV_ITEM_TO_SEARCH'],
    overflow: { segment: 'E1BP2017_GM_ITEM_CREATE1', delivery: 'DELIV_NUMB', deliveryItem: 'DELIV_ITEM' },
  },
  serial: { segment: 'E1BP2017_GM_SERIALNUMBER', field: 'SERIALNO', itemLink: 'MATDOC_ITM' },
};
