/**
 * The Store port: what use cases (inbound, outbound, replay, recovery, sweeper) need from the
 * durable message record. Pure types and constants; the PostgreSQL/PGlite adapter lives in
 * src/store. Directions are the gateway's: `in` = received by the gateway (an IDoc from SAP, a
 * scan from a handheld), `out` = sent by the gateway (e.g. an MBGMCR03 built from a scan).
 */

import type { Direction, MessageStatus, ReleaseOn } from './lifecycle.js';

export type { Direction, MessageStatus, ReleaseOn } from './lifecycle.js';

export type PayloadKind = 'raw' | 'parsed' | 'mapped' | 'edited';
export type PayloadFormat = 'flat' | 'xml' | 'soap' | 'json' | 'text' | 'binary';

/** Well-known search key kinds; any other lowercase word is allowed too. */
export type SearchKeyKind =
  'delivery' | 'po' | 'material' | 'plant' | 'serial' | 'hu' | 'batch' | 'customer' | (string & {});

export interface SearchKey {
  readonly kind: SearchKeyKind;
  readonly value: string;
}

/** A logical partner address from the control record (SNDPRT/SNDPRN/SNDPOR or RCV...). */
export interface PartyRef {
  readonly prt: string;
  readonly prn: string;
  readonly por?: string;
}

export type CorrelationKind = 'produced-by' | 'status-of' | 'replay-of' | (string & {});

export interface Correlation {
  readonly messageId: string;
  readonly kind: CorrelationKind;
}

export interface PayloadInput {
  readonly format: PayloadFormat;
  /** Text as received (decoded), or bytes when the input was not decodable text. */
  readonly content: string | Uint8Array;
  readonly contentType?: string;
}

export interface ReceiveInput {
  readonly direction: Direction;
  /** Configured partner name (WE20 profile), when known. */
  readonly partner?: string;
  /** Edge or port it came in by / goes out by (`http`, `file:inbox`, a port name...). */
  readonly channel?: string;
  readonly idocType?: string;
  readonly extension?: string;
  readonly messageType?: string;
  /** DOCNUM; all-digit values are zero-padded to 16 digits before storing and comparing. */
  readonly docnum?: string;
  readonly arckey?: string;
  readonly sender?: PartyRef;
  readonly receiver?: PartyRef;
  /** Messages with the same key are delivered in order of receipt (qRFC/EOIO-like). */
  readonly orderingKey?: string;
  /** When this message lets the next one of its ordering key go (default `delivered`). */
  readonly releaseOn?: ReleaseOn;
  /** Sender-chosen key; unique per partner (scope `partner`, or `''` without a partner). */
  readonly idempotencyKey?: string;
  readonly correlation?: Correlation;
  readonly raw: PayloadInput;
  /**
   * A parsed model as JSON text, stored as its own version. Only for what cannot be derived from
   * `raw`: the gateway's edges store none (the IDoc model of IDoc-XML, SOAP, flat and canonical
   * JSON is read from the raw when needed — prepare, ledgers, the support API's `?as=json`), so
   * a receipt writes one payload copy. Older rows may hold one; every reader still takes it.
   */
  readonly parsed?: PayloadInput;
  readonly searchKeys?: readonly SearchKey[];
  /** Extra text for the free-text index (e.g. selected payload values). */
  readonly text?: string;
  /** Who stored it: `edge:http`, `edge:file`, `pipeline:outbound`, an operator name... */
  readonly by: string;
  readonly statusText?: string;
  /**
   * Store it as `queued` with this enqueue token in the same transaction (history: received,
   * then queued), so the caller adds the queue job right after the commit without a second
   * transaction. Ignored when the message has an ordering key (admission decides: head or
   * blocked) and for duplicates. A store may ignore it: the result's status tells.
   */
  readonly queueToken?: string;
}

