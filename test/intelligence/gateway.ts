/**
 * The simulator against the real gateway: a PGlite store, BullMQ on the local Redis (prefix of
 * its own), a fake SAP and a fake WMS webhook; SAP's WHSORD enters through the SAP edge
 * (`sap-xml-http` ingest of IDoc-XML), the DC's WMS confirmations and the store handhelds' scans
 * through the partner edge (`partner-json` ingest); workers map and deliver them; the delivery and
 * serial ledgers catch up from the stored messages as in the running gateway.
 */
import { deletePrefixKeys } from '../../src/redis/prefix-keys.js';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect, vi } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { writeXml } from '../../src/idoc/xml-writer.js';
import type { GatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { SIM_WMS_PARTNER } from '../../src/intelligence/simulator/payloads.js';
import type { SimNetwork } from '../../src/intelligence/simulator/simulate.js';
import { startSerialLedger, type SerialLedgerRuntime } from '../../src/wiring/serial-ledger.js';
import { cachedTransports } from '../../src/pipeline/deps.js';
import { createGateway, type GatewayRuntime } from '../../src/pipeline/gateway.js';
import { RecordingMetrics } from '../../src/pipeline/metrics-port.js';
import { startQueueEngine, type QueueEngine } from '../../src/queues/engine.js';
import { createWorkQueue } from '../../src/queues/producer.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { startPushback, type PushbackRuntime } from '../../src/wiring/pushback.js';
import { simLedgerConfig, simSweeperConfig } from '../../src/wiring/sim-ledgers.js';
import { createTransport } from '../../src/transports/registry.js';
import { definitions, mappings, REDIS } from '../pipeline/harness.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { pgliteBackend } from '../store/backends.js';

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

export interface SimGateway {
  readonly config: Readonly<Config>;
  readonly store: OpenedStore;
  readonly runtime: GatewayRuntime;
  readonly pushback: PushbackRuntime;
  readonly serialLedger: SerialLedgerRuntime;
  readonly sap: FakeSap;
  /** Ingests the messages through the edges (a few at a time) and waits until all are delivered. */
  drive(messages: readonly GatewayMessage[]): Promise<void>;
  /** Both ledgers catch up until nothing is left. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimGateway(network: SimNetwork, label: string): Promise<SimGateway> {
  const sap = await startFakeSap();
  const wms: FakeWebhook = await startFakeWebhook();
  const backend = pgliteBackend(label);
  const store = await backend.open();
  const retry = { attempts: 3, backoff: 20, maxBackoff: 200, jitter: 0 };
  const config = configSchema.parse({
    timeZone: 'UTC',
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
      },
    },
    partners: {
      wms: {
        number: SIM_WMS_PARTNER,
        type: 'LS',
        receives: [
          {
            messageType: 'WHSORD',
            idocType: 'DELVRY07',
            mapping: 'delvry07-to-wms-delivery-order',
            transport: { kind: 'webhook', url: wms.url },
          },
        ],
        sends: [
          {
            messageType: 'WHSCON',
            contract: 'wms-confirmation',
            mapping: 'wms-confirmation-to-delvry07',
            port: 'sap',
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
        concurrency: 4,
      },
    },
  });
  const clock = { now: () => Date.now() };
  const secrets = new Map([['FAKE_SAP_PASSWORD', sap.password]]);
  const transports = cachedTransports((kind, opts) =>
    createTransport(kind, opts, { clock, resolveSecret: (name) => secrets.get(name) }),
  );
  const prefix = `igt-${label}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const queue = createWorkQueue({ connection: REDIS, prefix, config });
  const runtime = createGateway({
    config,
    store,
    queue,
    definitions,
    mappings,
    transports,
    clock,
    newId: randomUUID,
    random: () => 0.5,
    sleep: () => Promise.resolve(),
    logger: silent,
    metrics: new RecordingMetrics(),
  });
  const engine: QueueEngine = await startQueueEngine({
    connection: REDIS,
    prefix,
    config,
    runtime,
    roles: { workers: true, scheduler: false },
    random: () => 0.5,
  });
  const pushback = await startPushback({
    config,
    sweeper: simSweeperConfig(network),
    store,
    definitions,
    tables: mappings.tables,
    queue,
  });
  const serialLedger = await startSerialLedger({
    ledger: simLedgerConfig(network),
    timeZone: 'UTC',
    db: store.db,
    tables: mappings.tables,
    logger: silent,
    now: Date.now,
    redis: { options: REDIS },
    prefix,
    scheduler: false,
  });
  const ids: string[] = [];
  return {
    config,
    store,
    runtime,
    pushback,
    serialLedger,
    sap,
    async drive(messages) {
      for (let i = 0; i < messages.length; i += 8) {
        const batch = messages.slice(i, i + 8);
        const results = await Promise.all(
          batch.map((m) =>
            m.edge === 'sap'
              ? runtime.ingest({
                  channel: 'sap-xml-http',
                  principal: { kind: 'port', name: 'sap' },
                  body: writeXml(m.idoc),
                })
              : runtime.ingest({
                  channel: 'partner-json',
                  principal: { kind: 'partner', name: m.partner },
                  contract: m.contract,
                  body: JSON.stringify(m.json),
                  contentType: 'application/json',
                  idempotencyKey: m.key,
                }),
          ),
        );
        for (const r of results) for (const msg of r.messages) ids.push(msg.id);
      }
      await vi.waitFor(
        async () => {
          const { rows } = await store.db.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM messages WHERE id = ANY($1::uuid[]) AND status <> 'delivered'`,
            [ids],
          );
          expect(rows[0]?.n).toBe('0');
        },
        { timeout: 120_000, interval: 250 },
      );
    },
    async catchUp() {
      for (let i = 0; i < 200; i++) {
        const r = await pushback.catchUp();
        if (r.applied + r.ignored + r.unreadable === 0) break;
      }
      for (let i = 0; i < 200; i++) {
        const r = (await serialLedger.catchUp()) as { messages: number };
        if (r.messages === 0) break;
      }
    },
    async close() {
      await engine.close().catch(() => undefined);
      await runtime.close().catch(() => undefined);
      await pushback.close();
      await serialLedger.close();
      const r = new Redis(REDIS);
      try {
        await deletePrefixKeys(r, prefix);
      } finally {
        r.disconnect();
      }
      await queue.close();
      await store.close();
      await backend.cleanup();
      await sap.close();
      await wms.close();
    },
  };
}
