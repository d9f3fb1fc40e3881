/**
 * Builds the real app (Fastify + store on PGlite in memory + the local Redis) with the real
 * gateway (the pipeline's use cases, src/wiring/gateway.ts) over a recording work queue: what the
 * edges and the support API do reaches the real store and is queued, but no worker delivers it.
 * The config is written to a temp file and loaded as at start; log lines are captured in memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deleteKeys } from '../support/redis-keys.js';
import { stringify } from 'yaml';
import { buildApp, type App, type BuildAppOptions } from '../../src/app.js';
import { hashPassword, sha256Hex } from '../../src/api/credentials.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/wiring/logging.js';
import type { GatewayRuntime } from '../../src/pipeline/gateway.js';
import type { JobOutcome } from '../../src/pipeline/queue-port.js';
import { pipelineGateway } from '../../src/wiring/gateway.js';
import { recordingQueue, type RecordingQueue } from '../support/recording-queue.js';
import { seededDataDir } from '../support/pglite-template.js';

export const SECRETS = {
  wmsKey: 'igk_test-wms-key-0123456789abcdef',
  handheldKey: 'igk_test-handheld-key-fedcba9876543210',
  sapInboundPassword: 'sap-inbound-Pa55word!',
  operatorPassword: 'operator-Pa55word!',
  viewerPassword: 'viewer-Pa55word!',
} as const;

/** Cheap scrypt cost for tests (the CLI default is N=16384). */
const TEST_COST = { N: 1024, r: 8, p: 1 };

export async function testConfig(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    server: { bodyLimit: '256kb' },
    operators: {
      alice: { role: 'operator', passwordHash: await hashPassword(SECRETS.operatorPassword, TEST_COST) },
      victor: { role: 'viewer', passwordHash: await hashPassword(SECRETS.viewerPassword, TEST_COST) },
    },
    ports: {
      S4H: {
        transport: {
          kind: 'sap-xml-http',
          url: 'http://127.0.0.1:9/sap/bc/idoc_xml?sap-client=100',
          username: 'IDOCGATE',
          passwordEnv: 'SAP_OUT_PASSWORD',
        },
        inboundAuth: { username: 'SAPS4H', passwordEnv: 'SAP_IN_PASSWORD' },
        control: {
          MANDT: '100',
          RCVPOR: 'SAPS4H',
          RCVPRN: 'S4HCLNT100',
          SNDPOR: 'IDOCGATE',
          SNDPRN: 'IDOCGATE',
        },
      },
    },
    partners: {
      wms: {
        number: 'WMS01',
        credentials: { apiKeySha256: [sha256Hex(SECRETS.wmsKey)] },
        sends: [
          {
            messageType: 'WHSCON',
            contract: 'wms-confirmation',
            mapping: 'wms-confirmation-to-delvry07',
            port: 'S4H',
          },
        ],
        receives: [
          {
            messageType: 'DESADV',
            idocType: 'DELVRY07',
            mapping: 'delvry07-to-wms-delivery-order',
            transport: { kind: 'webhook', url: 'http://127.0.0.1:9/wms' },
          },
        ],
      },
      handheld: {
        number: 'HH01',
        credentials: { apiKeySha256: [sha256Hex(SECRETS.handheldKey)] },
        sends: [
          {
            messageType: 'MBGMCR',
            contract: 'handheld-goods-movement',
            mapping: 'handheld-to-mbgmcr03',
            port: 'S4H',
          },
        ],
      },
    },
    ...overrides,
  };
}

export interface LogCapture {
  readonly lines: string[];
  text(): string;
}

export function captureLogs(): { stream: Writable; capture: LogCapture } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, capture: { lines, text: () => lines.join('\n') } };
}

export interface TestApp {
  readonly app: App;
  /** What the real gateway queued (nothing is worked off unless a test calls work()). */
  readonly queue: RecordingQueue;
  /**
   * Works off the last job queued for a message once, as a destination worker would, as its last
   * attempt: a failed delivery (the test config's receivers do not listen) makes it a dead letter.
   */
  work(messageId: string): Promise<JobOutcome>;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

export async function startTestApp(
  config: Record<string, unknown>,
  extra: Partial<BuildAppOptions> = {},
): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'idocgate-api-'));
  const file = join(dir, 'config.yaml');
  await writeFile(file, stringify(config));
  const loaded = loadConfig({
    file,
    env: { SAP_OUT_PASSWORD: 'unused-out-password', SAP_IN_PASSWORD: SECRETS.sapInboundPassword },
  });
  const { stream, capture } = captureLogs();
  const queue = recordingQueue();
  let runtime: GatewayRuntime | undefined;
  const prefix = extra.prefix ?? `t-api-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const app = await buildApp({
    loaded,
    logger: createLogger({ destination: stream, level: 'debug' }),
    // PGlite from the migrated template (test/support/pglite-template.ts) unless extra names a store
    store: extra.store ?? { dataDir: await seededDataDir(join(dir, 'pglite')) },
    prefix,
    createGateway: async (w) => (runtime = pipelineGateway(w, queue)),
    ...extra,
  });
  return {
    app,
    queue,
    work(messageId) {
      const job = queue.jobsOf(messageId).at(-1);
      if (job === undefined) throw new Error(`nothing queued for ${messageId}`);
      return runtime!.processJob({ ...job.item, attemptsMade: 0, maxAttempts: 1 });
    },
    logs: capture,
    async close() {
      await app.close();
      // its own prefix: the prefix claim (and queues of a real gateway) go with it
      if (extra.prefix === undefined) await deleteKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
