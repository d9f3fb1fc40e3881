/**
 * The contract between the edges (HTTP routes, file port, CLI) and the use cases (ingest, replay,
 * cancel, bulk replay). Pure types: the edges code against these, src/pipeline implements them.
 */
import type { CheckedPayload } from '../contracts/registry.js';
import type { IdocgateError, Issue } from '../errors.js';
import type { MessageQuery, MessageRecord, PayloadFormat } from './store-port.js';

/** Who is posting, established by the edge's authentication. */
export type Principal =
  | { readonly kind: 'port'; readonly name: string } // an SAP system (WE21 port) posting IDocs
  | { readonly kind: 'partner'; readonly name: string } // a partner profile (WE20) posting JSON or IDocs
  | { readonly kind: 'operator'; readonly name: string; readonly role: 'viewer' | 'operator' };

export type IngestChannel =
  'sap-xml-http' | 'sap-soap' | 'flat-upload' | 'idoc-xml-upload' | 'partner-json' | 'file';

export interface IngestRequest {
  readonly channel: IngestChannel;
  readonly principal: Principal;
  /** The body exactly as received. */
  readonly body: string | Uint8Array;
  readonly contentType?: string;
  /** For partner JSON: the contract named by the route (e.g. `handheld-scan`, `wms-confirmation`). */
  readonly contract?: string;
  /**
   * For partner JSON: the body as the caller already parsed and checked it against `contract`
   * (checkPayload). The use case then neither parses nor checks the body again.
   */
  readonly checked?: CheckedPayload;
  /** The `Idempotency-Key` header. */
  readonly idempotencyKey?: string;
}

export interface IngestedMessage {
  readonly id: string;
  readonly status: MessageRecord['status'];
  readonly duplicate: boolean;
  readonly docnum: string | null;
  readonly messageType: string | null;
}

export interface IngestResult {
  /** One entry per IDoc (a flat file or XML document may carry several) or per JSON message. */
  readonly messages: readonly IngestedMessage[];
  /** Warnings found while reading (errors are thrown instead). */
  readonly warnings: readonly Issue[];
}

export interface ReplayOptions {
  readonly actor: string;
  readonly reason: string;
  /** A corrected payload: stored as a new `edited` version, then processed instead of the original. */
  readonly edited?: { readonly format: PayloadFormat; readonly content: string };
}

export interface BulkReplayRequest {
  readonly query: MessageQuery;
  readonly actor: string;
  readonly reason: string;
  /** Messages per second (default 20). */
  readonly ratePerSecond?: number;
  readonly dryRun?: boolean;
}

export interface BulkJobStatus {
  readonly id: string;
  readonly state: 'running' | 'paused' | 'cancelled' | 'done';
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly startedAt: Date;
  readonly actor: string;
}

export interface Gateway {
  /**
   * Parses the input once, checks sender and message types against the partner profile, stores
   * every message durably and queues it. Throws IdocgateError (4xx) with nothing stored when the
   * input is rejected; answers only after the store has committed.
   */
  ingest(request: IngestRequest): Promise<IngestResult>;
  replay(id: string, options: ReplayOptions): Promise<MessageRecord>;
  cancel(id: string, options: { readonly actor: string; readonly reason: string }): Promise<MessageRecord>;
  /** Marks an in-doubt or unconfirmed message as posted (checked in SAP by a person). */
  confirmPosted(
    id: string,
    options: { readonly actor: string; readonly reason: string; readonly document?: string },
  ): Promise<MessageRecord>;
  /**
   * Replays (or with `dryRun` counts) what `query` matches; `query` in the answer is the query as
   * run (statuses limited to replayable ones, dead when none was given), the same for both.
   */
  bulkReplay(request: BulkReplayRequest): Promise<BulkReplayResult>;
  bulkJob(id: string): BulkJobStatus | undefined;
  controlBulkJob(id: string, action: 'pause' | 'resume' | 'cancel', actor: string): BulkJobStatus | undefined;
}

export interface BulkReplayResult {
  readonly count: number;
  readonly query: MessageQuery;
  readonly job?: BulkJobStatus;
}

export type { IdocgateError };