export interface MessageRecord {
  readonly id: string;
  /** Global receipt order; within an ordering key this is the delivery order. */
  readonly receiptSeq: number;
  readonly direction: Direction;
  readonly partner: string | null;
  readonly channel: string | null;
  readonly idocType: string | null;
  readonly extension: string | null;
  readonly messageType: string | null;
  readonly docnum: string | null;
  readonly arckey: string | null;
  readonly sender: PartyRef | null;
  readonly receiver: PartyRef | null;
  readonly status: MessageStatus;
  readonly sapStatus: string | null;
  readonly statusText: string | null;
  readonly orderingKey: string | null;
  /** When this message lets the next one of its ordering key go. */
  readonly releaseOn: ReleaseOn;
  readonly idempotencyKey: string | null;
  readonly attempts: number;
  readonly lastError: { readonly code: string; readonly text: string } | null;
  readonly nextAttemptAt: Date | null;
  readonly queuedAt: Date | null;
  readonly enqueueToken: string | null;
  readonly correlation: Correlation | null;
  /** SAP's own inbound IDoc number, as SAP reported it (ALEAUD/STATUS feedback). */
  readonly sapDocnum: string | null;
  /** The application document SAP posted (e.g. material document and year), when reported. */
  readonly sapDocument: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type DuplicateReason = 'idempotency-key' | 'docnum' | 'arckey';

export type ReceiveResult =
  | { readonly duplicate: false; readonly message: MessageRecord }
  | { readonly duplicate: true; readonly duplicateOf: DuplicateReason; readonly message: MessageRecord };

export interface VersionRecord {
  readonly id: number;
  readonly messageId: string;
  /** 1, 2, 3... per message, in order of creation. */
  readonly version: number;
  readonly kind: PayloadKind;
  readonly format: PayloadFormat;
  readonly content: string | Uint8Array;
  readonly contentType: string | null;
  readonly createdBy: string;
  readonly note: string | null;
  readonly createdAt: Date;
}

export interface AuditInput {
  readonly actor: string;
  /** `replay`, `edit`, `cancel`, `bulk-replay`, `purge`... */
  readonly action: string;
  readonly reason?: string;
  readonly messageId?: string;
  /** The query of a bulk action, as given. */
  readonly query?: unknown;
  readonly details?: unknown;
}

export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly reason: string | null;
  readonly messageId: string | null;
  readonly query: unknown;
  readonly details: unknown;
}

export interface AddVersionInput {
  readonly kind: PayloadKind;
  readonly format: PayloadFormat;
  readonly content: string | Uint8Array;
  readonly contentType?: string;
  readonly createdBy: string;
  readonly note?: string;
  /** Written in the same transaction (who edited what and why). */
  readonly audit?: Omit<AuditInput, 'messageId'>;
  /** Business keys found in this version, added in the same transaction (as addSearchKeys). */
  readonly searchKeys?: { readonly keys: readonly SearchKey[]; readonly text?: string };
}

export interface TransitionOptions {
  readonly by: string;
  /** Compare-and-set: the transition happens only when the current status is one of these. */
  readonly expectFrom?: MessageStatus | readonly MessageStatus[];
  /** Defaults to the SAP code of the new status in the message's direction. */
  readonly sapStatus?: string;
  readonly text?: string;
  /** Sets (or with `null` clears) the last error. Delivered and cancelled clear it by default. */
  readonly error?: { readonly code: string; readonly text: string } | null;
  readonly nextAttemptAt?: Date | null;
  /** What SAP reported about the IDoc (kept on the message; absent fields keep their value). */
  readonly sapReport?: { readonly docnum?: string; readonly document?: string };
  /** Sets (or with `null` clears) the time by which SAP should report posting (`unconfirmed` after it). */
  readonly confirmBy?: Date | null;
}

export interface StatusHistoryRecord {
  readonly id: number;
  readonly messageId: string;
  readonly from: MessageStatus | null;
  readonly to: MessageStatus;
  readonly sapStatus: string | null;
  readonly text: string | null;
  readonly by: string;
  readonly at: Date;
}

