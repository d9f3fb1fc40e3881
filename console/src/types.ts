/** Shapes of the gateway API answers the console reads (see /docs for the full OpenAPI). */

// The status vocabulary and party shape are the server's own (a pure module without imports).
import { type MessageStatus, type PartyRef } from '../../src/pipeline/store-port';
import { MESSAGE_STATUSES } from '../../src/pipeline/lifecycle';
export type { PartyRef };

export const STATUSES = MESSAGE_STATUSES;
export type Status = MessageStatus;
export type Role = 'viewer' | 'operator';

export interface StatusMeta {
  readonly status: Status;
  readonly meaning: string;
  readonly finished: boolean;
  readonly sap: { readonly in: string; readonly out: string };
}

export interface MessageRecord {
  readonly id: string;
  readonly receiptSeq: number;
  readonly direction: 'in' | 'out';
  readonly partner: string | null;
  readonly channel: string | null;
  readonly idocType: string | null;
  readonly extension: string | null;
  readonly messageType: string | null;
  readonly docnum: string | null;
  readonly arckey: string | null;
  readonly sender: PartyRef | null;
  readonly receiver: PartyRef | null;
  readonly status: Status;
  readonly sapStatus: string | null;
  readonly statusText: string | null;
  readonly orderingKey: string | null;
  readonly idempotencyKey: string | null;
  readonly attempts: number;
  readonly lastError: { readonly code: string; readonly text: string } | null;
  readonly nextAttemptAt: string | null;
  readonly correlation: { readonly messageId: string; readonly kind: string } | null;
  /** What SAP reported: its inbound IDoc number and the posted document. */
  readonly sapDocnum: string | null;
  readonly sapDocument: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A search hit: also the DOCNUM the gateway gave the IDoc it made of a partner JSON message. */
export interface SearchItem extends MessageRecord {
  readonly sentDocnum: string | null;
}

export interface SearchPage {
  readonly items: readonly SearchItem[];
  readonly nextCursor: string | null;
  readonly countsByStatus?: Readonly<Partial<Record<Status, number>>>;
}

export interface HistoryEntry {
  readonly id: number;
  readonly from: Status | null;
  readonly to: Status;
  readonly sapStatus: string | null;
  readonly text: string | null;
  readonly by: string;
  readonly at: string;
}

export interface Attempt {
  readonly id: number;
  readonly attemptNo: number;
  readonly transport: string;
  readonly outcome: 'ok' | 'error';
  readonly durationMs: number;
  readonly errorCode: string | null;
  readonly errorText: string | null;
  readonly at: string;
}

export interface VersionInfo {
  readonly version: number;
  readonly kind: 'raw' | 'parsed' | 'mapped' | 'edited';
  readonly format: 'flat' | 'xml' | 'soap' | 'json' | 'text' | 'binary';
  readonly contentType: string | null;
  readonly size: number;
  readonly createdBy: string;
  readonly note: string | null;
  readonly createdAt: string;
  readonly href: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly reason: string | null;
  readonly messageId: string | null;
  readonly query: unknown;
  readonly details: unknown;
}

export interface MessageDetail {
  readonly message: MessageRecord;
  readonly timeline: readonly HistoryEntry[];
  readonly versions: readonly VersionInfo[];
  readonly attempts: readonly Attempt[];
  readonly searchKeys: readonly { readonly kind: string; readonly value: string }[];
  readonly audit: readonly AuditEntry[];
}

export interface FieldDef {
  readonly name: string;
  readonly description: string | null;
  readonly dataType: string;
  readonly length: number;
}

export interface SegmentDef {
  readonly type: string;
  readonly parent: string | null;
  readonly description: string | null;
  readonly min: number;
  readonly max: number | null;
  readonly level: number;
  /** Child segment types in the definition's order. */
  readonly children: readonly string[];
  readonly fields: readonly FieldDef[];
}

export interface IdocDefinitionView {
  readonly basicType: string;
  readonly extension: string | null;
  readonly description: string | null;
  readonly topLevel: readonly string[];
  readonly segments: readonly SegmentDef[];
}

export interface CanonicalSegment {
  type: string;
  fields: Record<string, string>;
  children: CanonicalSegment[];
  sdata?: string;
}

export interface CanonicalIdoc {
  control: Record<string, string>;
  segments: CanonicalSegment[];
}

export interface TransportView {
  readonly kind: string;
  readonly target: string | null;
}

export interface PartnerView {
  readonly name: string;
  readonly number: string;
  readonly type: string;
  readonly description: string | null;
  readonly apiKeys: number;
  readonly basicAuth: boolean;
  readonly concurrency: number;
  readonly retry: { readonly attempts: number; readonly backoff: number; readonly maxBackoff: number };
  readonly sends: readonly {
    readonly messageType: string;
    readonly contract: string;
    readonly mapping: string | null;
    readonly port: string;
  }[];
  readonly receives: readonly {
    readonly messageType: string;
    readonly idocType: string | null;
    readonly mapping: string | null;
    readonly transport: TransportView;
    readonly statusToSap: string;
  }[];
}

export interface PortView {
  readonly name: string;
  readonly description: string | null;
  readonly transport: TransportView;
  readonly inboundAuth: boolean;
  readonly control: Readonly<Record<string, string>>;
}

export interface Meta {
  readonly operator: { readonly name: string; readonly role: Role };
  readonly statuses: readonly StatusMeta[];
  readonly partners: readonly PartnerView[];
  readonly ports: readonly PortView[];
  readonly idocTypes: readonly { readonly basicType: string; readonly extension: string | null }[];
}

export interface OverviewPoint {
  readonly at: string;
  readonly received: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly dead: number;
  readonly latencyP50: number | null;
  readonly latencyP95: number | null;
}

export interface Overview {
  readonly from: string;
  readonly to: string;
  readonly bucket: string;
  readonly series: readonly OverviewPoint[];
  readonly countsByStatus: Readonly<Partial<Record<Status, number>>>;
  readonly queues: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly deadLetters: number;
}

export interface DeadLetterGroup {
  /** dead, sap-error, in-doubt or unconfirmed */
  readonly status: Status;
  /** The gateway's error code, or SAP's message (SAP/<class>/<number>). */
  readonly errorCode: string | null;
  /** The newest error text of the group (SAP's message text for SAP errors). */
  readonly sampleText: string | null;
  readonly count: number;
  readonly oldest: string;
  readonly newest: string;
  readonly sampleIds: readonly string[];
}

export interface BlockedKey {
  readonly orderingKey: string;
  readonly head: MessageRecord;
  readonly waiting: number;
}

export interface BulkJob {
  readonly id: string;
  readonly state: 'running' | 'paused' | 'cancelled' | 'done';
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly startedAt: string;
  readonly actor: string;
}

export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly issues?: readonly { readonly code: string; readonly message: string; readonly path?: string }[];
}
