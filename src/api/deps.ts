/** What the route plugins get from the wiring (src/app.ts). Types only. */
import type { Config } from '../config/schema.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { Gateway } from '../pipeline/gateway-port.js';
import type { Store } from '../pipeline/store-port.js';
import type { Authenticator } from './auth.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ApiDeps {
  readonly config: Readonly<Config>;
  readonly gateway: Gateway;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly definitions: DefinitionRegistry;
  /** Redis and database checks for /readyz. */
  readonly readiness: readonly ReadinessCheck[];
}