export interface AttemptInput {
  readonly transport: string;
  readonly outcome: 'ok' | 'error';
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly text: string };
}

export interface AttemptRecord {
  readonly id: number;
  readonly messageId: string;
  /** 1, 2, 3... per message. */
  readonly attemptNo: number;
  readonly transport: string;
  readonly outcome: 'ok' | 'error';
  readonly durationMs: number;
  readonly errorCode: string | null;
  readonly errorText: string | null;
  readonly at: Date;
}

export interface MessageQuery {
  readonly statuses?: readonly MessageStatus[];
  readonly partner?: string;
  readonly direction?: Direction;
  readonly idocType?: string;
  readonly messageType?: string;
  readonly docnum?: string;
  readonly orderingKey?: string;
  readonly errorCode?: string;
  /** A business key; without `kind` any kind matches. */
  readonly key?: { readonly kind?: SearchKeyKind; readonly value: string };
  /** Shorthand for `key: { kind: 'serial', value }`. */
  readonly serial?: string;
  /** Inclusive lower bound on the time of receipt. */
  readonly createdFrom?: Date;
  /** Exclusive upper bound on the time of receipt. */
  readonly createdTo?: Date;
  /** Words that must all occur in the indexed text (keys, DOCNUM, partner, payload extracts). */
  readonly text?: string;
}

export interface SearchOptions {
  /** Page size, 1..500 (default 50). */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Count per status (all filters except `statuses`). Default true. */
  readonly withCounts?: boolean;
}

/** A search hit: the message, and the DOCNUM the gateway gave the IDoc it made of it, if any. */
export interface SearchItem extends MessageRecord {
  /**
   * For partner JSON the gateway mapped to an IDoc (a handheld scan's MBGMCR03): the DOCNUM it
   * sent (the newest, after an edited replay). Null otherwise: an IDoc's own DOCNUM is `docnum`.
   */
  readonly sentDocnum: string | null;
}

export interface SearchPage {
  /** Newest first (by receipt order). */
  readonly items: readonly SearchItem[];
  readonly nextCursor: string | null;
  /** Per status, for the query without its status filter (present unless withCounts: false). */
  readonly countsByStatus?: Readonly<Record<MessageStatus, number>>;
}

/** A message the gateway sent to SAP, found by one of its DOCNUMs. */
export interface SentIdoc {
  readonly message: MessageRecord;
  /** The newest DOCNUM it went under (a corrected replay is sent under a new one). */
  readonly latestDocnum: string;
}

export interface BlockedKey {
  readonly orderingKey: string;
  /** The failing or dead message at the head of the key. */
  readonly head: MessageRecord;
  /** How many unfinished messages of the key wait behind the head. */
  readonly waiting: number;
}

/** Stuck messages (dead letters, SAP errors, in doubt, unconfirmed) of one status and error code. */
export interface DeadLetterGroup {
  readonly status: MessageStatus;
  /** The gateway's error code, or SAP's message (`SAP/<class>/<number>`) for an SAP error. */
  readonly errorCode: string | null;
  /** The newest error text of the group (e.g. SAP's message text). */
  readonly sampleText: string | null;
  readonly count: number;
  readonly oldest: Date;
  readonly newest: Date;
  /** Up to `sampleSize` message ids, oldest first. */
  readonly sampleIds: readonly string[];
}

export interface DeadLetterFilter {
  /** Default: every stuck status (lifecycle.ts STUCK_STATUSES). */
  readonly statuses?: readonly MessageStatus[];
  readonly partner?: string;
  readonly direction?: Direction;
  readonly sampleSize?: number;
}

export interface AuditFilter {
  readonly messageId?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly limit?: number;
  /** Return entries with an id lower than this (keyset pagination, newest first). */
  readonly beforeId?: number;
}

export type BucketSize = 'minute' | 'hour' | 'day';

export interface OverviewRange {
  readonly from: Date;
  readonly to: Date;
  readonly bucket: BucketSize;
}

