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
import { createLogger } from '../src/wiring/logging.js';
import type { StoreOptions } from '../src/store/open-store.js';
import { startDurablePipeline } from './baselines/e2e-durable.js';
import { startPlainPipeline } from './baselines/e2e-plain.js';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 3));
const WARM_UP = 200;
/** pg pool size of the gateway (`E2E_BENCH_POOL`, default 20). */
const POOL = Number(process.env['E2E_BENCH_POOL'] ?? 20);
/** `E2E_BENCH_ONLY=PostgreSQL,PGlite (packets of 50)` (comma list of backend names, exact) limits the gateway sides. */
const ONLY = (process.env['E2E_BENCH_ONLY'] ?? '').split(',').filter((x) => x !== '');
const IN_FLIGHT = 32;
/** IDocs per SAP packet on the packet sides (`E2E_BENCH_PACKET`, default 50). */
const PACKET = Number(process.env['E2E_BENCH_PACKET'] ?? 50);
/** Seconds of the open-loop phase per side (`E2E_BENCH_OPEN_S`, default 30; 0 skips it). */
const OPEN_S = Number(process.env['E2E_BENCH_OPEN_S'] ?? 30);
const OPEN_LOAD = 0.7;
const BASELINE_A = 'baseline A plain Fastify->BullMQ->POST';
const BASELINE_B = 'baseline B durable pg+BullMQ by hand';
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
  /** What the baselines' receivers see (DOCNUM or scan id), one per message. */
  readonly keys: readonly string[];
  readonly body: string;
  /** Messages in this request (IDocs of a packet). */
  readonly messages: number;
}

const IDOC_ELEMENT = /<IDOC[\s>][\s\S]*<\/IDOC>/;

/** `n` messages; with `packet` > 1 the DELVRY07s go as SAP packets (one document, many <IDOC>). */
function makeLoad(n: number, run: string, packet = 1): Load[] {
  const singles = Array.from({ length: n }, (_, i): Load => {
    if (i % 2 === 0) {
      const docnum = `${run}${String(i).padStart(16 - run.length, '0')}`;
      return {
        kind: 'delvry07',
        keys: [docnum],
        messages: 1,
        body: DELVRY07.replace('0000000000220931', docnum).replaceAll(
          '0080001234',
          `9${String(i).padStart(9, '0')}`,
        ),
      };
    }
    const scanId = `HH-BENCH-${run}-${i}`;
    return { kind: 'scan', keys: [scanId], messages: 1, body: SCAN.replace('HH-7F3A-000184', scanId) };
  });
  if (packet <= 1) return singles;
  const out: Load[] = [];
  let group: Load[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    const idocs = group.map((g) => IDOC_ELEMENT.exec(g.body)![0]);
    const first = group[0]!.body;
    const head = first.slice(0, IDOC_ELEMENT.exec(first)!.index);
    const tail = first.slice(IDOC_ELEMENT.exec(first)!.index + idocs[0]!.length);
    out.push({
      kind: 'delvry07',
      keys: group.flatMap((g) => g.keys),
      messages: group.length,
      body: head + idocs.join('') + tail,
    });
    group = [];
  };
  for (const item of singles) {
    if (item.kind === 'scan') {
      out.push(item);
      continue;
    }
    group.push(item);
    if (group.length === packet) flush();
  }
  flush();
  return out;
}

// --- receivers ----------------------------------------------------------------------------------

interface Receiver {
  readonly url: string;
  /** key -> arrival times (ms, performance.now()). */
  readonly arrivals: Map<string, number[]>;
  close(): Promise<void>;
}

