/**
 * The port the delivery pipeline sends through: what it hands to a transport (bytes it has already
 * encoded — IDoc-XML, IDoc-SOAP, flat file, JSON; a transport never encodes an IDoc itself), what
 * a transport reports back, and how a failure is classified: every transport throws a
 * TransportError whose code (src/errors.ts) carries the transient/permanent verdict, and says
 * whether the receiver may have the message (`inDoubt`). The transports (src/transports/)
 * implement it; src/transports/types.ts adds the plug-in shape of a transport kind.
 */
import { IdocgateError, type ErrorCode, type Issue } from '../errors.js';
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

/**
 * What an IDoc is encoded as for a transport (src/pipeline/wire.ts `encodeIdoc`): IDoc-XML,
 * IDoc-SOAP (ARCKEY message id), a flat IDoc file (EDI_DC40 + EDI_DD40 records, for RFC), or the
 * model's canonical JSON. Each transport kind declares its own (TransportDefinition.wireFormat).
 */
export type WireFormat = 'xml' | 'soap-xml' | 'flat' | 'json';

export const WIRE_FORMATS: readonly WireFormat[] = ['xml', 'soap-xml', 'flat', 'json'];

/** The receiver's word on one message of a packet. */
export type PacketItemOutcome =
  | { readonly ok: true; readonly duplicate?: boolean; readonly remoteReference?: string }
  | { readonly ok: false; readonly error: TransportError };

/** A packet call that went through: the call's receipt and one outcome per delivery, in order. */
export interface PacketReceipt extends DeliveryReceipt {
  readonly items: readonly PacketItemOutcome[];
}

export interface Transport {
  readonly kind: string;
  /** What the pipeline encodes an IDoc as for this transport: its kind's definition says. */
  readonly wireFormat: WireFormat;
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
  /**
   * Several deliveries to one destination in one call, each with its own outcome (webhook: one
   * JSON array; docs/transports.md "Webhook packets"). Throws a TransportError, as `send` does,
   * when the call as a whole failed; otherwise `items` holds one outcome per delivery, in order.
   * Used when the route opts in (`partners.<name>.receives[].packSize` > 1).
   */
  sendPacket?(deliveries: readonly OutboundDelivery[], signal?: AbortSignal): Promise<PacketReceipt>;
  close?(): Promise<void>;
}

/** Milliseconds since the epoch; injected so tests and backoff do not depend on the real time. */
export interface Clock {
  now(): number;
}

export interface TransportErrorDetails {
  /** HTTP status when the receiver answered. */
  readonly status?: number;
  /** First characters of the response body (secrets removed). */
  readonly responseExcerpt?: string;
  /** How long the receiver asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  readonly issues?: readonly Issue[];
  readonly cause?: unknown;
  /**
   * The request went out in full and its answer was lost (timeout or reset after the body was
   * sent, a 5xx after the receiver read it): the receiver may have it. Absent: it was not sent
   * (refused, DNS, TLS, or an answer that says it was not taken).
   */
  readonly inDoubt?: boolean;
}

export class TransportError extends IdocgateError {
  readonly status?: number;
  readonly responseExcerpt?: string;
  readonly retryAfterMs?: number;
  readonly inDoubt?: boolean;

  constructor(code: ErrorCode, message: string, details: TransportErrorDetails = {}) {
    const options: { issues?: readonly Issue[]; cause?: unknown } = {};
    if (details.issues !== undefined) options.issues = details.issues;
    if (details.cause !== undefined) options.cause = details.cause;
    super(code, message, options);
    this.name = 'TransportError';
    if (details.status !== undefined) this.status = details.status;
    if (details.responseExcerpt !== undefined) this.responseExcerpt = details.responseExcerpt;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.inDoubt === true) this.inDoubt = true;
  }

  /** A plain object for logs and the delivery history (no cause chain, no secrets). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      verdict: this.verdict,
      message: this.message,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.responseExcerpt !== undefined ? { responseExcerpt: this.responseExcerpt } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.inDoubt === true ? { inDoubt: true } : {}),
    };
  }
}

export function isTransportError(e: unknown): e is TransportError {
  return e instanceof TransportError;
}