/** One time bucket of the console's overview. */
export interface OverviewPoint {
  /** Start of the bucket (ISO 8601). */
  readonly at: string;
  readonly received: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly dead: number;
  /** Seconds from receipt to delivery of the messages delivered in this bucket; null without any. */
  readonly latencyP50: number | null;
  readonly latencyP95: number | null;
}

export interface StuckFilter {
  /** Last change before this instant. */
  readonly olderThan: Date;
  /** Default: queued and processing. */
  readonly statuses?: readonly MessageStatus[];
  readonly limit?: number;
}

export interface PurgeOptions {
  /** Also purge dead letters (default false: they wait for a human decision). */
  readonly includeDead?: boolean;
  /** Rows per delete statement (default 500). */
  readonly batchSize?: number;
}

/*
 * The store by role. Each use case names the role(s) it uses in its deps type
 * (`PipelineDeps<DeliverStore>`, src/pipeline/deps.ts); the adapter (src/store/open-store.ts) is
 * one object implementing them all (`Store`). A method several roles use is in each of them.
 */

/**
 * Queue admission (src/pipeline/enqueue.ts, ordering.ts): what every role that puts a message on
 * the work queue, or lets the next one of its ordering key go, needs.
 */
export interface AdmissionStore {
  get(id: string): Promise<MessageRecord | undefined>;
  /** Compare-and-set status change with history; false when the current status is not expected. */
  transition(id: string, to: MessageStatus, options: TransitionOptions): Promise<boolean>;
  /** The oldest unfinished message of an ordering key: the only one that may be delivered. */
  headOfKey(orderingKey: string): Promise<MessageRecord | undefined>;
  /**
   * Records that a queue job exists (status `queued`, token, time). Allowed from received,
   * queued (re-queue), failed and blocked; false otherwise.
   */
  markQueued(id: string, token: string, by?: string): Promise<boolean>;
}

/**
 * Receive: storing what arrives at an edge (src/pipeline/ingest.ts), and the IDocs the gateway
 * emits itself, which it stores as messages of its own (status to SAP, the sweeper's postings).
 */
export interface ReceiveStore extends AdmissionStore {
  /** Stores a received message durably, or returns the original of a duplicate. */
  receive(input: ReceiveInput): Promise<ReceiveResult>;
  /** Finds a message by partner idempotency key. */
  getByIdempotencyKey(scope: string, key: string): Promise<MessageRecord | undefined>;
  versions(id: string): Promise<VersionRecord[]>;
  addVersion(id: string, input: AddVersionInput): Promise<VersionRecord>;
  appendAudit(input: AuditInput): Promise<AuditRecord>;
  /** A new 16-digit zero-padded DOCNUM, unique and increasing across processes. */
  nextIdocNumber(): Promise<string>;
}

/**
 * Deliver: the worker (src/pipeline/process.ts, packet.ts, prepare.ts, sap-feedback.ts) and its
 * background jobs (recovery.ts: unqueued, stuck and unconfirmed messages, retention).
 */
