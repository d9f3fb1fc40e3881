/**
 * The abuse suite's gateway: the real one (test/e2e/helpers.ts: buildApp, BullMQ on the local
 * Redis under a prefix of its own, PGlite in memory, fake SAP and WMS on real HTTP) with a second
 * SAP port, a viewer, a partner with basic credentials and a larger body limit, so that 100k
 * segments reach the parser instead of the body limit. Plus what the tests measure: rows in the
 * store, heap/RSS and event-loop delay around a request, and the routes Fastify really serves.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { hashPassword } from '../../src/api/credentials.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { startE2E, type E2E } from '../e2e/helpers.js';

export const VIEWER = { username: 'vera', password: 'abuse-viewer-pw-77' } as const;
export const SAP_Q = { username: 'SAPS4Q', password: 'abuse-s4q-inbound-pw' } as const;
export const WMS_BASIC = { username: 'wms-basic', password: 'abuse-wms-basic-pw' } as const;
/** The DELVRY07 (WHSORD) the WMS mapping takes, as canonical JSON, and as SAP's IDoc-XML. */
export const DELVRY07_JSON = readFileSync(
  'fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json',
);
export const DELVRY07_XML = convertIdocs(DELVRY07_JSON, 'xml', loadDefinitions()).output;
/** A handheld goods receipt (scan id HH-7F3A-000184). */
export const SCAN = readFileSync(
  'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
  'utf8',
);

/** The `code` of a JSON problem body, or undefined when the body is not one. */
export function codeOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** Body limit of the abuse gateway (the e2e default is 1 MB). */
export const BODY_LIMIT = 8 * 1024 * 1024;

export async function startAbuseGateway(label: string): Promise<E2E> {
  const viewerHash = await hashPassword(VIEWER.password, { N: 1024, r: 8, p: 1 });
  return startE2E(
    label,
    { dataDir: 'memory://' },
    {
      configure: (c) => {
        const config = c as unknown as Record<string, Record<string, unknown>>;
        config['server'] = { ...config['server'], bodyLimit: BODY_LIMIT };
        (config['operators'] as Record<string, unknown>)[VIEWER.username] = {
          role: 'viewer',
          passwordHash: viewerHash,
        };
        const s4h = (config['ports'] as Record<string, { control: Record<string, string> }>)['S4H']!;
        (config['ports'] as Record<string, unknown>)['S4Q'] = {
          ...s4h,
          inboundAuth: { username: SAP_Q.username, passwordEnv: 'ABUSE_S4Q_IN_PASSWORD' },
          control: { ...s4h.control, RCVPOR: 'SAPS4Q', RCVPRN: 'S4QCLNT200' },
        };
        const wms = (config['partners'] as Record<string, { credentials: Record<string, unknown> }>)['wms']!;
        wms.credentials = {
          ...wms.credentials,
          basic: { username: WMS_BASIC.username, passwordEnv: 'ABUSE_WMS_BASIC_PASSWORD' },
        };
      },
      envExtra: {
        ABUSE_S4Q_IN_PASSWORD: SAP_Q.password,
        ABUSE_WMS_BASIC_PASSWORD: WMS_BASIC.password,
      },
    },
  );
}

/** Rows of the tables a posting writes (messages, versions, keys, history, audit). */
export async function storeCounts(e: E2E): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'messages',
    'message_versions',
    'message_keys',
    'message_status_history',
    'audit_log',
  ]) {
    const r = await e.app.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

export interface Measured<T> {
  readonly value: T;
  readonly ms: number;
  /** Largest event-loop delay seen while it ran (ms). */
  readonly loopMaxMs: number;
  /** Heap and RSS after minus before (MB, after a GC when --expose-gc is on). */
  readonly heapMb: number;
  readonly rssMb: number;
}

// A GC before and after each measurement, so heap growth is what the request kept, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and RSS after the last measurement's GC (the next one starts from there: one GC each). */
let settled: NodeJS.MemoryUsage | undefined;

/** Runs `fn` and measures time, event-loop delay and memory growth around it. */
export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  if (settled === undefined) {
    gc();
    settled = process.memoryUsage();
  }
  const before = settled;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  h.disable();
  gc();
  const after = process.memoryUsage();
  settled = after;
  return {
    value,
    ms,
    loopMaxMs: h.max / 1e6,
    heapMb: (after.heapUsed - before.heapUsed) / 2 ** 20,
    rssMb: (after.rss - before.rss) / 2 ** 20,
  };
}

export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/**
 * Every route Fastify serves, read from `printRoutes({ commonPrefix: false })` (a tree: each
 * level indents by four characters and its path continues its parent's), HEAD left out.
 */
export function servedRoutes(tree: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = [...(m[1] ?? '')].length / 4;
    stack.length = depth;
    const full = (depth > 0 ? stack[depth - 1]! : '') + m[2];
    stack[depth] = full;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean))
      if (method !== 'HEAD') out.push({ method, path: full });
  }
  return out;
}
