/**
 * The self-contained demo that `npm start` runs when no config is given (no `--config`, no
 * `IDOCGATE_CONFIG`): the gateway with the ports and partners of config/idocgate.example.yaml,
 * the fake SAP (posting, rejecting article 4799, sending its ALE audit back) and the WMS and
 * PeopleSoft webhooks in the same process (src/demo/receivers.ts), then a banner with the console
 * URL, the demo sign-ins and three curl lines to paste. Before the banner it seeds a pushed-back
 * delivery (./pushback-seed.ts: the sweeper of config/pushback.example.yaml switched on, one run)
 * so the console has one to show as a picture.
 *
 * It is a demo, not a gateway: the example's credentials are public, so it listens on a loopback
 * address only and refuses any other (DemoRefusedError) before starting anything. Its database is
 * an in-memory PGlite (DATABASE_URL is ignored: demo data never goes into a real database), its
 * Redis keys have a prefix of their own per run (deleted again on a graceful stop), and its
 * receivers take free ports so nothing clashes with a gateway or receivers already running.
 */
import { deletePrefixKeys } from '../redis/prefix-keys.js';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, relative, isAbsolute } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { buildApp, type App } from '../wiring/app.js';
import { loadConfigObject, parseConfigText } from '../config/load.js';
import type { PinoLogger } from '../wiring/logging.js';
import { PROJECT_ROOT } from '../paths.js';
import { DEMO_PUSHBACK, seedPushback } from './pushback-seed.js';
import { DEMO_SAP_INBOUND, startDemoReceivers, type DemoReceivers } from './receivers.js';

export const DEMO_CONFIG_FILE = join(PROJECT_ROOT, 'config', 'idocgate.example.yaml');
/** The demo's sweeper settings come from here (its `sweeper` section). */
export const DEMO_SWEEPER_FILE = join(PROJECT_ROOT, 'config', 'pushback.example.yaml');

/** The example config's public demo credentials (the hashes in the file are of these). */
export const DEMO_SIGN_INS = [
  { username: 'support', password: 'demo-operator', role: 'operator' },
  { username: 'auditor', password: 'demo-viewer', role: 'viewer' },
] as const;
export const DEMO_HANDHELD_KEY = 'demo-handheld-key';

/** Thrown before anything starts when the demo would listen on a non-loopback address. */
export class DemoRefusedError extends Error {
  override readonly name = 'DemoRefusedError';
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

export interface DemoOptions {
  /** Listen address (default 127.0.0.1); anything but loopback is refused. */
  readonly host?: string;
  /** Listen port (default 8080; 0 = a free one). */
  readonly port?: number;
  /** The environment (REDIS_URL is honoured, DATABASE_URL ignored). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: PinoLogger;
  /** Where the banner and the receivers' arrival lines go. */
  readonly print: (text: string) => void;
  /** PATH searched for redis-server. */
  readonly searchPath?: string;
  /** Folder the curl lines' example paths are relative to (default: the working directory). */
  readonly cwd?: string;
}

export interface RunningDemo {
  readonly app: App;
  readonly receivers: DemoReceivers;
  /** http://host:port of the gateway. */
  readonly url: string;
  readonly banner: string;
  close(): Promise<void>;
}

/** Replaces the example's receiver addresses (127.0.0.1:8090/8091/8092) by the bound ones. */
function pointAtReceivers(value: unknown, receivers: DemoReceivers): unknown {
  const bases: [string, string][] = [
    ['http://127.0.0.1:8090', new URL(receivers.sap.url).origin],
    ['http://127.0.0.1:8091', new URL(receivers.wms.url).origin],
    ['http://127.0.0.1:8092', new URL(receivers.peoplesoft.url).origin],
  ];
  if (typeof value === 'string') {
    const hit = bases.find(([from]) => value === from || value.startsWith(`${from}/`));
    return hit ? hit[1] + value.slice(hit[0].length) : value;
  }
  if (Array.isArray(value)) return value.map((v) => pointAtReceivers(v, receivers));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pointAtReceivers(v, receivers)]));
  return value;
}

