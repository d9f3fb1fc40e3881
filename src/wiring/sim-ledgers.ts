/**
 * The delivery and serial ledgers for a simulated network, on an open store: the site directory,
 * ship-to map and ledger sites the simulator's messages need, and a catch-up that applies
 * everything stored. Used by the gateway test, the direct (bench) path and `idocgate simulate`.
 */
import { ledgerConfigSchema, type LedgerConfig, type LedgerConfigInput } from '../config/ledger.js';
import { configSchema, type Config } from '../config/schema.js';
import { defaultSweeperConfig, type SweeperConfig } from '../config/sweeper.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { startSerialLedger, type SerialLedgerRuntime } from './serial-ledger.js';
import type { LookupTable } from '../mapping/types.js';
import { silentLogger } from '../logger.js';
import type { OpenedStore } from '../store/open-store.js';
import { startPushback, type PushbackRuntime } from './pushback.js';
import { networkConfig, sitesTableRows } from '../intelligence/simulator/payloads.js';
import type { SimNetwork } from '../intelligence/simulator/simulate.js';

export function simSweeperConfig(network: SimNetwork, port = 'sap', batchSize = 200): SweeperConfig {
  return defaultSweeperConfig({
    enabled: true,
    catchUp: { batchSize },
    port,
    gracePeriod: '48h',
    holdStorageLocation: 'HOLD',
    shipTo: networkConfig(network).shipTo,
  });
}

export function simLedgerConfig(
  network: SimNetwork,
  batchSize = 200,
  rules: LedgerConfigInput['rules'] = {},
): LedgerConfig {
  return ledgerConfigSchema.parse({ sites: networkConfig(network).ledgerSites, batchSize, rules });
}

/** The mapping tables with `sites` replaced by the simulated network's sites. */
export function simTables(
  network: SimNetwork,
  tables: ReadonlyMap<string, LookupTable>,
): Map<string, LookupTable> {
  const out = new Map(tables);
  out.set('sites', {
    name: 'sites',
    columns: ['site', 'plant', 'storageLocation', 'businessUnit', 'name'],
    rows: sitesTableRows(network),
  });
  return out;
}

/** A minimal gateway config (one SAP port, UTC) for the ledgers outside a running gateway. */
export function simBaseConfig(): Config {
  return configSchema.parse({
    timeZone: 'UTC',
    ports: {
      sap: {
        transport: { kind: 'sap-xml-http', url: 'http://127.0.0.1:9/sap', username: 'x', passwordEnv: 'X' },
        control: { RCVPRN: 'PRDCLNT100' },
      },
    },
  });
}

export interface SimLedgers {
  readonly pushback: PushbackRuntime;
  readonly serials: SerialLedgerRuntime;
  /** Both ledgers apply everything stored. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

export async function openSimLedgers(options: {
  readonly store: OpenedStore;
  readonly network: SimNetwork;
  readonly definitions: DefinitionRegistry;
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly config?: Readonly<Config>;
  /** Messages per catch-up transaction (the bench uses large batches). */
  readonly batchSize?: number;
  /** The ledgers' clock (sweeps and the sweeper run at this time); the wall clock by default. */
  readonly now?: () => number;
  /** The serial ledger's rule settings (`ledger.rules`), default: every default. */
  readonly rules?: LedgerConfigInput['rules'];
}): Promise<SimLedgers> {
  const config = options.config ?? simBaseConfig();
  const pushback = await startPushback({
    config,
    sweeper: simSweeperConfig(options.network, 'sap', options.batchSize),
    store: options.store,
    definitions: options.definitions,
    tables: options.tables,
    poster: { post: () => Promise.reject(new Error('the simulation does not post')) },
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const serials = await startSerialLedger({
    ledger: simLedgerConfig(options.network, options.batchSize, options.rules),
    timeZone: config.timeZone,
    definitions: options.definitions,
    db: options.store.db,
    tables: options.tables,
    logger: silentLogger,
    now: options.now ?? Date.now,
    redis: { options: { host: '127.0.0.1', port: 6379 } },
    prefix: 'sim',
    scheduler: false,
  });
  return {
    pushback,
    serials,
    async catchUp() {
      for (let i = 0; i < 100_000; i++) {
        const r = await pushback.catchUp();
        if (r.applied + r.ignored + r.unreadable === 0) break;
      }
      for (let i = 0; i < 100_000; i++) {
        const r = (await serials.catchUp()) as { readonly messages?: number };
        if ((r.messages ?? 0) === 0) break;
      }
    },
    async close() {
      await pushback.close();
      await serials.close();
    },
  };
}
