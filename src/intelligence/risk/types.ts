/**
 * What the at-risk model reads about one goods-issued delivery: the ledger's facts as they stood
 * at its goods issue (announcement, packing, goods issue) plus its outcome (receipts by the due
 * date) for training and evaluation. Filled from the ledgers by src/store/analytics/intelligence-repo.ts.
 */
export interface DeliveryFacts {
  readonly delivery: string;
  readonly originSite: string;
  readonly destinationSite: string;
  /** The carrier (forwarding agent) the announcement named, null when none. */
  readonly carrier: string | null;
  /** Actual goods issue at the DC: the moment the score is for. */
  readonly goodsIssueAt: Date;
  /** Picking / packing confirmation (null: none seen). */
  readonly pickedAt: Date | null;
  /** Goods issue + the destination's grace period: the outcome is known from then on. */
  readonly dueAt: Date;
  readonly expectedQuantity: number;
  readonly lines: number;
  /**
   * Announced quantity on items with serials that no announced serial stands for (E1EDL24 LFIMG
   * above the item's serials): a quantity mismatch in the IDoc.
   */
  readonly unserializedQuantity: number;
  /** Serials on the announcement. */
  readonly serials: number;
  readonly handlingUnits: number;
  /** Announced serials not packed in a handling unit. */
  readonly looseSerials: number;
  /** Distinct serials on the DC's packing / goods-issue confirmations up to the goods issue. */
  readonly dcConfirmedSerials: number;
  /** Quantity received by the due date (the label: received by due < expected). */
  readonly receivedByDue: number;
  /** Handling units of which no serial was received by the due date (outcome, like the label). */
  readonly handlingUnitsMissingByDue: number;
}

export const isPartial = (f: DeliveryFacts): boolean => f.receivedByDue + 1e-9 < f.expectedQuantity;
