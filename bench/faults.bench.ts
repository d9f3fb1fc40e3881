/**
 * Fault bench (`npm run bench:faults [count] [receiverDownSeconds] [scenario,...]`): nothing lost,
 * nothing doubled, measured.
 *
 * Starts its OWN redis-server (private port, AOF, `--save ''`) and PostgreSQL (initdb + pg_ctl
 * from /usr/lib/postgresql/<v>/bin into a temp dir, private port) — never the shared services —
 * and the gateway split into processes: api, worker, scheduler (bench/faults-node.ts, the real
 * buildApp). A mixed load (SAP DELVRY07 over XML-HTTP -> WMS webhook; handheld JSON -> MBGMCR03
 * -> fake SAP) is posted by clients that retry until they get a 2xx, as SAP's tRFC and a
 * handheld's outbox do. One fault per scenario is injected once ~30 % of the load is
 * acknowledged, then repaired. Independent receivers count what arrives: the webhook by delivery
 * number (from the JSON body, so a message stored twice would show), the fake SAP by the IDocs
 * it created per scan id. Per scenario: sent, acknowledged, delivered, lost (acknowledged, never
 * delivered), duplicated (delivered more than once), acknowledged-but-not-stored (read back
 * from PostgreSQL), time to recover (repair -> first delivery of a message acknowledged after
 * it) and settle time (last acknowledgement -> everything delivered). Then once on embedded
 * PGlite: the all-in-one process killed -9 mid-load and restarted on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { startFakeSap, type FakeSap } from '../src/demo/fake-sap.js';
import { basicAuth, e2eConfig, KEYS, SAP_IN, E2E_ENV } from '../test/e2e/helpers.js';
import { DELVRY07_XML as DELVRY07, SCAN } from '../test/abuse/harness.js';
import type { FakeWebhook } from '../src/demo/fake-webhook.js';

export interface FaultOptions {
  readonly count: number;
  readonly receiverDownMs: number;
  /** Scenario names to run (default all). */
  readonly only?: readonly string[];
  readonly pglite?: boolean;
  readonly log?: (line: string) => void;
}

export interface ScenarioResult {
  readonly name: string;
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly lost: number;
  /** Not delivered, but held in the store for an operator (in-doubt, dead): listed, replayable. */
  readonly held: number;
  /** Delivered as two different messages (other Idempotency-Key / DOCNUM): a real duplicate. */
  readonly duplicated: number;
  /** Delivered again with the same Idempotency-Key / DOCNUM (at-least-once: the receiver can drop it). */
  readonly redelivered: number;
  readonly notStored: number;
  readonly recoverMs: number;
  readonly settleMs: number;
  readonly note: string;
}

// --- load ------------------------------------------------------------------------------------

interface Item {
  readonly kind: 'delvry07' | 'scan';
  /** DOCNUM (delvry07) or scan id. */
  readonly id: string;
  /** What the receiver sees: the delivery number (webhook) or the scan id (SAP). */
  readonly key: string;
  readonly body: string;
}

function makeLoad(n: number, run: number): Item[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 2 === 0) {
      const docnum = `${run}${String(i).padStart(15, '0')}`;
      const delivery = `${run % 9 || 9}${String(run * 100_000 + i).padStart(9, '0')}`;
      return {
        kind: 'delvry07',
        id: docnum,
        key: delivery,
        body: DELVRY07.replace('0000000000220931', docnum).replaceAll('0080001234', delivery),
      };
    }
    const scanId = `HH-FLT-${run}-${i}`;
    return { kind: 'scan', id: scanId, key: scanId, body: SCAN.replace('HH-7F3A-000184', scanId) };
  });
}