/** Every transport URL in a config object (to check none still points at a receiver we do not run). */
function transportUrls(value: unknown, path = ''): { path: string; url: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => transportUrls(v, `${path}.${i}`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'url' && typeof v === 'string'
        ? [{ path: `${path}.${k}`, url: v }]
        : transportUrls(v, `${path}.${k}`),
    );
  return [];
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `@examples/x` from the project folder, the absolute path from anywhere else. */
function examplePath(name: string, cwd: string): string {
  const file = join(PROJECT_ROOT, 'examples', name);
  const rel = relative(cwd, file);
  return shellQuote(`@${rel.startsWith('..') || isAbsolute(rel) ? file : rel}`);
}

export interface BannerParts {
  readonly url: string;
  readonly receivers: DemoReceivers['urls'];
  readonly cwd: string;
  /** Why the pushed-back delivery is not there (the seed failed); undefined when it is. */
  readonly pushbackProblem?: string;
}

/** The three curl lines of the banner (a test runs them as printed). */
export function demoCurlLines(url: string, cwd: string): string[] {
  const sap = `${DEMO_SAP_INBOUND.username}:${DEMO_SAP_INBOUND.password}`;
  const support = DEMO_SIGN_INS[0];
  return [
    `curl -u ${sap} -H 'content-type: application/xml' --data-binary ${examplePath('delvry07-desadv-for-wms.xml', cwd)} ${url}/sap/idoc-xml`,
    `curl -H 'X-Api-Key: ${DEMO_HANDHELD_KEY}' -H 'content-type: application/json' -H 'Idempotency-Key: demo-1' --data-binary ${examplePath('handheld-receipt.json', cwd)} ${url}/in/handheld-goods-movement`,
    `curl -u ${support.username}:${support.password} '${url}/api/messages?serial=SN-1001'`,
  ];
}

export function demoBanner(parts: BannerParts): string {
  const [op, viewer] = DEMO_SIGN_INS;
  const curl = demoCurlLines(parts.url, parts.cwd);
  return [
    '',
    'idocgate DEMO — public demo credentials, a fake SAP, data in memory. Not a gateway for real use.',
    '',
    `  Console     ${parts.url}/console`,
    `  Sign in     ${op.username} / ${op.password} (${op.role})   ${viewer.username} / ${viewer.password} (${viewer.role}, read-only)`,
    `  API docs    ${parts.url}/docs`,
    `  Fake SAP    ${parts.receivers.sap}  (posts with status 53, rejects article 4799 with 51, sends its ALE audit back)`,
    `  WMS         ${parts.receivers.wms}`,
    `  PeopleSoft  ${parts.receivers.peoplesoft}`,
    '',
    ...(parts.pushbackProblem === undefined
      ? [
          `  Pushback    ${parts.url}/console/deliveries?delivery=${DEMO_PUSHBACK.delivery}`,
          `              delivery ${DEMO_PUSHBACK.delivery} (DC01 -> store S0124, shipped 4 days ago): the store received ${DEMO_PUSHBACK.received},`,
          `              the sweeper pushed back ${DEMO_PUSHBACK.missing} and the 10 labels (101 into HOLD, 301 back to DC01, SAP 53);`,
          `              the missing serial's journey: ${parts.url}/console/serials?serial=${DEMO_PUSHBACK.missing}`,
        ]
      : [`  Pushback    not seeded: ${parts.pushbackProblem}`]),
    '',
    '  Try it (1: SAP sends a delivery for the WMS, 2: a store handheld posts a goods receipt for SAP,',
    '  3: find it by serial number):',
    '',
    ...curl.map((c) => `    ${c}`),
    '',
    '  A real gateway: IDOCGATE_CONFIG=my.yaml npm start (or --config my.yaml); see config/idocgate.example.yaml.',
    '  Ctrl-C stops the demo; its messages are gone then.',
    '',
  ].join('\n');
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host))
    throw new DemoRefusedError(
      `the demo (started without a config) listens on a loopback address only (127.0.0.1, ::1, localhost), not ${host}: ` +
        'its credentials are public. Run a real gateway with --config <file> or IDOCGATE_CONFIG=<file>.',
    );
  const port = options.port ?? 8080;
  const receivers = await startDemoReceivers({ sap: 0, wms: 0, peoplesoft: 0 });
  let app: App | undefined;
  const prefix = `idocgate-demo-${process.pid}-${Date.now().toString(36)}`;
  try {
    const example = parseConfigText(readFileSync(DEMO_CONFIG_FILE, 'utf8'), DEMO_CONFIG_FILE);
    const raw = pointAtReceivers(example, receivers) as Record<string, unknown>;
    const stale = transportUrls(raw).filter((u) => /^http:\/\/127\.0\.0\.1:809\d(\/|$)/.test(u.url));
    if (stale.length > 0)
      throw new Error(
        `demo: ${DEMO_CONFIG_FILE} points at receivers the demo does not run: ${stale.map((s) => s.path).join(', ')}`,
      );
    raw['server'] = { ...(raw['server'] as object | undefined), host, port };
    raw['database'] = { dataDir: 'memory://' };
    raw['redis'] = { ...(raw['redis'] as object | undefined), prefix };
    // the pushback sweeper of the pushback example (stores, ship-tos, grace period, HOLD)
    raw['sweeper'] = (
      parseConfigText(readFileSync(DEMO_SWEEPER_FILE, 'utf8'), DEMO_SWEEPER_FILE) as { sweeper?: unknown }
    ).sweeper;
    const env: Record<string, string | undefined> = { ...options.env };
    delete env['DATABASE_URL'];
    const loaded = loadConfigObject(raw, `${DEMO_CONFIG_FILE} (demo)`, env);
    app = await buildApp({
      loaded,
      logger: options.logger,
      ...(options.searchPath !== undefined ? { searchPath: options.searchPath } : {}),
    });
    const address = await app.listen();
    const url = address;
    receivers.auditTo(url);
    // a pushed-back delivery to look at; the demo runs without it if it cannot be made
    const pushbackProblem = await seedPushback(url, {
      sap: DEMO_SAP_INBOUND,
      operator: DEMO_SIGN_INS[0],
      handheldKey: DEMO_HANDHELD_KEY,
    }).then(
      () => undefined,
      (err: unknown) => {
        options.logger.warn({ err }, 'demo: the pushed-back delivery was not seeded');
        return err instanceof Error ? err.message : String(err);
      },
    );
    const banner = demoBanner({
      url,
      receivers: receivers.urls,
      cwd: options.cwd ?? process.cwd(),
      ...(pushbackProblem !== undefined ? { pushbackProblem } : {}),
    });
    options.print(banner);
    receivers.printArrivals((line) => options.print(`${line}\n`));
    const started = app;
    let closing: Promise<void> | undefined;
    return {
      app: started,
      receivers,
      url,
      banner,
      close() {
        closing ??= (async () => {
          const spawned = started.redis.source === 'spawned';
          const redisOptions = started.redis.options;
          await started.close();
          await receivers.close();
          if (!spawned) await deleteKeys(redisOptions, prefix).catch(() => undefined);
        })();
        return closing;
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await receivers.close().catch(() => undefined);
    throw err;
  }
}

/** The demo's own prefix, deleted when it stops (src/redis/prefix-keys.ts). */
async function deleteKeys(options: RedisOptions, prefix: string): Promise<void> {
  const r = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    await deletePrefixKeys(r, prefix);
  } finally {
    r.disconnect();
  }
}