async function startReceiver(
  keyOf: (path: string, headers: http.IncomingHttpHeaders, body: string) => readonly string[],
): Promise<Receiver> {
  const arrivals = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      for (const key of keyOf(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'))) {
        const list = arrivals.get(key) ?? [];
        list.push(now);
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

/** Gateway deliveries: the webhook names the message by Idempotency-Key, SAP's XML (packets too) by the scan ids. */
const gatewayKey = (_p: string, h: http.IncomingHttpHeaders, body: string): readonly string[] => {
  const scans = body.match(/HH-BENCH-[\w-]+/g);
  if (scans !== null) return scans;
  // A webhook packet names its messages in X-Idocgate-Message-Ids (docs/transports.md).
  const packet = h['x-idocgate-message-ids'];
  if (typeof packet === 'string') return packet.split(',');
  return typeof h['idempotency-key'] === 'string' ? [h['idempotency-key']] : [];
};
/** Baseline deliveries carry the posted body as is. */
const plainKey = (_p: string, _h: http.IncomingHttpHeaders, body: string): readonly string[] => {
  const key = /HH-BENCH-[\w-]+/.exec(body)?.[0] ?? /<DOCNUM>(\d+)<\/DOCNUM>/.exec(body)?.[1];
  return key === undefined ? [] : [key];
};

// --- driving -----------------------------------------------------------------------------------

interface Result {
  readonly label: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
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
  /** Statements sent by this process's node-postgres clients (round trips to PostgreSQL). */
  readonly statements: number;
  /** Commands sent by this process's ioredis clients (BullMQ included). */
  readonly redisCommands: number;
}

/** Round-trip counters: every pg client query and every ioredis command of this process. */
const trips = { statements: 0, redisCommands: 0 };
{
  const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]): unknown {
    trips.statements++;
    return clientQuery.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const send = Redis.prototype.sendCommand as (...args: unknown[]) => unknown;
  Redis.prototype.sendCommand = function (this: Redis, ...args: unknown[]): unknown {
    trips.redisCommands++;
    return send.apply(this, args);
  } as typeof Redis.prototype.sendCommand;
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
    return { node: (own.user + own.system) / 1000, postgres: NaN, redis: NaN, ...trips };
  }
  return { node: (own.user + own.system) / 1000, postgres, redis, ...trips };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Post = (item: Load) => Promise<readonly string[]>;

async function drive(load: readonly Load[], post: Post, receiver: Receiver, label: string): Promise<Result> {
  const started = new Map<string, number>();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < load.length) {
        const item = load[next++]!;
        const at = performance.now();
        for (const key of await post(item)) started.set(key, at);
      }
    }),
  );
  return collect(started, receiver, t0, cpu0, label);
}

/**
 * Open loop: requests start at a fixed message rate whatever the answers do (at most 1 000 in
 * flight), and latency counts from the planned start, so a stall is not hidden by a slower load.
 */
async function openLoop(
  load: readonly Load[],
  post: Post,
  receiver: Receiver,
  label: string,
  perSecond: number,
): Promise<Result> {
  const started = new Map<string, number>();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let messages = 0;
  let inFlight = 0;
  const running: Promise<void>[] = [];
  for (const item of load) {
    const planned = t0 + (messages * 1000) / perSecond;
    messages += item.messages;
    const wait = planned - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= 1000) await new Promise((r) => setTimeout(r, 1));
    inFlight++;
    running.push(
      post(item)
        .then((keys) => {
          for (const key of keys) started.set(key, planned);
        })
        .finally(() => inFlight--),
    );
  }
  await Promise.all(running);
  return collect(started, receiver, t0, cpu0, label);
}

async function collect(
  started: ReadonlyMap<string, number>,
  receiver: Receiver,
  t0: number,
  cpu0: CpuSample,
  label: string,
): Promise<Result> {
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
    p999: percentile(latencies, 99.9),
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
    statements: (b.statements - a.statements) / n,
    redisCommands: (b.redisCommands - a.redisCommands) / n,
  };
}

function cpuText(c: CpuSample): string {
  const f = (x: number): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
  return `CPU ms/msg: node ${f(c.node)}, PostgreSQL ${f(c.postgres)}, Redis ${f(c.redis)}; per msg: ${f(c.statements)} pg statements, ${f(c.redisCommands)} Redis commands`;
}

