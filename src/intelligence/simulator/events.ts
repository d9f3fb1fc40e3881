/**
 * The simulator's domain: sites, lanes, the network, and the events it emits (./simulate.ts for
 * deliveries, ./integrity.ts for store traffic and injected anomalies) with the ground truth of a
 * delivery. Types only, so the two generators share them without importing each other.
 */

export interface SimSite {
  readonly site: string;
  readonly plant: string;
  /** The ship-to partner number SAP writes for this site (E1ADRM1 WE). */
  readonly customer: string;
}

/** A carrier (forwarding agent): the vendor SAP names in the delivery (E1ADRM1 PARTNER_Q SP). */
export interface SimCarrier {
  /** The carrier's vendor number as SAP writes it (E1ADRM1 PARTNER_ID, 10 digits). */
  readonly partner: string;
  /** Its HU-loss rate; a lane's rate is this times the lane's factor. */
  readonly lossRate: number;
}

export interface SimLane {
  readonly from: string;
  readonly to: string;
  /** The carrier serving the lane (a SimCarrier's partner number). */
  readonly carrier: string;
  /**
   * Probability that one handling unit is lost on this lane (loose units: a third of it each):
   * the carrier's rate times the lane's own factor.
   */
  readonly lossRate: number;
  readonly medianTransitHours: number;
}

export interface SimNetwork {
  readonly dcs: readonly (SimSite & {
    readonly shortPickRate: number;
    readonly serialCapture: number;
    /** Per-delivery probability that SAP announces one unit more than serials assigned. */
    readonly quantityMismatchRate: number;
  })[];
  readonly stores: readonly (SimSite & { readonly misscanRate: number })[];
  readonly carriers: readonly SimCarrier[];
  readonly lanes: readonly SimLane[];
  readonly materials: readonly string[];
}

export type ScanMove =
  | { readonly kind: 'transfer-site'; readonly toSite: string }
  | { readonly kind: 'vendor-repair-out'; readonly vendor: string }
  | { readonly kind: 'vendor-repair-return'; readonly vendor: string }
  | { readonly kind: 'customer-return' }
  | { readonly kind: 'initial-stock' };

/** A handheld scan at a store other than a delivery receipt (items carry no position). */
export interface SimScan {
  readonly kind: 'scan';
  readonly at: Date;
  readonly scanId: string;
  readonly site: SimSite;
  readonly move: ScanMove;
  readonly items: readonly SimItem[];
}

export interface SimItem {
  readonly position: string;
  readonly material: string;
  readonly serials: readonly string[];
  /**
   * The quantity the message states for the item when it is not the number of serials: the
   * announcement of a delivery with a quantity mismatch (one unit more than serials assigned), or
   * a DC confirmation without serials that confirms the full quantity over a silent short pick.
   */
  readonly quantity?: number;
}
export interface SimHandlingUnit {
  readonly id: string;
  readonly contents: readonly { readonly position: string; readonly serials: readonly string[] }[];
}

export type SimEvent =
  | {
      readonly kind: 'announce';
      readonly at: Date;
      readonly delivery: string;
      readonly from: SimSite;
      readonly to: SimSite;
      /** The carrier's partner number SAP names on the delivery (E1ADRM1 PARTNER_Q SP). */
      readonly carrier: string;
      readonly plannedGoodsIssueAt: Date;
      readonly items: readonly SimItem[];
      readonly handlingUnits: readonly SimHandlingUnit[];
    }
  | {
      readonly kind: 'packed' | 'shipped';
      readonly at: Date;
      readonly delivery: string;
      readonly from: SimSite;
      /** What the DC confirms; serials only when its scanners captured them. */
      readonly items: readonly SimItem[];
      readonly handlingUnits: readonly SimHandlingUnit[];
      readonly withSerials: boolean;
    }
  | {
      readonly kind: 'receipt';
      readonly at: Date;
      readonly delivery: string;
      readonly scanId: string;
      readonly to: SimSite;
      readonly items: readonly SimItem[];
    }
  | SimScan;

export type LossLocation = 'dc-pick' | 'lane' | 'store';
export type LossCause = 'short-pick' | 'lane-loss' | 'mis-scan' | 'missed-read';
/** Causes of a partial receipt: the serial losses, and a quantity on the IDoc no serial stands for. */
export type PartialCause = LossCause | 'quantity-mismatch';

export interface DeliveryTruth {
  readonly delivery: string;
  readonly origin: string;
  readonly destination: string;
  /** The carrier that took the delivery (its partner number, as on the announcement). */
  readonly carrier: string;
  readonly goodsIssueAt: Date;
  /** Serials never received at all (the physical outcome). */
  readonly missing: readonly {
    readonly material: string;
    readonly serial: string;
    readonly location: LossLocation;
    readonly cause: LossCause;
  }[];
  /** Serials received only after the grace period (noise: complete, but late). */
  readonly late: readonly string[];
  /** Units announced without a serial (quantity mismatch): never shipped, never receivable. */
  readonly quantityShort: number;
  readonly causes: readonly PartialCause[];
  readonly promotionWeek: boolean;
  /**
   * Ex ante: the true probability, given this delivery's draws of the causes' rates and before
   * any cause was drawn, that it is partial by its due date. Not known to anything that reads
   * the ledgers.
   */
  readonly trueRisk: number;
  /**
   * The oracle at goods issue: the true rates plus what the gateway's messages show by the goods
   * issue (a quantity mismatch on the announcement; a short pick on confirmations that carry
   * serials). The best any score at goods issue can do — the bench's reference.
   */
  readonly oracleRisk: number;
}
