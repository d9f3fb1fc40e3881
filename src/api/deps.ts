/** What the route plugins get from the wiring (src/app.ts). Types only. */
import type { Config } from '../config/schema.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { Gateway } from '../pipeline/gateway-port.js';
import type { SupportStore } from '../pipeline/store-port.js';
import type { Authenticator } from './auth.js';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ApiDeps {
  readonly config: Readonly<Config>;
  readonly gateway: Gateway;
  /** The support role (search, timeline, audit, dead letters): routes read here, changes go through the gateway. */
  readonly store: SupportStore;
  readonly auth: Authenticator;
  readonly definitions: DefinitionRegistry;
  /** Redis and database checks for /readyz. */
  readonly readiness: readonly ReadinessCheck[];
}