// --- infrastructure --------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(
  what: string,
  ok: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${out}`)),
    );
  });
}

class RedisServer {
  child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await waitUntil('redis-server', () => canConnect(this.port), 10_000);
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill(signal);
    });
  }
  async wipe(): Promise<void> {
    for (const f of readdirSync(this.dir)) await rm(join(this.dir, f), { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function pgBin(): string {
  for (const v of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin');
}

/** PostgreSQL refuses to run as root: then its tools run as the `postgres` user (runuser). */
const AS_ROOT = process.getuid?.() === 0;
function pgRun(tool: string, args: string[]): Promise<string> {
  const cmd = join(pgBin(), tool);
  return AS_ROOT ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
}

class Postgres {
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  async init(): Promise<void> {
    if (AS_ROOT) await run('chown', ['-R', 'postgres:postgres', this.dir]);
    await pgRun('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8']);
    await this.start();
  }
  async start(): Promise<void> {
    await pgRun('pg_ctl', [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  }
  async restart(): Promise<void> {
    await pgRun('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
    await this.start();
  }
  async stop(): Promise<void> {
    await pgRun('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => '');
  }
}

class GatewayNode {
  child: ChildProcess | undefined;
  address = '';
  constructor(
    readonly name: string,
    readonly roles: string,
    readonly port: number,
    readonly config: string,
    readonly env: NodeJS.ProcessEnv,
    readonly pgliteDir?: string,
  ) {}
  async start(): Promise<void> {
    const args = ['--import', 'tsx', 'bench/faults-node.ts', this.config, this.roles, String(this.port)];
    if (this.pgliteDir !== undefined) args.push(this.pgliteDir);
    const child = spawn(process.execPath, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /READY (\S+)/.exec(out);
        if (m) {
          this.address = m[1]!;
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) =>
        reject(new Error(`${this.name} exited ${code} before it was ready:\n${err}`)),
      );
    });
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill(signal);
    });
  }
}

// --- receivers -------------------------------------------------------------------------------

/** The WMS webhook: counts 2xx-answered deliveries per delivery number; can be down or flaky. */
class Webhook {
  /** Delivery number -> Idempotency-Key of each 2xx-answered delivery. */
  readonly ok = new Map<string, string[]>();
  readonly times: number[] = [];
  failRate = 0;
  private server: http.Server | undefined;
  constructor(readonly port: number) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}/wms`;
  }
  async up(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.failRate > 0 && Math.random() < this.failRate) {
          res.writeHead(503).end('{"error":"flaky"}');
          return;
        }
        const key = /"(\d{10})"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
        if (key !== undefined) {
          const idem = req.headers['idempotency-key'];
          this.ok.set(key, [...(this.ok.get(key) ?? []), typeof idem === 'string' ? idem : '-']);
          this.times.push(Date.now());
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.server = server;
  }
  async down(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** IDocs the fake SAP created per scan id, each as the gateway's DOCNUM (two = posted twice). */
function sapCounts(sap: FakeSap): Map<string, string[]> {
  const counts = new Map<string, string[]>();
  for (const idoc of sap.idocs) {
    const key = /HH-FLT-\d+-\d+/.exec(idoc.xml)?.[0];
    if (key !== undefined) counts.set(key, [...(counts.get(key) ?? []), idoc.senderDocnum]);
  }
  return counts;
}

// --- clients ---------------------------------------------------------------------------------

interface Sent {
  readonly item: Item;
  ackAt?: number;
  attempts: number;
}

async function post(api: () => string, item: Item): Promise<boolean> {
  const sap = item.kind === 'delvry07';
  try {
    const res = await fetch(`${api()}${sap ? '/sap/idoc-xml' : '/in/handheld-goods-movement'}`, {
      method: 'POST',
      headers: sap
        ? {
            authorization: basicAuth(SAP_IN.username, SAP_IN.password),
            'content-type': 'application/x-sap.idoc',
          }
        : { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
      body: item.body,
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    if (res.status >= 200 && res.status < 300) return true;
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
      throw new Error(`${item.id}: ${res.status} (a permanent refusal: the load is wrong)`);
    return false;
  } catch (e) {
    if (e instanceof Error && e.message.includes('permanent refusal')) throw e;
    return false; // connection refused / reset / timeout: retry
  }
}

/** Posts every item (16 in flight), each until a 2xx; `onProgress` sees the acknowledged count. */
async function drive(api: () => string, items: readonly Item[], onAck: (n: number) => void): Promise<Sent[]> {
  const sent: Sent[] = items.map((item) => ({ item, attempts: 0 }));
  let next = 0;
  let acked = 0;
  const deadline = Date.now() + 600_000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= sent.length) return;
        const s = sent[i]!;
        for (;;) {
          s.attempts++;
          if (await post(api, s.item)) break;
          if (Date.now() > deadline) return;
          await sleep(Math.min(2000, 100 * s.attempts));
        }
        s.ackAt = Date.now();
        onAck(++acked);
      }
    }),
  );
  return sent;
}

// --- the bench -------------------------------------------------------------------------------

interface Env {
  readonly redis: RedisServer;
  readonly postgres: Postgres | undefined;
  readonly sap: FakeSap;
  readonly webhook: Webhook;
  readonly api: GatewayNode;
  readonly worker: GatewayNode | undefined;
  readonly scheduler: GatewayNode | undefined;
  readonly extra: GatewayNode[];
  readonly makeNode: (name: string, roles: string) => Promise<GatewayNode>;
}

