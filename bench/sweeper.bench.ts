/**
 * Pushback sweeper benchmark: `npm run bench:sweeper [-- total overdue pglite|postgres]`.
 *
 *  1. 100 000 open deliveries (2 items, 2 expected serials each) of which 10 % (10 000) are
 *     overdue: one real run (lease, decision per delivery, 2 MBGMCR03 postings each through the
 *     pipeline poster into the message store and the ordering/queue bookkeeping; the BullMQ
 *     enqueue itself is an in-memory stand-in, so Redis is not measured). Prints deliveries
 *     scanned per second and postings created per second.
 *  2. Cost follows the overdue deliveries, not the total: the same 1 000 overdue deliveries
 *     among 10 000 and among 100 000 open ones, run time of each.
 *
 * PostgreSQL (DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, a throw-away schema each)
 * when it answers, else embedded PGlite in a temp directory. Rows are bulk-inserted with SQL.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { configSchema } from '../src/config/schema.js';
import { defaultSweeperConfig } from '../src/config/sweeper.js';
import type { WorkQueue } from '../src/pipeline/queue-port.js';
import { createDeliveryLedgerStore } from '../src/store/deliveries/store.js';
import { openStore, type OpenedStore } from '../src/store/open-store.js';
import { pipelinePoster } from '../src/sweeper/pipeline-poster.js';
import { GRACE_SETTING, graceFingerprint, runSweeper } from '../src/sweeper/run.js';

const TOTAL = Number(process.argv[2] ?? 100_000);
const OVERDUE = Number(process.argv[3] ?? TOTAL / 10);
const ONLY = process.argv[4];
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.parse('2024-06-01T00:00:00Z');
const DAY = 86_400_000;

const config = configSchema.parse({
  ports: {
    SAP: {
      transport: { kind: 'sap-xml-http', url: 'http://127.0.0.1:1/sap/bc/idoc_xml' },
      control: { MANDT: '100' },
    },
  },
});
const sweeper = defaultSweeperConfig({
  enabled: true,
  port: 'SAP',
  gracePeriod: '48h',
  batchSize: 500,
  maxPerRun: 1_000_000,
  concurrency: 8,
});

const nullQueue: WorkQueue = {
  enqueue: () => Promise.resolve(),
  jobState: () => Promise.resolve('waiting'),
  depths: () => Promise.resolve({}),
  close: () => Promise.resolve(),
};

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

interface Db {
  store: OpenedStore;
  drop(): Promise<void>;
}

async function openBackend(kind: 'postgres' | 'pglite'): Promise<Db> {
  if (kind === 'postgres') {
    const schema = `bench_sweeper_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const store = await openStore({ databaseUrl: PG_URL, schema, clock: () => new Date(NOW) });
    return {
      store,
      async drop() {
        await store.close();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'idocgate-bench-sweeper-'));
  const store = await openStore({ dataDir: dir, clock: () => new Date(NOW) });
  return {
    store,
    async drop() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `total` open deliveries; every (total/overdue)-th one is past due. */
async function seed(store: OpenedStore, total: number, overdue: number): Promise<void> {
  const every = Math.max(1, Math.floor(total / overdue));
  const gi = new Date(NOW - 10 * DAY);
  const past = new Date(NOW - 8 * DAY);
  const future = new Date(NOW + 30 * DAY);
  await store.db.query(
    `INSERT INTO delivery_ledger (delivery, sap_delivery, origin_site, origin_plant, origin_sloc, dest_site, dest_plant,
            dest_sloc, ship_to, goods_issue_at, due_at, state, expected_qty, outstanding_qty, created_at, updated_at)
     SELECT (90000000 + g)::text, lpad((90000000 + g)::text, 10, '0'), 'DC01', '1000', '0001', 'S0124', '0124', '0001',
            '100201', $1, CASE WHEN g % $3 = 0 AND g / $3 <= $4 THEN $5::timestamptz ELSE $6::timestamptz END,
            'open', 12, 12, $1, $1
       FROM generate_series(1, $2) g`,
    [gi, total, every, overdue, past, future],
  );
  await store.db.query(
    `INSERT INTO delivery_ledger_items (delivery, position, material, sap_material, expected_qty, unit, plant, sloc,
            po_number, po_item)
     SELECT (90000000 + g)::text, p::text, m, lpad(m, 18, '0'), q, 'PCE', '1000', '0001',
            (4500000000 + g)::text, lpad(p::text, 6, '0')
       FROM generate_series(1, $1) g,
            (VALUES (10, '4711', 2.000), (20, '100200300', 10.000)) AS i(p, m, q)`,
    [total],
  );
  await store.db.query(
    `INSERT INTO delivery_ledger_serials (delivery, material, serial, position)
     SELECT (90000000 + g)::text, '4711', 'SN' || g || '-' || s, '10'
       FROM generate_series(1, $1) g, generate_series(1, 2) s`,
    [total],
  );
  await store.db.query('ANALYZE delivery_ledger');
  await store.db.query(
    `INSERT INTO sweeper_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
    [GRACE_SETTING, graceFingerprint(sweeper)],
  );
}

async function run(store: OpenedStore): Promise<{ ms: number; scanned: number; postings: number }> {
  const clock = { now: () => NOW };
  const ledger = createDeliveryLedgerStore(store.db);
  const poster = pipelinePoster({ store, queue: nullQueue, logger: silent, clock, config });
  const t0 = performance.now();
  const r = await runSweeper({ ledger, poster, config: sweeper, timeZone: 'UTC', clock, newId: randomUUID });
  const ms = performance.now() - t0;
  return { ms, scanned: r.scanned, postings: r.postings };
}

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

async function scenario(
  kind: 'postgres' | 'pglite',
  total: number,
  overdue: number,
): Promise<{ ms: number; scanned: number; postings: number }> {
  const db = await openBackend(kind);
  try {
    const t0 = performance.now();
    await seed(db.store, total, overdue);
    const seedMs = performance.now() - t0;
    const r = await run(db.store);
    console.log(
      `  ${String(total).padStart(7)} open, ${String(overdue).padStart(6)} overdue: run ${(r.ms / 1000).toFixed(2)} s` +
        ` | ${Math.round((r.scanned * 1000) / r.ms)} deliveries scanned/s | ${Math.round((r.postings * 1000) / r.ms)} postings created/s` +
        ` | ${r.scanned} pushed back, ${r.postings} postings (seed ${(seedMs / 1000).toFixed(1)} s)`,
    );
    return r;
  } finally {
    await db.drop();
  }
}

const kinds: ('postgres' | 'pglite')[] =
  ONLY === 'pglite'
    ? ['pglite']
    : ONLY === 'postgres'
      ? ['postgres']
      : [(await postgresAnswers()) ? 'postgres' : 'pglite'];
for (const kind of kinds) {
  console.log(`pushback sweeper on ${kind}`);
  console.log(`1) ${TOTAL} open deliveries, ${OVERDUE} overdue (one run)`);
  await scenario(kind, TOTAL, OVERDUE);
  const fixed = Math.max(1, Math.round(OVERDUE / 10));
  console.log(`2) the same ${fixed} overdue among ${TOTAL / 10} and among ${TOTAL} open deliveries`);
  const small = await scenario(kind, TOTAL / 10, fixed);
  const large = await scenario(kind, TOTAL, fixed);
  console.log(
    `   run time ratio ${TOTAL}/${TOTAL / 10} total: ${(large.ms / small.ms).toFixed(2)} (1.0 = independent of the total)`,
  );
}
