/**
 * End-to-end set-up: the real app (real gateway, BullMQ on the local Redis with a prefix of its
 * own, PGlite or PostgreSQL with a schema of its own) listening on 127.0.0.1:0, a fake SAP and a
 * fake WMS webhook on real local HTTP servers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededDataDir } from '../support/pglite-template.js';
import { deleteKeys } from '../support/redis-keys.js';
import { stringify } from 'yaml';
import { buildApp, type App } from '../../src/app.js';
import { hashPassword, sha256Hex } from '../../src/api/credentials.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/wiring/logging.js';
import type { StoreOptions } from '../../src/store/open-store.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { captureLogs, type LogCapture } from '../api/helpers.js';

export const KEYS = { wms: 'igk_e2e-wms-key-0001', handheld: 'igk_e2e-handheld-key-0002' } as const;
export const SAP_IN = { username: 'SAPS4H', password: 'e2e-sap-inbound-pw' } as const;
export const OPERATOR = { username: 'ops', password: 'e2e-operator-pw' } as const;

export function uniquePrefix(label: string): string {
  return `t-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The gateway config of the end-to-end tests (small backoffs so retries are quick). */
export async function e2eConfig(sap: FakeSap, wms: FakeWebhook, extra: { prefix: string; dataDir?: string }) {
  return {
    server: { host: '127.0.0.1', port: 0, bodyLimit: '1mb' },
    redis: { prefix: extra.prefix, autoStart: false },
    ...(extra.dataDir ? { database: { dataDir: extra.dataDir } } : {}),
    operators: {
      [OPERATOR.username]: {
        role: 'operator',
        passwordHash: await hashPassword(OPERATOR.password, { N: 1024, r: 8, p: 1 }),
      },
    },
    ports: {
      S4H: {
        transport: {
          kind: 'sap-xml-http',
          url: sap.url,
          username: sap.username,
          passwordEnv: 'E2E_SAP_PASSWORD',
        },
        inboundAuth: { username: SAP_IN.username, passwordEnv: 'E2E_SAP_IN_PASSWORD' },
        control: {
          MANDT: '100',
          SNDPOR: 'IDOCGATE',
          SNDPRT: 'LS',
          SNDPRN: 'IDOCGATE',
          RCVPOR: 'SAPS4H',
          RCVPRT: 'LS',
          RCVPRN: 'S4HCLNT100',
        },
      },
    },
    partners: {
      wms: {
        number: 'WMSEAST',
        credentials: { apiKeySha256: [sha256Hex(KEYS.wms)] },
        receives: [
          {
            messageType: 'WHSORD',
            idocType: 'DELVRY07',
            mapping: 'delvry07-to-wms-delivery-order',
            transport: { kind: 'webhook', url: wms.url },
          },
        ],
        retry: { attempts: 3, backoff: 50, maxBackoff: 200, jitter: 0 },
      },
      handheld: {
        number: 'HANDHELD',
        credentials: { apiKeySha256: [sha256Hex(KEYS.handheld)] },
        sends: [
          {
            messageType: 'MBGMCR',
            contract: 'handheld-goods-movement',
            mapping: 'handheld-to-mbgmcr03',
            port: 'S4H',
          },
        ],
        retry: { attempts: 3, backoff: 50, maxBackoff: 200, jitter: 0 },
      },
    },
  };
}

export const E2E_ENV = (sap: FakeSap): Record<string, string> => ({
  E2E_SAP_PASSWORD: sap.password,
  E2E_SAP_IN_PASSWORD: SAP_IN.password,
});

export interface E2E {
  readonly app: App;
  readonly url: string;
  readonly sap: FakeSap;
  readonly wms: FakeWebhook;
  readonly logs: LogCapture;
  readonly prefix: string;
  close(): Promise<void>;
}

export type E2EConfig = Awaited<ReturnType<typeof e2eConfig>>;

/**
 * The gateway of an end-to-end test; its store is PGlite in the test's temp directory, started
 * from the migrated template (test/support/pglite-template.ts), unless `store` names another.
 */
export async function startE2E(
  label: string,
  store?: Partial<StoreOptions>,
  options: {
    /** Changes the config before the gateway starts (e.g. a port's SAP feedback). */
    readonly configure?: (config: E2EConfig) => void;
    readonly recoveryEveryMs?: number;
    /** More secrets the config names by env variable (passwordEnv). */
    readonly envExtra?: Readonly<Record<string, string>>;
  } = {},
): Promise<E2E> {
  const sap = await startFakeSap();
  const wms = await startFakeWebhook();
  const prefix = uniquePrefix(label);
  const dir = await mkdtemp(join(tmpdir(), `idocgate-e2e-${label}-`));
  const file = join(dir, 'config.yaml');
  const config = await e2eConfig(sap, wms, { prefix });
  store ??= { dataDir: await seededDataDir(join(dir, 'pglite')) };
  options.configure?.(config);
  await writeFile(file, stringify(config));
  const loaded = loadConfig({ file, env: { ...E2E_ENV(sap), ...options.envExtra } });
  const { stream, capture } = captureLogs();
  const app = await buildApp({
    loaded,
    logger: createLogger({ destination: stream, level: 'info' }),
    store,
    tuning: { recoveryEveryMs: options.recoveryEveryMs ?? 500 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url,
    sap,
    wms,
    logs: capture,
    prefix,
    async close() {
      await app.close();
      await sap.close();
      await wms.close();
      await deleteKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { deleteKeys };

/** Waits until `condition` holds (polling a real outcome, not sleeping for a fixed time). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