interface Scenario {
  readonly name: string;
  /** Injects the fault, waits, repairs; returns when it was repaired (ms) and a note. */
  inject(env: Env): Promise<{ repairedAt: number; note?: string }>;
  readonly pglite?: boolean;
}

function scenarios(receiverDownMs: number): Scenario[] {
  return [
    {
      name: 'worker kill -9 + restart',
      async inject(env) {
        await env.worker!.kill('SIGKILL');
        await sleep(2000);
        await env.worker!.start();
        return { repairedAt: Date.now() };
      },
    },
    {
      name: 'API kill -9 + restart',
      async inject(env) {
        await env.api.kill('SIGKILL');
        await sleep(1000);
        await env.api.start();
        return { repairedAt: Date.now() };
      },
    },
    {
      name: 'Redis restart',
      async inject(env) {
        await env.redis.stop('SIGTERM');
        await sleep(1000);
        await env.redis.start();
        return { repairedAt: Date.now() };
      },
    },
    {
      name: 'Redis restarted without data',
      async inject(env) {
        await env.redis.stop('SIGKILL');
        await env.redis.wipe();
        await sleep(1000);
        await env.redis.start();
        return { repairedAt: Date.now(), note: 'queues rebuilt from the store by the recovery job' };
      },
    },
    {
      name: 'PostgreSQL restart',
      async inject(env) {
        await env.postgres!.restart();
        return { repairedAt: Date.now() };
      },
    },
    {
      name: `receiver down ${Math.round(receiverDownMs / 1000)} s`,
      async inject(env) {
        await env.webhook.down();
        await sleep(receiverDownMs);
        await env.webhook.up();
        return { repairedAt: Date.now() };
      },
    },
    {
      name: 'receiver 5xx on 10 %',
      async inject(env) {
        env.webhook.failRate = 0.1;
        await sleep(8000);
        env.webhook.failRate = 0;
        return { repairedAt: Date.now() };
      },
    },
    {
      name: 'SAP drops connection after body (in-doubt)',
      async inject(env) {
        env.sap.setBehaviour({ dropAfterBody: 20 });
        await sleep(5000);
        env.sap.setBehaviour({});
        return { repairedAt: Date.now(), note: 'in-doubt: kept, not resent (docs/sap-feedback.md)' };
      },
    },
    {
      name: 'two schedulers at once',
      async inject(env) {
        const second = await env.makeNode('scheduler-2', 'scheduler');
        env.extra.push(second);
        await sleep(6000);
        return { repairedAt: Date.now(), note: 'counted at the receivers; double job runs not traced' };
      },
    },
  ];
}

export async function runFaultBench(options: FaultOptions): Promise<ScenarioResult[]> {
  const log = options.log ?? ((l: string) => console.log(l));
  const root = await mkdtemp(join(tmpdir(), 'idocgate-faults-'));
  const redis = new RedisServer(await freePort(), join(root, 'redis'));
  await run('mkdir', ['-p', redis.dir]);
  const postgres = options.pglite ? undefined : new Postgres(await freePort(), join(root, 'pg'));
  const sap = await startFakeSap();
  const webhook = new Webhook(await freePort());
  const nodes: GatewayNode[] = [];
  const results: ScenarioResult[] = [];
  let cleaned: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaned ??= (async () => {
      for (const n of nodes) await n.kill('SIGTERM').catch(() => undefined);
      await sap.close().catch(() => undefined);
      await webhook.down().catch(() => undefined);
      await redis.stop().catch(() => undefined);
      await postgres?.stop();
      await rm(root, { recursive: true, force: true });
    })());
  // Ctrl-C or a kill of the bench still stops what it started (servers, gateway processes).
  const onSignal = (): void => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await redis.start();
    if (postgres) {
      await run('mkdir', ['-p', postgres.dir]);
      if (AS_ROOT) await run('chmod', ['755', root]);
      await postgres.init();
    }
    await webhook.up();
    const config = await e2eConfig(sap, { url: webhook.url } as FakeWebhook, { prefix: 'faults' });
    const retry = { attempts: 30, backoff: 500, maxBackoff: 4000, jitter: 0.2 };
    (config.partners.wms as { retry: unknown }).retry = retry;
    (config.partners.handheld as { retry: unknown }).retry = retry;
    const file = join(root, 'config.yaml');
    await writeFile(file, stringify(config));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...E2E_ENV(sap),
      REDIS_URL: redis.url,
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      LOG_LEVEL: process.env['FAULTS_LOG_LEVEL'] ?? 'fatal',
    };
    delete env['DATABASE_URL_TEST'];
    if (!postgres) delete env['DATABASE_URL'];
    const apiPort = await freePort();
    const pgliteDir = options.pglite ? join(root, 'pglite') : undefined;
    const makeNode = async (name: string, roles: string): Promise<GatewayNode> => {
      const n = new GatewayNode(
        name,
        roles,
        name === 'api' || name === 'all' ? apiPort : 0,
        file,
        env,
        pgliteDir,
      );
      await n.start();
      nodes.push(n);
      return n;
    };
    const all: Scenario[] = options.pglite
      ? [
          {
            name: 'PGlite: kill -9 mid-commit + restart',
            pglite: true,
            async inject(e) {
              await e.api.kill('SIGKILL');
              await e.api.start();
              return { repairedAt: Date.now() };
            },
          },
        ]
      : scenarios(options.receiverDownMs).filter(
          (s) => !options.only || options.only.some((o) => s.name.includes(o)),
        );
    const api = await makeNode(
      options.pglite ? 'all' : 'api',
      options.pglite ? 'api,worker,scheduler' : 'api',
    );
    const worker = options.pglite ? undefined : await makeNode('worker', 'worker');
    const scheduler = options.pglite ? undefined : await makeNode('scheduler', 'scheduler');
    const e: Env = { redis, postgres, sap, webhook, api, worker, scheduler, extra: [], makeNode };
    let runNo = 1;
    for (const s of all) {
      runNo++;
      results.push(await runScenario(s, e, makeLoad(options.count, runNo), postgres));
      log(formatRow(results.at(-1)!));
      for (const x of e.extra.splice(0)) await x.kill('SIGTERM');
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
  return results;
}

