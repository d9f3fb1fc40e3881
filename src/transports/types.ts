/**
 * A transport kind as a plug-in: its options schema and how it is created (registry.ts lists the
 * kinds). What a transport does for the pipeline — the Transport port, its deliveries, receipts
 * and failures — is declared by the pipeline (src/pipeline/transport-port.ts) and re-exported here.
 */
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Clock, Transport, WireFormat } from '../pipeline/transport-port.js';

export type {
  Clock,
  DeliveryReceipt,
  OutboundDelivery,
  Transport,
  WireFormat,
} from '../pipeline/transport-port.js';

export interface TransportDeps {
  readonly clock: Clock;
  /** The one logger type (src/logger.ts). Never given secrets. */
  readonly logger?: Logger;
  /**
   * Resolves a secret referenced by environment-variable name (`passwordEnv: SAP_PASSWORD`).
   * Config loading normally resolves them already; this is the fallback for unresolved names.
   */
  readonly resolveSecret?: (envName: string) => string | undefined;
  /** Loads an optional module by name (the RFC transport's `node-rfc`); tests inject one. */
  readonly importModule?: (name: string) => Promise<unknown>;
}

/** A transport as its kind creates it; createTransport adds the definition's wire format. */
export type CreatedTransport = Omit<Transport, 'wireFormat'>;

/** One transport kind: a file exports one of these and registry.ts lists it. */
export interface TransportDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly description: string;
  /** What the pipeline encodes an IDoc as for this kind (the one place that decides it). */
  readonly wireFormat: WireFormat;
  readonly optionsSchema: Schema;
  create(options: z.output<Schema>, deps: TransportDeps): CreatedTransport | Promise<CreatedTransport>;
}