function show(r: Result): void {
  console.log(
    `  ${r.label.padEnd(40)} ${r.perSecond.toFixed(0).padStart(6)} delivered/s   p50 ${r.p50.toFixed(0).padStart(5)} ms   p99 ${r.p99
      .toFixed(0)
      .padStart(5)} ms   lost ${r.lost}   duplicates ${r.duplicates}`,
  );
  console.log(`  ${''.padEnd(40)} ${cpuText(r.cpu)}`);
}

// --- the gateway -------------------------------------------------------------------------------

const silent = new Writable({ write: (_c, _e, done) => done() });

async function gatewayApp(
  receiver: Receiver,
  prefix: string,
  store: Partial<StoreOptions>,
  roles: ('api' | 'worker' | 'scheduler')[],
  dir: string,
  packSize = 1,
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
        packSize,
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
            // The packet sides send the WMS its messages as JSON arrays too (webhook packets).
            packSize,
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

function gatewayPost(base: string): Post {
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
    return item.kind === 'delvry07' ? json.messages!.map((m) => m.id) : item.keys;
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

/** Bytes per stored message on PostgreSQL: every table of the schema with its indexes and TOAST. */
async function storeBytes(name: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ relname: string; bytes: string }>(
      `SELECT c.relname, pg_total_relation_size(c.oid)::text AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC`,
      [name],
    );
    const count = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}.messages`);
    const n = Number(count.rows[0]!.n);
    const total = rows.reduce((t, r) => t + Number(r.bytes), 0);
    let allRows = 0;
    for (const r of rows) {
      const k = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}.${r.relname}`);
      allRows += Number(k.rows[0]!.n);
    }
    const top: string[] = [];
    for (const r of rows.slice(0, 6)) {
      const k = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}.${r.relname}`);
      top.push(
        `${r.relname} ${Math.round(Number(r.bytes) / n)} B in ${(Number(k.rows[0]!.n) / n).toFixed(1)} rows`,
      );
    }
    console.log(
      `  PostgreSQL bytes per stored message (single-message side, ${n} messages, tables + indexes + TOAST): ${Math.round(total / n)}, rows per stored message (every table): ${(allRows / n).toFixed(1)}; per message: ${top.join(', ')}`,
    );
  } finally {
    await c.end();
  }
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
  readonly post: Post;
  /** IDocs per SAP packet in this side's load (1: single messages). */
  readonly packet: number;
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
    p999: median(r.map((x) => x.p999)),
    lost: r.reduce((n, x) => n + x.lost, 0),
    duplicates: r.reduce((n, x) => n + x.duplicates, 0),
    cpu: {
      node: median(r.map((x) => x.cpu.node)),
      postgres: median(r.map((x) => x.cpu.postgres)),
      redis: median(r.map((x) => x.cpu.redis)),
      statements: median(r.map((x) => x.cpu.statements)),
      redisCommands: median(r.map((x) => x.cpu.redisCommands)),
    },
  };
}

const sides: Side[] = [];
try {
  // baseline A: plain
  const plainReceiver = await startReceiver(plainKey);
  const plainPrefix = `bench-plain-${tag}${run}`;
  const plain = await startPlainPipeline({
    connection: { ...REDIS, maxRetriesPerRequest: null },
    prefix: plainPrefix,
    targets: { sap: `${plainReceiver.url}/sap`, wms: `${plainReceiver.url}/wms` },
    concurrency: 2 * WORKERS_PER_PARTNER,
  });
  const routePost =
    (base: string): Post =>
    async (item) => {
      const res = await fetch(`${base}/${item.kind === 'delvry07' ? 'wms' : 'sap'}`, {
        method: 'POST',
        headers: { 'content-type': item.kind === 'delvry07' ? 'application/xml' : 'application/json' },
        body: item.body,
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`HTTP ${res.status}`);
      return item.keys;
    };
  sides.push({
    name: BASELINE_A,
    receiver: plainReceiver,
    post: routePost(`${plain.url}/plain`),
    packet: 1,
    results: [],
    async close() {
      await plain.close();
      await plainReceiver.close();
      await deleteKeys(redis, plainPrefix);
    },
  });

  const pgUp = await postgresAnswers();
  // baseline B: durable hand-written (pg INSERT committed -> BullMQ id -> SELECT -> POST -> UPDATE)
  if (pgUp) {
    const durableReceiver = await startReceiver(plainKey);
    const durablePrefix = `bench-durable-${tag}${run}`;
    const durable = await startDurablePipeline({
      connection: { ...REDIS, maxRetriesPerRequest: null },
      prefix: durablePrefix,
      databaseUrl: PG_URL,
      schema: `${schema}_durable`,
      targets: { sap: `${durableReceiver.url}/sap`, wms: `${durableReceiver.url}/wms` },
      concurrency: 2 * WORKERS_PER_PARTNER,
      poolSize: POOL,
    });
    sides.push({
      name: BASELINE_B,
      receiver: durableReceiver,
      post: routePost(`${durable.url}/durable`),
      packet: 1,
      results: [],
      async close() {
        await durable.close();
        await durableReceiver.close();
        await deleteKeys(redis, durablePrefix);
      },
    });
  }

  const backends: { name: string; store: Partial<StoreOptions>; packet: number }[] = [];
  if (pgUp) {
    // E2E_BENCH_GROUP_COMMIT=0: one statement per receipt (as before the group commit).
    const store = {
      databaseUrl: PG_URL,
      schema,
      poolSize: POOL,
      ...(process.env['E2E_BENCH_GROUP_COMMIT'] === '0' ? { groupCommit: false as const } : {}),
    };
    backends.push({ name: 'PostgreSQL', store, packet: 1 });
    backends.push({
      name: `PostgreSQL (packets of ${PACKET})`,
      store: { ...store, schema: `${schema}_p` },
      packet: PACKET,
    });
  } else console.log('  (PostgreSQL does not answer: skipped, and baseline B with it)');
  // E2E_BENCH_PGLITE_THREAD=0: PGlite on the main thread (as before the worker thread).
  const thread = process.env['E2E_BENCH_PGLITE_THREAD'] !== '0';
  backends.push({ name: 'PGlite', store: { dataDir: join(dir, 'pglite'), pgliteThread: thread }, packet: 1 });
  backends.push({
    name: `PGlite (packets of ${PACKET})`,
    store: { dataDir: join(dir, 'pglite-p'), pgliteThread: thread },
    packet: PACKET,
  });
  let i = 2;
  for (const b of backends) {
    if (ONLY.length > 0 && !ONLY.some((o) => b.name === o)) continue;
    const receiver = await startReceiver(gatewayKey);
    const prefix = `bench-gw-${tag}${run}-${i}`;
    const app = await gatewayApp(receiver, prefix, b.store, ['api', 'worker', 'scheduler'], dir, b.packet);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    sides.push({
      name: `gateway on ${b.name}`,
      receiver,
      post: gatewayPost(base),
      packet: b.packet,
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
    await drive(makeLoad(WARM_UP, `${run}${k}9`, side.packet), side.post, side.receiver, 'warm-up');
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < sides.length; j++) {
      const k = (j + round) % sides.length;
      const side = sides[k]!;
      const r = await drive(
        makeLoad(N, `${run}${k}${round}`, side.packet),
        side.post,
        side.receiver,
        side.name,
      );
      side.results.push(r);
      console.log(
        `  round ${round + 1}: ${side.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms  lost ${r.lost}  dup ${r.duplicates}  ${cpuText(r.cpu)}`,
      );
    }
  }
  const summaries = sides.map(summary);
  console.log(
    `  closed loop (${IN_FLIGHT} requests in flight): medians of ${ROUNDS} round(s) of ${N} messages (lost/duplicates: totals):`,
  );
  for (const r of summaries) show(r);

  // Open loop at 70 % of each side's own maximum (E2E_BENCH_OPEN_S seconds; 0 skips it).
  const openResults = new Map<string, Result>();
  if (OPEN_S > 0) {
    console.log(
      `  open loop: ${OPEN_S} s at ${OPEN_LOAD * 100} % of each side's closed-loop maximum, latency from the planned start`,
    );
    for (const [k, side] of sides.entries()) {
      const rate = OPEN_LOAD * summaries[k]!.perSecond;
      const load = makeLoad(Math.max(50, Math.round(rate * OPEN_S)), `${run}${k}5`, side.packet);
      const r = await openLoop(load, side.post, side.receiver, side.name, rate);
      openResults.set(side.name, r);
      console.log(
        `  ${side.name.padEnd(36)} ${rate.toFixed(0).padStart(5)} msg/s offered: p50 ${r.p50.toFixed(0)} ms  p99 ${r.p99.toFixed(0)} ms  p99.9 ${r.p999.toFixed(0)} ms  lost ${r.lost}  dup ${r.duplicates}`,
      );
    }
  }
  for (const side of sides.splice(0)) await side.close();
  if (pgUp && (ONLY.length === 0 || ONLY.includes('PostgreSQL'))) await storeBytes(schema);

  // Verdicts (ratios of this run only).
  const by = (name: string): Result | undefined => summaries.find((r) => r.label === name);
  const a = by(BASELINE_A);
  const bSide = by(BASELINE_B);
  const gPg = by('gateway on PostgreSQL');
  const gPgP = by(`gateway on PostgreSQL (packets of ${PACKET})`);
  const gLite = by('gateway on PGlite');
  const verdict = (
    target: string,
    value: number | undefined,
    goal: number,
    unit: string,
    atMost = false,
  ): void => {
    if (value === undefined || Number.isNaN(value)) {
      console.log(`  verdict  ${target.padEnd(62)} n/a (side not run)`);
      return;
    }
    const met = atMost ? value <= goal : value >= goal;
    console.log(
      `  verdict  ${target.padEnd(62)} ${value.toFixed(2)}${unit} (target ${atMost ? '<=' : '>='} ${goal}${unit}): ${met ? 'met' : 'NOT met'}`,
    );
  };
  const ratio = (x: Result | undefined, y: Result | undefined): number | undefined =>
    x === undefined || y === undefined ? undefined : x.perSecond / y.perSecond;
  console.log('  verdicts (ratios of delivered/s measured in this run):');
  verdict('gateway on PostgreSQL / baseline B (durable), single', ratio(gPg, bSide), 1.5, 'x');
  verdict('gateway on PostgreSQL / baseline A (plain), single', ratio(gPg, a), 0.8, 'x');
  verdict(`gateway on PostgreSQL (packets of ${PACKET}) / baseline A`, ratio(gPgP, a), 2.0, 'x');
  verdict('gateway on PGlite / gateway on PostgreSQL', ratio(gLite, gPg), 0.7, 'x');
  for (const [name, r] of openResults) {
    if (name.startsWith('gateway'))
      verdict(`p99 at ${OPEN_LOAD * 100} % load, ${name}`, r.p99, 100, ' ms', true);
  }
  const allResults = [...summaries, ...openResults.values()];
  verdict(
    'lost + duplicates, all sides and phases',
    allResults.reduce((n, r) => n + r.lost + r.duplicates, 0),
    0,
    '',
    true,
  );

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
    const perJob = (after - before) / M;
    console.log(
      `  verdict  ${'Redis bytes per queued gateway message'.padEnd(62)} ${perJob.toFixed(0)} (target <= 1024): ${perJob <= 1024 ? 'met' : 'NOT met'}`,
    );
  };
  if (process.env['E2E_BENCH_NO_MEMORY'] !== '1') await redisBytes();
} finally {
  for (const side of sides) await side.close().catch(() => undefined);
  if (await postgresAnswers()) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const name of [schema, `${schema}_p`, `${schema}_durable`]) {
      await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
    await c.end();
  }
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
}