async function runScenario(
  s: Scenario,
  env: Env,
  items: Item[],
  postgres: Postgres | undefined,
): Promise<ScenarioResult> {
  const sapBefore = sapCounts(env.sap);
  let faultStarted: Promise<{ repairedAt: number; note?: string }> | undefined;
  const threshold = Math.ceil(items.length * 0.3);
  const sent = await drive(
    () => env.api.address,
    items,
    (n) => {
      if (n === threshold) faultStarted = s.inject(env);
    },
  );
  const fault = await (faultStarted ?? s.inject(env));
  const lastAck = Math.max(...sent.map((x) => x.ackAt ?? 0));
  const acked = sent.filter((x) => x.ackAt !== undefined);
  const deliveriesOf = (x: Sent, sapNow: Map<string, string[]>): string[] =>
    x.item.kind === 'delvry07'
      ? (env.webhook.ok.get(x.item.key) ?? [])
      : (sapNow.get(x.item.key) ?? []).slice((sapBefore.get(x.item.key) ?? []).length);
  const deliveredOf = (x: Sent): number => deliveriesOf(x, sapCounts(env.sap)).length;
  let settledAt = Date.now();
  try {
    let lastHeldCheck = 0;
    let allDelivered = false;
    await waitUntil(
      'every acknowledged message delivered or held for an operator',
      async () => {
        const missing = acked.filter((x) => deliveredOf(x) === 0);
        if (missing.length === 0) return (allDelivered = true);
        // the rest may be waiting for a person (in doubt): no use waiting for them
        if (postgres === undefined || Date.now() - lastHeldCheck < 2000) return false;
        lastHeldCheck = Date.now();
        return (
          (await heldCount(
            postgres,
            missing.map((x) => x.item.id),
          )) === missing.length
        );
      },
      180_000,
    );
    settledAt = allDelivered ? Date.now() : NaN;
    await sleep(3000); // late duplicates (a redelivery after the stall interval) still count
  } catch {
    settledAt = NaN;
  }
  const sapNow = sapCounts(env.sap);
  const deliveries = acked.map((x) => deliveriesOf(x, sapNow));
  const counts = deliveries.map((d) => d.length);
  // the first webhook delivery after the repair
  const firstAfter = env.webhook.times.find((t) => t >= fault.repairedAt) ?? NaN;
  let notStored = 0;
  let held = 0;
  const why: string[] = [];
  if (postgres) {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const r = await client.query<{ docnum: string | null; idempotency_key: string | null }>(
        "SELECT docnum, idempotency_key FROM messages WHERE direction = 'in'",
      );
      const stored = new Set<string>();
      for (const row of r.rows) {
        if (row.docnum) stored.add(row.docnum);
        if (row.idempotency_key) stored.add(row.idempotency_key.replace(/^.*?(HH-FLT-)/, '$1'));
      }
      notStored = acked.filter(
        (x) => !stored.has(x.item.id) && ![...stored].some((k) => k.endsWith(x.item.id)),
      ).length;
      // what became of the messages that did not arrive (status and last error, by count)
      const lostIds = acked.filter((_, i) => counts[i] === 0).map((x) => x.item.id);
      if (lostIds.length > 0) {
        const r2 = await client.query<{ status: string; code: string | null; n: number }>(
          `SELECT status, last_error_code AS code, count(*)::int AS n FROM messages
            WHERE docnum = ANY($1) OR idempotency_key = ANY($1) OR split_part(idempotency_key, ':', 2) = ANY($1)
            GROUP BY 1, 2 ORDER BY 3 DESC`,
          [lostIds],
        );
        for (const row of r2.rows) {
          why.push(`${row.n} ${row.status}${row.code ? ` ${row.code}` : ''}`);
          if (HELD.has(row.status)) held += row.n;
        }
      }
    } finally {
      await client.end();
    }
  }
  return {
    name: s.name,
    sent: sent.length,
    acknowledged: acked.length,
    delivered: counts.filter((c) => c > 0).length,
    lost: counts.filter((c) => c === 0).length - held,
    held,
    duplicated: deliveries.filter((d) => new Set(d).size > 1).length,
    redelivered: deliveries.filter((d) => d.length > new Set(d).size).length,
    notStored,
    recoverMs: Number.isFinite(firstAfter) ? Math.max(0, firstAfter - fault.repairedAt) : NaN,
    settleMs: settledAt - lastAck,
    note: [
      fault.note ?? '',
      ...(why.length > 0 ? [`not delivered: ${why.join(', ')}`] : []),
      ...(['delvry07', 'scan'] as const).flatMap((kind) => {
        const n = acked.filter(
          (x, i) => x.item.kind === kind && deliveries[i]!.length > new Set(deliveries[i]).size,
        ).length;
        return n > 0
          ? [
              `${n} redelivered to ${kind === 'scan' ? 'SAP (same DOCNUM)' : 'the webhook (same Idempotency-Key)'}`,
            ]
          : [];
      }),
    ]
      .filter(Boolean)
      .join('; '),
  };
}