export interface DeliverStore extends AdmissionStore {
  versions(id: string): Promise<VersionRecord[]>;
  addVersion(id: string, input: AddVersionInput): Promise<VersionRecord>;
  /** Adds business keys found later (e.g. after mapping); also extends the free-text index. */
  addSearchKeys(id: string, keys: readonly SearchKey[], text?: string): Promise<void>;
  appendAudit(input: AuditInput): Promise<AuditRecord>;
  /** A new 16-digit zero-padded DOCNUM, unique and increasing across processes. */
  nextIdocNumber(): Promise<string>;
  /**
   * The job's fast claim: moves a message without ordering key from one of `from` to
   * `processing` when it still carries the job's enqueue token, in one round trip, and returns
   * it as claimed. Undefined when any of that does not hold (nothing changed): the caller then
   * reads the message and decides (stale job, ordering key, gone...).
   */
  claimUnordered(
    id: string,
    token: string,
    from: readonly MessageStatus[],
    options: Omit<TransitionOptions, 'expectFrom'>,
  ): Promise<MessageRecord | undefined>;
  /**
   * Claims up to `limit` more `queued` messages without ordering key of the same partner and
   * channel (oldest first, skipping rows other workers hold) as `processing`: the rest of a packet
   * of IDocs sent to SAP in one request.
   */
  claimPacket(
    filter: {
      readonly partner: string | null;
      readonly channel: string | null;
      readonly exclude: string;
      readonly limit: number;
    },
    options: Omit<TransitionOptions, 'expectFrom'>,
  ): Promise<MessageRecord[]>;
  recordAttempt(id: string, input: AttemptInput): Promise<AttemptRecord>;
  /**
   * Records an attempt and the status it leads to in one go (same semantics as recordAttempt +
   * transition). Returns whether the transition happened (compare-and-set).
   */
  finishAttempt(
    id: string,
    attempt: AttemptInput,
    to: MessageStatus,
    options: TransitionOptions,
  ): Promise<boolean>;
  /**
   * The messages the gateway sent to SAP under these DOCNUMs (its own generated IDoc number: the
   * message's DOCNUM for gateway postings, the `docnum` key of a mapped partner message).
   */
  findSentByDocnum(docnums: readonly string[]): Promise<Map<string, SentIdoc>>;
  /** Messages still `received` (never queued) that arrived before `olderThan`. */
  findUnqueued(olderThan: Date, limit?: number): Promise<MessageRecord[]>;
  /** Messages in queued/processing whose last change is older than `olderThan` (job may be gone). */
  findStuck(filter: StuckFilter): Promise<MessageRecord[]>;
  /** Delivered messages whose confirm-by time has passed without SAP's word (oldest first). */
  findUnconfirmed(now: Date, limit?: number): Promise<MessageRecord[]>;
  /** Deletes finished messages last changed before `before`, with all their children. */
  purgeOlderThan(before: Date, options?: PurgeOptions): Promise<{ messages: number }>;
}

/**
 * Support: what operators see and do (src/pipeline/replay.ts, bulk-replay.ts, stuck.ts, the
 * support and console routes of src/api): search, the timeline, audit, dead letters, replay.
 */
export interface SupportStore extends AdmissionStore {
  versions(id: string): Promise<VersionRecord[]>;
  addVersion(id: string, input: AddVersionInput): Promise<VersionRecord>;
  searchKeys(id: string): Promise<SearchKey[]>;
  history(id: string): Promise<StatusHistoryRecord[]>;
  attempts(id: string): Promise<AttemptRecord[]>;
  search(query: MessageQuery, options?: SearchOptions): Promise<SearchPage>;
  /** How many messages a bulk action on this query would touch (dry run). */
  countByQuery(query: MessageQuery): Promise<number>;
  appendAudit(input: AuditInput): Promise<AuditRecord>;
  audit(filter?: AuditFilter): Promise<AuditRecord[]>;
  /** Keys whose head is failed or dead, with how many messages wait behind it. */
  blockedKeys(limit?: number): Promise<BlockedKey[]>;
  deadLetters(filter?: DeadLetterFilter): Promise<DeadLetterGroup[]>;
  /**
   * Per time bucket from `from` (floored) up to `to`: received, delivered, failed attempts, dead
   * letters, delivery latency (median, 95th percentile); empty buckets included.
   */
  overviewSeries(range: OverviewRange): Promise<OverviewPoint[]>;
}

/** Ledger feed: what the ledgers read of the stored messages, off the delivery path (src/ledger). */
export interface LedgerFeedStore {
  /** The versions of several messages in one query (ids without versions are absent). */
  versionsOf(ids: readonly string[]): Promise<Map<string, VersionRecord[]>>;
}

/** The whole store: every role, one object (the composition root holds it; use cases see roles). */
export interface Store extends ReceiveStore, DeliverStore, SupportStore, LedgerFeedStore {
  close(): Promise<void>;
}
