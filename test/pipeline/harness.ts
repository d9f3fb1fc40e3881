/**
 * A whole pipeline on real parts for tests: PostgreSQL (a schema of its own; PGlite when no
 * PostgreSQL answers), Redis 127.0.0.1:6379 under a unique BullMQ prefix, a fake SAP and a fake
 * WMS webhook on real local HTTP servers, the built-in definitions and mappings.
 */
import { deletePrefixKeys } from '../../src/redis/prefix-keys.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { configSchema, type Config } from '../../src/config/schema.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import type { Idoc } from '../../src/idoc/model.js';
import { writeXml } from '../../src/idoc/xml-writer.js';
import { loadMappings } from '../../src/mapping/load.js';
import { cachedTransports, type PipelineDeps, type TransportProvider } from '../../src/pipeline/deps.js';
import { createGateway, type GatewayRuntime } from '../../src/pipeline/gateway.js';
import { RecordingMetrics } from '../../src/pipeline/metrics-port.js';
import type { WorkQueue } from '../../src/pipeline/queue-port.js';
import { idocFromJson } from '../../src/pipeline/wire.js';
import { startQueueEngine, type QueueEngine } from '../../src/queues/engine.js';
import { createWorkQueue, type BullWorkQueue } from '../../src/queues/producer.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { createTransport, findTransportKind } from '../../src/transports/registry.js';
import type { Transport } from '../../src/pipeline/transport-port.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { pgliteBackend, postgresBackend, POSTGRES_AVAILABLE, type Backend } from '../store/backends.js';

export const REDIS = { host: '127.0.0.1', port: 6379 };

export const definitions = loadDefinitions();
export const mappings = loadMappings(undefined, { definitions });

const FIXTURES = new URL('../../fixtures/mappings/', import.meta.url);

/** The DELVRY07 WHSORD sample for partner WMSEAST, with its own DOCNUM and delivery number. */
export function delvry07(docnum: string, delivery = '0080001234'): Idoc {
  const idoc = idocFromJson(
    readFileSync(
      new URL('delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json', FIXTURES),
      'utf8',
    ),
  );
  idoc.control.DOCNUM = docnum.padStart(16, '0');
  const header = idoc.segments[0]!;
  header.fields['VBELN'] = delivery;
  return idoc;
}

export function delvry07Xml(docnum: string, delivery?: string): string {
  return writeXml(delvry07(docnum, delivery));
}

export function handheldScan(scanId: string, delivery = '180000123'): string {
  const scan = JSON.parse(
    readFileSync(new URL('handheld-to-mbgmcr03/receipt-delivery-serials.input.json', FIXTURES), 'utf8'),
  ) as Record<string, unknown>;
  return JSON.stringify({ ...scan, scanId, movement: { kind: 'receipt-delivery', delivery } });
}

export interface HarnessOptions {
  readonly label: string;
  /** Retry policy of the partners (small backoffs keep tests fast). */
  readonly retry?: { attempts: number; backoff: number; maxBackoff: number; jitter: number };
  readonly wmsOrderingKey?: string;
  /** The WMS route's webhook packets (`receives[].packSize`) and another receiver URL for it. */
  readonly wmsPackSize?: number;
  readonly wmsUrl?: string;
  readonly statusToSap?: 'none' | 'SYSTAT01' | 'ALEAUD01';
  /** Wrap the transports (e.g. a transport that never answers, for a killed worker). */
  readonly transports?: (inner: TransportProvider) => TransportProvider;
  /**
   * SAP reports back with its ALE audit: port `sap` expects it, and the fake SAP hands each
   * ALEAUD01 to the gateway's ingest as SAP's port would post it.
   */
  readonly feedback?: boolean;
}

export interface Harness {
  readonly config: Readonly<Config>;
  readonly store: OpenedStore;
  readonly sap: FakeSap;
  readonly wms: FakeWebhook;
  readonly queue: BullWorkQueue;
  readonly runtime: GatewayRuntime;
  readonly metrics: RecordingMetrics;
  readonly prefix: string;
  readonly deps: PipelineDeps;
  engine: QueueEngine | undefined;
  startWorkers(options?: { lockDurationMs?: number; stalledIntervalMs?: number }): Promise<QueueEngine>;
  /** A second gateway process on the same store and Redis. */
  secondRuntime(transports?: (inner: TransportProvider) => TransportProvider): GatewayRuntime;
  /** Deletes every Redis key of this harness's prefix (SCAN + DEL), like a Redis that lost its data. */
  wipeRedis(): Promise<number>;
  close(): Promise<void>;
}

