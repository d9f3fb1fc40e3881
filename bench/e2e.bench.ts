/**
 * End-to-end benchmark (`npm run bench:e2e [count] [rounds]`, default 1 000 messages, 3 rounds).
 *
 * A mix of DELVRY07 (SAP -> XML-HTTP edge -> map -> WMS webhook) and handheld scans (partner JSON
 * -> map -> MBGMCR03 -> SAP XML-HTTP), the same mix and count for every side, is posted over real
 * HTTP (32 requests in flight) to:
 *   - the plain baseline (Fastify -> BullMQ -> HTTP POST, no parsing, no store:
 *     bench/baselines/e2e-plain.ts),
 *   - the full gateway (edge, store, BullMQ, workers, mapping, transports) on PostgreSQL (own
 *     schema) and on PGlite.
 * Every side is started once and warmed up (200 messages); then each round drives every side back
 * to back, the order rotated per round, and the medians of the rounds are reported. Receivers on
 * local HTTP servers count what arrives: delivered/s, ingest-to-delivery p50/p99, lost (never
 * arrived) and duplicates (arrived twice). Then Redis bytes per queued message (MEMORY USAGE of the
 * run's keys before/after N messages queued with no worker running; INFO used_memory would count
 * other users of a shared Redis). The ratio gateway/baseline is printed against the target 1.0x.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readFileSync, readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stringify } from 'yaml';
import { buildApp, type App } from '../src/app.js';
import { sha256Hex } from '../src/api/credentials.js';
import { loadConfig } from '../src/config/load.js';
import { loadDefinitions } from '../src/definitions/load.js';
import { convertIdocs } from '../src/idoc/codec.js';
import { createLogger } from '../src/logging.js';
import type { StoreOptions } from '../src/store/open-store.js';
import { startPlainPipeline } from './baselines/e2e-plain.js';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
const WARM_UP = 200;
/** pg pool size of the gateway (`E2E_BENCH_POOL`, default 20). */
const POOL = Number(process.env['E2E_BENCH_POOL'] ?? 20);
/** `E2E_BENCH_ONLY=PostgreSQL` (comma list, matched against side names) limits the gateway sides (profiling). */
const ONLY = (process.env['E2E_BENCH_ONLY'] ?? '').split(',').filter((x) => x !== '');
const IN_FLIGHT = 32;
const WORKERS_PER_PARTNER = 16;
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = { host: '127.0.0.1', port: 6379 };
const KEY = { wms: 'igk_bench-wms', handheld: 'igk_bench-handheld' };
const SAP_IN = { user: 'SAPBENCH', password: 'bench-sap-in' };

// --- the load ---------------------------------------------------------------------------------

const DELVRY07 = convertIdocs(
  readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
  'xml',
  loadDefinitions(),
).output;
const SCAN = readFileSync(
  'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
  'utf8',
);

interface Load {
  readonly kind: 'delvry07' | 'scan';
  readonly key: string;
  readonly body: string;
}

function makeLoad(n: number, run: string): Load[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 2 === 0) {
      const docnum = `${run}${String(i).padStart(16 - run.length, '0')}`;
      return {
        kind: 'delvry07',
        key: docnum,
        body: DELVRY07.replace('0000000000220931', docnum).replaceAll(
          '0080001234',
          `9${String(i).padStart(9, '0')}`,
        ),
      };
    }
    const scanId = `HH-BENCH-${run}-${i}`;
    return { kind: 'scan', key: scanId, body: SCAN.replace('HH-7F3A-000184', scanId) };
  });
}

// --- receivers ----------------------------------------------------------------------------------

interface Receiver {
  readonly url: string;
  /** key -> arrival times (ms, performance.now()). */
  readonly arrivals: Map<string, number[]>;
  close(): Promise<void>;
}

