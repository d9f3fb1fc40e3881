/**
 * The DeliveryLedgerStore port: what the delivery ledger catch-up, the pushback sweeper and the
 * support API need from the database. Pure types; the PostgreSQL/PGlite adapter is
 * src/store/deliveries/*.ts.
 */
import type { CanonicalIdoc } from '../../idoc/codec-json.js';
import type { MessageRecord } from '../../pipeline/store-port.js';
import type { DeliveryStatus } from './status.js';
import type {
  ExpectedDelivery,
  Milestone,
  ReceiptLine,
  RecordedReceipt,
  StoredState,
  ViewState,
} from './types.js';

/** A message the catch-up has not applied yet. */
export type PendingMessage = Pick<
  MessageRecord,
  'id' | 'direction' | 'messageType' | 'idocType' | 'status' | 'idempotencyKey' | 'createdAt'
>;

export interface PendingQuery {
  /** Message types applied as soon as they are stored (announcements from SAP). */
  readonly onReceipt: readonly string[];
  /** Message types applied once delivered (receipts going to SAP). */
  readonly onDelivery: readonly string[];
  readonly limit: number;
}

/** The gateway's own postings (idempotency keys with this prefix) are never read as receipts. */
export const OWN_POSTING_PREFIX = 'pushback:';

/** One posting of a pushback, fixed when the pushback is decided. */
export interface PushbackStep {
  readonly name: string;
  readonly kind: 'receipt' | 'transfer' | 'transfer-in' | 'loss';
  /** `pushback:<delivery>:<name>`: the message store keeps one message per key. */
  readonly idempotencyKey: string;
  readonly orderingKey: string;
  readonly idoc: CanonicalIdoc;
  /** Set once the message exists in the store. */
  readonly messageId: string | null;
}

export interface DiscrepancyItem {
  readonly position: string;
  readonly material: string;
  readonly unit: string;
  readonly expected: number;
  readonly received: number;
  readonly missing: number;
  readonly missingSerials: readonly string[];
}

export interface Discrepancy {
  readonly id: number;
  readonly delivery: string;
  readonly originSite: string;
  readonly destinationSite: string;
  readonly missingQuantity: number;
  readonly missingSerials: number;
  readonly items: readonly DiscrepancyItem[];
  /**
   * How the shortfall was settled: `transfer-back` (received into hold, sent back to the origin),
   * `loss` (received and written off), `freight-claim` (nothing posted), `custom` (explicit postings).
   */
  readonly resolution: 'transfer-back' | 'loss' | 'freight-claim' | 'custom';
  readonly createdAt: Date;
}

export interface PushbackRecord {
  readonly delivery: string;
  readonly runId: string;
  readonly decidedAt: Date;
  readonly completedAt: Date | null;
  readonly steps: readonly PushbackStep[];
}

/** A delivery with everything the ledger knows about it. */
export interface DeliveryRecord {
  readonly expected: ExpectedDelivery;
  readonly state: StoredState;
  readonly dueAt: Date;
  readonly messageId: string | null;
  readonly messageType: string | null;
  readonly receipts: readonly RecordedReceipt[];
  readonly pushback: PushbackRecord | null;
  readonly discrepancy: Discrepancy | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Optimistic concurrency token: a decision is only taken on the version it was computed from. */
  readonly version: number;
}

/** A row of the delivery list (aggregates only). */
export interface DeliverySummary {
  readonly delivery: string;
  readonly state: StoredState;
  readonly view: ViewState;
  readonly originSite: string;
  readonly destinationSite: string;
  /** Actual goods issue (null: not goods-issued yet, never due). */
  readonly goodsIssueAt: Date | null;
  readonly plannedGoodsIssueAt: Date | null;
  readonly dueAt: Date;
  readonly expected: number;
  readonly received: number;
  readonly outstanding: number;
  readonly overReceived: boolean;
  readonly unexpectedSerials: number;
  readonly lateReceipts: number;
  readonly updatedAt: Date;
}

export interface DeliveryListQuery {
  readonly view?: ViewState;
  readonly destinationSite?: string;
  readonly originSite?: string;
  readonly now: Date;
  readonly limit: number;
  /** Continue after this delivery key (keyset pagination by delivery number). */
  readonly after?: string;
}

export interface SiteMetrics {
  readonly site: string;
  readonly overdue: number;
  readonly overdueQuantity: number;
  readonly pushedBack: number;
  readonly pushedBackQuantity: number;
}

export interface DecideInput {
  readonly delivery: string;
  /** The version the decision was computed from; nothing happens when the row changed since. */
  readonly basedOnVersion: number;
  readonly runId: string;
  readonly now: Date;
  readonly status: DeliveryStatus;
  /** null: nothing outstanding (close the delivery instead of pushing back). */
  readonly pushback: {
    readonly steps: readonly PushbackStep[];
    readonly discrepancy: Omit<Discrepancy, 'id' | 'createdAt'>;
  } | null;
}