export function chooseBackend(label: string): Backend {
  return POSTGRES_AVAILABLE ? postgresBackend(label) : pgliteBackend(label);
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const sap = await startFakeSap();
  const wms = await startFakeWebhook();
  const backend = chooseBackend(options.label);
  const store = await backend.open();
  const retry = options.retry ?? { attempts: 3, backoff: 20, maxBackoff: 200, jitter: 0 };
  const config = configSchema.parse({
    timeZone: 'America/New_York',
    ports: {
      sap: {
        transport: {
          kind: 'sap-xml-http',
          url: sap.url,
          username: sap.username,
          passwordEnv: 'FAKE_SAP_PASSWORD',
        },
        control: {
          MANDT: '100',
          SNDPOR: 'IDOCGATE',
          SNDPRT: 'LS',
          SNDPRN: 'IDOCGATE',
          RCVPOR: 'SAPPRD',
          RCVPRT: 'LS',
          RCVPRN: 'PRDCLNT100',
        },
        ...(options.feedback === true ? { feedback: { expect: 'ALEAUD', confirmWithin: '10m' } } : {}),
      },
    },
    partners: {
      wms: {
        number: 'WMSEAST',
        type: 'LS',
        receives: [
          {
            messageType: 'WHSORD',
            idocType: 'DELVRY07',
            mapping: 'delvry07-to-wms-delivery-order',
            transport: { kind: 'webhook', url: options.wmsUrl ?? wms.url },
            ...(options.wmsOrderingKey !== undefined ? { orderingKey: options.wmsOrderingKey } : {}),
            ...(options.wmsPackSize !== undefined ? { packSize: options.wmsPackSize } : {}),
            statusToSap: options.statusToSap ?? 'none',
          },
        ],
        retry,
        concurrency: 4,
      },
      handheld: {
        number: 'HANDHELDS',
        type: 'LS',
        sends: [
          {
            messageType: 'MBGMCR',
            contract: 'handheld-goods-movement',
            mapping: 'handheld-to-mbgmcr03',
            port: 'sap',
          },
        ],
        retry,
      },
    },
  });
  const clock = { now: () => Date.now() };
  const secrets = new Map([['FAKE_SAP_PASSWORD', sap.password]]);
  const makeTransports = (): TransportProvider => {
    const inner = cachedTransports((kind, opts) =>
      createTransport(kind, opts, { clock, resolveSecret: (name) => secrets.get(name) }),
    );
    return options.transports ? options.transports(inner) : inner;
  };
  const prefix = `igt-${options.label}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const queue = createWorkQueue({ connection: REDIS, prefix, config });
  await waitReady(queue.client);
  const metrics = new RecordingMetrics();
  const baseDeps = (q: WorkQueue, transports: TransportProvider): PipelineDeps => ({
    config,
    store,
    queue: q,
    definitions,
    mappings,
    transports,
    clock,
    newId: randomUUID,
    random: () => 0.5,
    sleep: () => Promise.resolve(),
    logger: silent,
    metrics,
  });
  const deps = baseDeps(queue, makeTransports());
  const runtime = createGateway(deps);
  if (options.feedback === true) {
    sap.setAudit({
      send: async (xml) => {
        await runtime.ingest({
          channel: 'sap-xml-http',
          principal: { kind: 'port', name: 'sap' },
          body: xml,
        });
        return 200;
      },
    });
  }
  const extra: { close(): Promise<void> }[] = [];
  const h: Harness = {
    config,
    store,
    sap,
    wms,
    queue,
    runtime,
    metrics,
    prefix,
    deps,
    engine: undefined,
    async startWorkers(tuning = {}) {
      const engine = await startQueueEngine({
        connection: REDIS,
        prefix,
        config,
        runtime,
        roles: { workers: true, scheduler: false },
        random: () => 0.5,
        ...tuning,
      });
      h.engine = engine;
      return engine;
    },
    secondRuntime(wrap) {
      const inner = cachedTransports((kind, opts) =>
        createTransport(kind, opts, { clock, resolveSecret: (name) => secrets.get(name) }),
      );
      const rt = createGateway(baseDeps(queue, wrap ? wrap(inner) : inner));
      extra.push(rt);
      return rt;
    },
    async wipeRedis() {
      const r = new Redis(REDIS);
      try {
        return await deletePrefixKeys(r, prefix);
      } finally {
        r.disconnect();
      }
    },
    async close() {
      await h.engine?.close().catch(() => undefined);
      await runtime.close().catch(() => undefined);
      for (const e of extra) await e.close().catch(() => undefined);
      await h.wipeRedis().catch(() => undefined);
      await queue.close();
      await store.close();
      await backend.cleanup();
      await sap.close();
      await wms.close();
    },
  };
  return h;
}

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

async function waitReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('end', () => reject(new Error('Redis connection ended')));
  });
}

/**
 * "Process 1" of a killed-worker test: a queue engine (workers only) whose transport of `kind`
 * never answers, as a process that hangs mid-send and is then killed (close it with force).
 */
export async function startHangingWorker(
  h: Harness,
  kind: string,
  tuning: { readonly lockDurationMs: number; readonly stalledIntervalMs: number },
): Promise<QueueEngine> {
  const wireFormat = findTransportKind(kind)?.wireFormat ?? 'xml';
  const hanging: Transport = { kind, wireFormat, send: () => new Promise(() => undefined) };
  const zombie = h.secondRuntime(() => ({
    get: () => Promise.resolve(hanging),
    close: () => Promise.resolve(),
  }));
  return startQueueEngine({
    connection: REDIS,
    prefix: h.prefix,
    config: h.config,
    runtime: zombie,
    roles: { workers: true, scheduler: false },
    ...tuning,
  });
}
