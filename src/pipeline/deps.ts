/**
 * What the use cases are built from. Everything with a side effect is injected: the store, the
 * work queue, transports, the clock, id generation, logging, metrics, sleeping.
 */
import type { Config } from '../config/schema.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { MappingRegistry } from '../mapping/load.js';
import type { Clock, Transport } from './transport-port.js';
import type { PipelineMetrics } from './metrics-port.js';
import type { WorkQueue } from './queue-port.js';
import type { DeliverStore, ReceiveStore, Store, SupportStore } from './store-port.js';

// The one Clock type, declared with the transport port (transports take it too).
export type { Clock } from './transport-port.js';

/** The part of a pino logger the pipeline uses. Never given secrets or payloads. */
export interface PipelineLogger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): PipelineLogger;
}

export const silentLogger: PipelineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** A transport block of the config (`{ kind, ...options }`). */
export interface TransportRef {
  readonly kind: string;
  readonly [option: string]: unknown;
}

/**
 * Hands out transports by a stable key (`partner:<name>:receives:<i>`, `port:<name>`), creating
 * each once. The wiring passes `createTransport` from src/transports/registry.ts.
 */
export interface TransportProvider {
  get(key: string, ref: TransportRef): Promise<Transport>;
  close(): Promise<void>;
}

/**
 * `S` is the store role(s) the use case uses (src/pipeline/store-port.ts); the gateway, which
 * builds every use case, holds the whole `Store`.
 */
export interface PipelineDeps<S = Store> {
  readonly config: Readonly<Config>;
  readonly store: S;
  readonly queue: WorkQueue;
  readonly definitions: DefinitionRegistry;
  readonly mappings: MappingRegistry;
  readonly transports: TransportProvider;
  readonly clock: Clock;
  /** New opaque ids (bulk jobs). */
  readonly newId: () => string;
  /** A number in [0, 1) for backoff jitter. */
  readonly random: () => number;
  /** Waits (bulk replay throttling); tests inject one that does not sleep. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly logger: PipelineLogger;
  readonly metrics: PipelineMetrics;
}

/** Ingest, and the gateway's own IDocs (status to SAP, sweeper postings). */
export type ReceiveDeps = PipelineDeps<ReceiveStore>;
/** The worker and its background jobs. */
export type DeliverDeps = PipelineDeps<DeliverStore>;
/** The worker when it also emits IDocs of its own (status to SAP after the outcome). */
export type DeliverEmitDeps = PipelineDeps<DeliverStore & ReceiveStore>;
/** Operators: replay, cancel, bulk replay. */
export type SupportDeps = PipelineDeps<SupportStore>;
/** Operators' actions that send SAP a status IDoc (cancel, confirm posted). */
export type SupportEmitDeps = PipelineDeps<SupportStore & ReceiveStore>;

/** Caches transports built by `create` (e.g. the registry's createTransport with its deps). */
export function cachedTransports(
  create: (kind: string, options: unknown) => Promise<Transport>,
): TransportProvider {
  const cache = new Map<string, Promise<Transport>>();
  return {
    get(key, ref) {
      let t = cache.get(key);
      if (t === undefined) {
        t = create(ref.kind, ref);
        cache.set(key, t);
        t.catch(() => cache.delete(key));
      }
      return t;
    },
    async close() {
      const all = [...cache.values()];
      cache.clear();
      for (const t of all) {
        const transport = await t.catch(() => undefined);
        await transport?.close?.().catch(() => undefined);
      }
    },
  };
}

/** A sleep that honours an abort signal. */
export function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