async function startReceiver(
  keyOf: (path: string, headers: http.IncomingHttpHeaders, body: string) => string | undefined,
): Promise<Receiver> {
  const arrivals = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = keyOf(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'));
      if (key !== undefined) {
        const list = arrivals.get(key) ?? [];
        list.push(performance.now());
        arrivals.set(key, list);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Gateway deliveries: the webhook names the message by Idempotency-Key, SAP's XML by the scan id. */
const gatewayKey = (_p: string, h: http.IncomingHttpHeaders, body: string): string | undefined =>
  /HH-BENCH-[\w-]+/.exec(body)?.[0] ??
  (typeof h['idempotency-key'] === 'string' ? h['idempotency-key'] : undefined);
/** Baseline deliveries carry the posted body as is. */
const plainKey = (_p: string, _h: http.IncomingHttpHeaders, body: string): string | undefined =>
  /HH-BENCH-[\w-]+/.exec(body)?.[0] ?? /<DOCNUM>(\d+)<\/DOCNUM>/.exec(body)?.[1];

// --- driving -----------------------------------------------------------------------------------

interface Result {
  readonly label: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly lost: number;
  readonly duplicates: number;
  /** CPU ms per delivered message during the run (node: this whole process, harness included). */
  readonly cpu: CpuSample;
}

/** CPU milliseconds used so far by this process and by the machine's PostgreSQL and Redis servers. */
interface CpuSample {
  readonly node: number;
  readonly postgres: number;
  readonly redis: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICK_MS = 10;

/**
 * Sums utime+stime (+ cutime+cstime: exited backends count in the postmaster) of every process
 * named `postgres` or `redis-server` in /proc. NaN where /proc cannot be read (not Linux).
 */
function cpuNow(): CpuSample {
  const own = process.cpuUsage();
  let postgres = 0;
  let redis = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (comm !== 'postgres' && comm !== 'redis-server') continue;
      const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      if (comm === 'postgres') postgres += ticks * TICK_MS;
      else redis += ticks * TICK_MS;
    }
  } catch {
    return { node: (own.user + own.system) / 1000, postgres: NaN, redis: NaN };
  }
  return { node: (own.user + own.system) / 1000, postgres, redis };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function drive(
  load: readonly Load[],
  post: (item: Load) => Promise<string>,
  receiver: Receiver,
  label: string,
): Promise<Result> {
  const started = new Map<string, number>();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < load.length) {
        const item = load[next++]!;
        const at = performance.now();
        const key = await post(item);
        started.set(key, at);
      }
    }),
  );
  const deadline = Date.now() + 120_000;
  while ([...started.keys()].some((k) => !receiver.arrivals.has(k)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 300)); // let late duplicates show
  const cpu1 = cpuNow();
  const latencies: number[] = [];
  let last = t0;
  let lost = 0;
  let duplicates = 0;
  for (const [key, at] of started) {
    const times = receiver.arrivals.get(key);
    if (!times) {
      lost++;
      continue;
    }
    duplicates += times.length - 1;
    latencies.push(times[0]! - at);
    last = Math.max(last, times[0]!);
  }
  latencies.sort((a, b) => a - b);
  return {
    label,
    perSecond: (latencies.length * 1000) / (last - t0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost,
    duplicates,
    cpu: perMessage(cpu0, cpu1, Math.max(1, latencies.length)),
  };
}

function perMessage(a: CpuSample, b: CpuSample, n: number): CpuSample {
  return {
    node: (b.node - a.node) / n,
    postgres: (b.postgres - a.postgres) / n,
    redis: (b.redis - a.redis) / n,
  };
}

function cpuText(c: CpuSample): string {
  const f = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
  return `CPU ms/msg: node ${f(c.node)}, PostgreSQL ${f(c.postgres)}, Redis ${f(c.redis)}`;
}

function show(r: Result): void {
  console.log(
    `  ${r.label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)} delivered/s   p50 ${r.p50.toFixed(0).padStart(5)} ms   p99 ${r.p99
      .toFixed(0)
      .padStart(5)} ms   lost ${r.lost}   duplicates ${r.duplicates}`,
  );
  console.log(`  ${''.padEnd(34)} ${cpuText(r.cpu)}`);
}

// --- the gateway -------------------------------------------------------------------------------

const silent = new Writable({ write: (_c, _e, done) => done() });

async function gatewayApp(
  receiver: Receiver,
  prefix: string,
  store: Partial<StoreOptions>,
  roles: ('api' | 'worker' | 'scheduler')[],
  dir: string,
): Promise<App> {
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    redis: { prefix, autoStart: false },
    ports: {
      S4H: {
        transport: {
          kind: 'sap-xml-http',
          url: `${receiver.url}/sap/bc/idoc_xml?sap-client=100`,
          username: 'U',
          password: 'p',
        },
        inboundAuth: { username: SAP_IN.user, passwordEnv: 'BENCH_SAP_IN' },
        control: {
          MANDT: '100',
          SNDPOR: 'IDOCGATE',
          SNDPRT: 'LS',
          SNDPRN: 'IDOCGATE',
          RCVPOR: 'SAPS4H',
          RCVPRT: 'LS',
          RCVPRN: 'S4H',
        },
      },
    },
    partners: {
      wms: {
        number: 'WMSEAST',
        credentials: { apiKeySha256: [sha256Hex(KEY.wms)] },
        receives: [
          {
            messageType: 'WHSORD',
            idocType: 'DELVRY07',
            mapping: 'delvry07-to-wms-delivery-order',
            transport: { kind: 'webhook', url: `${receiver.url}/wms` },
          },
        ],
        concurrency: WORKERS_PER_PARTNER,
        retry: { attempts: 5, backoff: 100, maxBackoff: 1000, jitter: 0.2 },
      },
      handheld: {
        number: 'HANDHELD',
        credentials: { apiKeySha256: [sha256Hex(KEY.handheld)] },
        sends: [
          {
            messageType: 'MBGMCR',
            contract: 'handheld-goods-movement',
            mapping: 'handheld-to-mbgmcr03',
            port: 'S4H',
          },
        ],
        concurrency: WORKERS_PER_PARTNER,
        retry: { attempts: 5, backoff: 100, maxBackoff: 1000, jitter: 0.2 },
      },
    },
  };
  const file = join(dir, `${prefix}.yaml`);
  await writeFile(file, stringify(config));
  return buildApp({
    loaded: loadConfig({ file, env: { BENCH_SAP_IN: SAP_IN.password } }),
    roles,
    logger: createLogger({ level: 'error', destination: silent }),
    store,
    prefix,
  });
}

