/**
 * The contract between the delivery pipeline and a transport. A transport moves bytes that the
 * pipeline has already encoded (IDoc-XML, IDoc-SOAP, flat file, JSON): it never encodes an IDoc
 * itself. Failures are thrown as TransportError with a transient/permanent verdict.
 */
import type { z } from 'zod';
import type { ControlFieldName } from '../idoc/model.js';

/** What the pipeline hands to a transport for one delivery attempt. */
export interface OutboundDelivery {
  /** The encoded message. Strings are sent as UTF-8. */
  readonly body: string | Uint8Array;
  /** Media type of `body`, e.g. `application/xml`, `application/json`. Transports may override it. */
  readonly contentType: string;
  /** Gateway message id; stable across retries of the same message. */
  readonly messageId: string;
  /** Key the receiver uses to drop duplicates; defaults to `messageId` where a transport sends one. */
  readonly idempotencyKey?: string;
  /** IDoc number (EDI_DC40-DOCNUM) when the message is an IDoc. */
  readonly docnum?: string;
  /** EDI_DC40-ARCKEY as encoded in the body (IDoc-SOAP: `urn:sap.com:msgid=<32 hex>`). */
  readonly arckey?: string;
  /** Partner profile name the message goes to (for logs and file names). */
  readonly partner?: string;
  /** Control-record values the transport may use for naming (file pattern) or RFC framing. */
  readonly control?: Readonly<Partial<Record<ControlFieldName, string>>>;
  /** Extra request headers (HTTP transports); never secrets from config, those come from options. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a successful delivery reports back; stored in the delivery history. */
export interface DeliveryReceipt {
  /** HTTP status, when the transport speaks HTTP. */
  readonly status?: number;
  /** Something the receiver or transport names the delivery by (file path, TID, response header). */
  readonly remoteReference?: string;
  /** First characters of the response body, secrets removed. */
  readonly responseExcerpt?: string;
  /** Wall time of the attempt in milliseconds, measured with the injected clock. */
  readonly durationMs: number;
  /** True when the receiver reported that it already had the message (idempotent success). */
  readonly duplicate?: boolean;
}

export interface Transport {
  readonly kind: string;
  /**
   * The receiver drops a message it already has (IDoc-SOAP by the ARCKEY message id, RFC by the
   * TID): an attempt whose answer was lost may simply be sent again. Absent or false: a lost
   * answer leaves the message in doubt (docs/sap-feedback.md).
   */
  readonly receiverDropsDuplicates?: boolean;
  /**
   * The receiver takes several IDocs of one type in one request (SAP's XML-HTTP port reads every
   * <IDOC> of a document): a port's `packSize` may then send packets.
   */
  readonly acceptsPackets?: boolean;
  send(delivery: OutboundDelivery, signal?: AbortSignal): Promise<DeliveryReceipt>;
  close?(): Promise<void>;
}

/** Milliseconds since the epoch; injected so tests and backoff do not depend on the real time. */
export interface Clock {
  now(): number;
}

/** The part of a pino-like logger transports use. Never given secrets. */
export interface TransportLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
}

export interface TransportDeps {
  readonly clock: Clock;
  readonly logger?: TransportLogger;
  /**
   * Resolves a secret referenced by environment-variable name (`passwordEnv: SAP_PASSWORD`).
   * Config loading normally resolves them already; this is the fallback for unresolved names.
   */
  readonly resolveSecret?: (envName: string) => string | undefined;
  /** Loads an optional module by name (the RFC transport's `node-rfc`); tests inject one. */
  readonly importModule?: (name: string) => Promise<unknown>;
}

/** One transport kind: a file exports one of these and registry.ts lists it. */
export interface TransportDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly description: string;
  readonly optionsSchema: Schema;
  create(options: z.output<Schema>, deps: TransportDeps): Transport | Promise<Transport>;
}