/** How many of these messages (DOCNUM or idempotency key) wait in the store for a person. */
async function heldCount(postgres: Postgres, ids: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE status = ANY($2)
         AND (docnum = ANY($1) OR idempotency_key = ANY($1) OR split_part(idempotency_key, ':', 2) = ANY($1))`,
      [ids, [...HELD]],
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Statuses that wait for a person (dead-letter screen): not delivered, not lost either. */
const HELD = new Set(['in-doubt', 'dead', 'unconfirmed', 'sap-error']);

export function formatRow(r: ScenarioResult): string {
  const ms = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${(v / 1000).toFixed(1)} s`);
  const verdict = r.lost === 0 && r.duplicated === 0 && r.notStored === 0 ? 'OK' : 'FAIL';
  return `| ${r.name} | ${r.sent} | ${r.acknowledged} | ${r.delivered} | ${r.held} | ${r.lost} | ${r.duplicated} | ${r.redelivered} | ${r.notStored} | ${ms(r.recoverMs)} | ${ms(r.settleMs)} | ${verdict}${r.note ? ` (${r.note})` : ''} |`;
}

export const HEADER =
  '| scenario | sent | acknowledged | delivered | held for an operator | lost | duplicated | redelivered, same key | acked, not stored | recover | settle | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2000);
  const downMs = Number(process.argv[3] ?? 60) * 1000;
  const only = process.argv[4]?.split(',').filter(Boolean);
  console.log(
    `fault bench: ${count} messages per scenario (half DELVRY07 -> webhook, half handheld -> SAP), receiver down ${downMs / 1000} s`,
  );
  console.log(HEADER);
  const results = await runFaultBench({ count, receiverDownMs: downMs, ...(only ? { only } : {}) });
  if (!only || only.some((o) => 'PGlite'.includes(o)))
    results.push(
      ...(await runFaultBench({ count: Math.min(count, 1000), receiverDownMs: downMs, pglite: true })),
    );
  const bad = results.filter((r) => r.lost > 0 || r.duplicated > 0 || r.notStored > 0);
  console.log(
    bad.length === 0
      ? 'verdict: every scenario 0 lost, 0 duplicated'
      : `verdict: ${bad.map((b) => b.name).join('; ')} NOT clean`,
  );
  process.exitCode = bad.length === 0 ? 0 : 1;
}

if (process.argv[1]?.endsWith('faults.bench.ts')) await main();