function gatewayPost(base: string): (item: Load) => Promise<string> {
  const sapAuth = `Basic ${Buffer.from(`${SAP_IN.user}:${SAP_IN.password}`).toString('base64')}`;
  return async (item) => {
    const res =
      item.kind === 'delvry07'
        ? await fetch(`${base}/sap/idoc-xml`, {
            method: 'POST',
            headers: {
              authorization: sapAuth,
              'content-type': 'application/xml',
              accept: 'application/json',
            },
            body: item.body,
          })
        : await fetch(`${base}/in/handheld-goods-movement`, {
            method: 'POST',
            headers: { 'x-api-key': KEY.handheld, 'content-type': 'application/json' },
            body: item.body,
          });
    const json = (await res.json()) as { messages?: { id: string }[] };
    if (res.status >= 300) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json)}`);
    return item.kind === 'delvry07' ? json.messages![0]!.id : item.key;
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 'NaN');
}

/** Bytes held by the keys of a prefix (MEMORY USAGE summed; unaffected by other Redis users). */
async function prefixMemory(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) total += Number((await redis.memory('USAGE', k, 'SAMPLES', '0')) ?? 0);
  } while (cursor !== '0');
  return total;
}

async function postgresAnswers(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

// --- main --------------------------------------------------------------------------------------

const redis = new Redis(REDIS);
const dir = await mkdtemp(join(tmpdir(), 'idocgate-bench-e2e-'));
const run = String(Date.now() % 1_000_000);
const tag = process.env['E2E_BENCH_TAG'] ?? '';
const schema = process.env['E2E_BENCH_SCHEMA'] ?? `bench_e2e_${process.pid}`;
console.log(
  `idocgate end-to-end benchmark: ${N} messages per run (half DELVRY07 -> WMS, half scans -> MBGMCR03 -> SAP), ${IN_FLIGHT} in flight, ${2 * WORKERS_PER_PARTNER} workers`,
);

interface Side {
  readonly name: string;
  readonly receiver: Receiver;
  readonly post: (item: Load) => Promise<string>;
  readonly results: Result[];
  close(): Promise<void>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summary(side: Side): Result {
  const r = side.results;
  return {
    label: side.name,
    perSecond: median(r.map((x) => x.perSecond)),
    p50: median(r.map((x) => x.p50)),
    p99: median(r.map((x) => x.p99)),
    lost: r.reduce((n, x) => n + x.lost, 0),
    duplicates: r.reduce((n, x) => n + x.duplicates, 0),
    cpu: {
      node: median(r.map((x) => x.cpu.node)),
      postgres: median(r.map((x) => x.cpu.postgres)),
      redis: median(r.map((x) => x.cpu.redis)),
    },
  };
}

const sides: Side[] = [];
try {
  // baseline
  const plainReceiver = await startReceiver(plainKey);
  const plainPrefix = `bench-plain-${tag}${run}`;
  const plain = await startPlainPipeline({
    connection: { ...REDIS, maxRetriesPerRequest: null },
    prefix: plainPrefix,
    targets: { sap: `${plainReceiver.url}/sap`, wms: `${plainReceiver.url}/wms` },
    concurrency: 2 * WORKERS_PER_PARTNER,
  });
  const plainPost = async (item: Load): Promise<string> => {
    const res = await fetch(`${plain.url}/plain/${item.kind === 'delvry07' ? 'wms' : 'sap'}`, {
      method: 'POST',
      headers: { 'content-type': item.kind === 'delvry07' ? 'application/xml' : 'application/json' },
      body: item.body,
    });
    await res.arrayBuffer();
    return item.key;
  };
  sides.push({
    name: 'baseline Fastify->BullMQ->POST',
    receiver: plainReceiver,
    post: plainPost,
    results: [],
    async close() {
      await plain.close();
      await plainReceiver.close();
      await deleteKeys(redis, plainPrefix);
    },
  });

  const backends: { name: string; store: Partial<StoreOptions> }[] = [];
  if (await postgresAnswers())
    backends.push({ name: 'PostgreSQL', store: { databaseUrl: PG_URL, schema, poolSize: POOL } });
  else console.log('  (PostgreSQL does not answer: skipped)');
  backends.push({ name: 'PGlite', store: { dataDir: join(dir, 'pglite') } });
  let i = 2;
  for (const b of backends) {
    if (ONLY.length > 0 && !ONLY.some((o) => b.name.includes(o))) continue;
    const receiver = await startReceiver(gatewayKey);
    const prefix = `bench-gw-${tag}${run}-${i}`;
    const app = await gatewayApp(receiver, prefix, b.store, ['api', 'worker', 'scheduler'], dir);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    sides.push({
      name: `gateway on ${b.name}`,
      receiver,
      post: gatewayPost(base),
      results: [],
      async close() {
        await app.close();
        await receiver.close();
        await deleteKeys(redis, prefix);
      },
    });
    i++;
  }

  // Warm-up (JIT, connection pools, prepared plans), then rounds with the order rotated.
  for (const [k, side] of sides.entries()) {
    await drive(makeLoad(WARM_UP, `${run}${k}9`), side.post, side.receiver, 'warm-up');
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < sides.length; j++) {
      const k = (j + round) % sides.length;
      const side = sides[k]!;
      const r = await drive(makeLoad(N, `${run}${k}${round}`), side.post, side.receiver, side.name);
      side.results.push(r);
      console.log(
        `  round ${round + 1}: ${side.name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms  lost ${r.lost}  dup ${r.duplicates}  ${cpuText(r.cpu)}`,
      );
    }
  }
  const summaries = sides.map(summary);
  for (const side of sides.splice(0)) await side.close();
  console.log(`  medians of ${ROUNDS} round(s) of ${N} messages (lost/duplicates: totals):`);
  const baseline = summaries[0]!;
  for (const r of summaries) {
    show(r);
    if (r === baseline) continue;
    const ratio = r.perSecond / baseline.perSecond;
    console.log(
      `  ${''.padEnd(34)} ratio to baseline: ${ratio.toFixed(2)}x delivered/s (target >= 1.0x on PostgreSQL: ${
        ratio >= 1 ? 'met' : 'not met'
      })`,
    );
  }

  // Redis bytes per queued message (no workers running); E2E_BENCH_NO_MEMORY=1 skips it (profiling)
  const redisBytes = async (): Promise<void> => {
    const M = Math.min(N, 1000);
    const queuedReceiver = await startReceiver(gatewayKey);
    const qPrefix = `bench-mem-${tag}${run}`;
    const apiOnly = await gatewayApp(queuedReceiver, qPrefix, { dataDir: 'memory://' }, ['api'], dir);
    const qBase = await apiOnly.listen({ host: '127.0.0.1', port: 0 });
    const post = gatewayPost(qBase);
    const infoBefore = await usedMemory(redis);
    const before = await prefixMemory(redis, qPrefix);
    for (const item of makeLoad(M, `${run}8`)) await post(item);
    const after = await prefixMemory(redis, qPrefix);
    const infoAfter = await usedMemory(redis);
    await apiOnly.close();
    await queuedReceiver.close();
    await deleteKeys(redis, qPrefix);

    const pPrefix = `bench-plain-mem-${tag}${run}`;
    const plainNoWorker = await startPlainPipeline({
      connection: { ...REDIS, maxRetriesPerRequest: null },
      prefix: pPrefix,
      targets: { sap: 'http://127.0.0.1:9/sap', wms: 'http://127.0.0.1:9/wms' },
      concurrency: 1,
      noWorker: true,
    });
    const pBefore = await prefixMemory(redis, pPrefix);
    for (const item of makeLoad(M, `${run}7`)) {
      await fetch(`${plainNoWorker.url}/plain/${item.kind === 'delvry07' ? 'wms' : 'sap'}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: item.body,
      }).then((r) => r.arrayBuffer());
    }
    const pAfter = await prefixMemory(redis, pPrefix);
    await plainNoWorker.close();
    await deleteKeys(redis, pPrefix);
    console.log(
      `  Redis INFO used_memory delta per queued gateway message: ${Math.round((infoAfter - infoBefore) / M)} (noisy on a shared Redis)`,
    );
    console.log(
      `  Redis bytes per queued message: gateway ${Math.round((after - before) / M)} (job = message id), baseline ${Math.round(
        (pAfter - pBefore) / M,
      )} (job = document); ${M} queued, MEMORY USAGE of the prefix's keys`,
    );
  };
  if (process.env['E2E_BENCH_NO_MEMORY'] !== '1') await redisBytes();
} finally {
  for (const side of sides) await side.close().catch(() => undefined);
  if (await postgresAnswers()) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
}
