/**
 * The composition root's public entry, kept at its old path: the wiring lives in src/wiring/
 * (./wiring/app.ts builds everything from the config and closes it in reverse order).
 */
export {
  ALL_ROLES,
  buildApp,
  buildFastify,
  partnerContracts,
  type App,
  type AppWiring,
  type BuildAppOptions,
  type GatewayFactory,
  type Role,
  type RunningGateway,
  type RunningGateway as GatewayRuntime,
} from './wiring/app.js';
