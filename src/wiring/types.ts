/** What the composition root passes between its parts: roles, the built parts, the gateway factory. */
import type { PromMetrics } from '../api/metrics.js';
import type { LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { PinoLogger } from './logging.js';
import type { MappingRegistry } from '../mapping/load.js';
import type { Gateway } from '../pipeline/gateway-port.js';
import type { RedisHandle } from '../redis/connect.js';
import type { OpenedStore } from '../store/open-store.js';

export type Role = 'api' | 'worker' | 'scheduler';
export const ALL_ROLES: readonly Role[] = ['api', 'worker', 'scheduler'];

/**
 * The running gateway as the app holds it: the Gateway port the edges call, plus close() for
 * whatever it started (queues, workers, schedulers). Not the pipeline's own GatewayRuntime
 * (src/pipeline/gateway.ts), which adds what the queue workers call.
 */
export interface RunningGateway extends Gateway {
  close(): Promise<void>;
}

/** Everything a gateway is built from. */
export interface AppWiring {
  readonly loaded: LoadedConfig;
  readonly config: Readonly<Config>;
  readonly roles: readonly Role[];
  readonly store: OpenedStore;
  readonly redis: RedisHandle;
  /** BullMQ key prefix (config `redis.prefix`, tests use their own). */
  readonly prefix: string;
  readonly definitions: DefinitionRegistry;
  readonly mappings: MappingRegistry;
  readonly logger: PinoLogger;
  readonly metrics: PromMetrics;
  readonly now: () => number;
}

export type GatewayFactory = (wiring: AppWiring) => Promise<RunningGateway>;