export interface SweeperRunRecord {
  readonly id: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: string | null;
  readonly scanned: number;
  readonly pushedBack: number;
  readonly postings: number;
  readonly closed: number;
  readonly error: string | null;
}

/**
 * When a delivery to a site is due, counted from an instant (goods issue + the site's grace
 * period); NEVER_DUE for null (no goods issue yet) or a site the sweeper is off for.
 */
export type DueFn = (destinationSite: string, from: Date | null) => Date;

/** A delivery the sweeper skips because no goods issue is known, though its planned one is long past. */
export interface AwaitingGoodsIssue {
  readonly delivery: string;
  readonly state: StoredState;
  readonly destinationSite: string;
  readonly plannedGoodsIssueAt: Date | null;
  readonly plannedDueAt: Date;
}

export interface DeliveryLedgerStore {
  // --- catch-up ------------------------------------------------------------------------------
  pendingMessages(query: PendingQuery): Promise<PendingMessage[]>;
  /**
   * Records the deliveries announced by messages and marks each applied, in one transaction
   * (messages already applied are skipped; in message order). The due time is computed from the
   * delivery's actual goods issue (announced, or confirmed before).
   */
  applyExpected(
    messages: readonly {
      readonly messageId: string;
      readonly messageType: string | null;
      readonly deliveries: readonly ExpectedDelivery[];
    }[],
    dueAt: DueFn,
    now: Date,
  ): Promise<void>;
  /**
   * Records picking / goods-issue confirmations of messages (kept for deliveries not announced
   * yet), moves the known deliveries on (goods issue: due time from then) and marks each message
   * applied, in one transaction; messages already applied are skipped.
   */
  applyMilestones(
    messages: readonly { readonly messageId: string; readonly milestones: readonly Milestone[] }[],
    dueAt: DueFn,
    now: Date,
  ): Promise<void>;
  /**
   * Records the receipt lines of messages (late when pushed back) and marks each applied, in one
   * transaction; messages already applied are skipped.
   */
  applyReceipts(
    messages: readonly { readonly messageId: string; readonly lines: readonly ReceiptLine[] }[],
    now: Date,
  ): Promise<void>;
  /** Marks messages applied that change nothing in the ledger (ignored, unreadable...). */
  markApplied(
    marks: readonly { messageId: string; outcome: string; note: string | null }[],
    now: Date,
  ): Promise<void>;

  // --- sweeper -------------------------------------------------------------------------------
  acquireLease(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** The value a setting was derived with (e.g. a fingerprint of the grace periods). */
  setting(name: string): Promise<string | null>;
  /**
   * Recomputes due_at (actual goods issue + grace) and planned_due_at of deliveries not received
   * yet with the given grace per site, then saves the setting.
   */
  realignDue(
    graceBySite: ReadonlyMap<string, number | null>,
    defaultGraceMs: number | null,
    setting: { readonly name: string; readonly value: string },
  ): Promise<number>;
  /** Waiting (open/partial) deliveries due at `now`, oldest due first, after `after`. */
  dueDeliveries(
    now: Date,
    limit: number,
    after?: { readonly dueAt: Date; readonly delivery: string },
  ): Promise<{ delivery: string; dueAt: Date }[]>;
  /**
   * Waiting deliveries without a goods issue whose planned goods issue + grace has passed, oldest
   * first: never pushed back, listed so the sweeper can say why.
   */
  awaitingGoodsIssue(now: Date, limit: number): Promise<AwaitingGoodsIssue[]>;
  /** Deliveries left in pushing-back by an interrupted run. */
  unfinishedPushbacks(limit: number): Promise<string[]>;
  getDelivery(delivery: string): Promise<DeliveryRecord | undefined>;
  /** Takes the decision atomically (CAS on version and a waiting state); false when it lost. */
  decide(input: DecideInput): Promise<boolean>;
  /** Notes the messages the steps became (step name -> message id) and marks the delivery pushed back. */
  completePushback(delivery: string, messageIds: Readonly<Record<string, string>>, now: Date): Promise<void>;
  startRun(id: string, now: Date): Promise<void>;
  finishRun(
    id: string,
    now: Date,
    result: Omit<SweeperRunRecord, 'id' | 'startedAt' | 'finishedAt'>,
  ): Promise<void>;
  lastRuns(limit: number): Promise<SweeperRunRecord[]>;

  // --- visibility ----------------------------------------------------------------------------
  listDeliveries(query: DeliveryListQuery): Promise<DeliverySummary[]>;
  countByView(now: Date, destinationSite?: string): Promise<Record<ViewState, number>>;
  listDiscrepancies(query: {
    readonly destinationSite?: string;
    readonly limit: number;
    readonly beforeId?: number;
  }): Promise<Discrepancy[]>;
  siteMetrics(now: Date): Promise<SiteMetrics[]>;
}
