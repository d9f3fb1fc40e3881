/**
 * Custody-path learning, memory and time (`npm run bench:custody-learn [events...]`, default
 * 200000 1000000): for each size, serial histories (announced on a DC -> store delivery,
 * shipped, received at the store — one in ten missed —, transferred to another store, sold; 5
 * events a serial, 20 serials a delivery) are loaded into the real serial_events table (all its
 * migrations and indexes) on PostgreSQL, then the custody-path model is learned in a fresh
 * child process each way:
 *
 *   paged      what the live rule, `idocgate models train --custody` and the integrity bench's
 *              replay run: learnCustodyFromLedger — keyset pages of 10 000 events by (material,
 *              serial, event_time, id) through the one learner (custodyLearner)
 *   in memory  the baseline, what the rule did before: every event read into one array
 *              (loadCustodyEvents), then learnCustody over it (the same learner)
 *
 * Figures per run: time, peak heap growth (heapUsed sampled every 5 ms and at every page, minus
 * the heap after a forced GC before learning), peak RSS growth, and retained heap (the most the
 * learning holds live: heap after a forced GC at every page / after the read). Targets: paged
 * heap growth at the largest size <= 1.5x that at the smallest (memory does not scale with the
 * events), paged peak heap at the largest size <= 0.2x the in-memory baseline's, paged time
 * <= 1.5x the baseline's, and the same model both ways.
 * PostgreSQL is DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a throw-away schema
 * dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { learnCustody } from '../src/intelligence/integrity/custody.js';
import { learnCustodyFromLedger } from '../src/ledger/serials/rules/custody-path.js';
import { loadCustodyEvents } from '../src/store/analytics/intelligence-repo.js';
import { openStore } from '../src/store/open-store.js';
import { custodyPathPort } from '../src/store/serials/custody-models.js';

const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const UNTIL = new Date('2026-06-01T00:00:00Z');
const EVENTS_PER_SERIAL = 5;

interface Figures {
  readonly path: 'paged' | 'in memory';
  readonly events: number;
  readonly seconds: number;
  readonly peakHeapMb: number;
  readonly peakRssMb: number;
  readonly retainedHeapMb: number;
  readonly modelHash: string;
}

const mb = (bytes: number): number => bytes / 1_048_576;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** The child: learns once one way, prints its figures as JSON. */
async function child(path: 'paged' | 'in memory', schema: string): Promise<void> {
  const store = await openStore({ databaseUrl: PG_URL, schema, poolSize: 2 });
  try {
    const db = store.db;
    const port = custodyPathPort(db, () => UNTIL);
    // warm the connection and the plan cache outside the measurement
    await port.custodyEventsPage(UNTIL, undefined, 10);
    gc();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    };
    const timer = setInterval(sample, 5);
    const run = async (forceGc: boolean): Promise<{ hash: string; events: number; retained: number }> => {
      let retained = 0;
      const held = (): void => {
        if (!forceGc) return sample();
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - base.heapUsed);
      };
      if (path === 'paged') {
        const r = await learnCustodyFromLedger(
          {
            async custodyEventsPage(until, afterId, limit) {
              const page = await port.custodyEventsPage(until, afterId, limit);
              held();
              return page;
            },
          },
          UNTIL,
          { threshold: 0.003 },
        );
        return { hash: hashModel(r.model), events: r.events, retained };
      }
      const events = await loadCustodyEvents(db);
      held();
      const model = learnCustody(events, { until: UNTIL, threshold: 0.003 });
      held();
      return { hash: hashModel(model), events: events.length, retained };
    };
    const t0 = performance.now();
    const timed = await run(false);
    const seconds = (performance.now() - t0) / 1000;
    sample();
    clearInterval(timer);
    const peakHeapMb = mb(peakHeap - base.heapUsed);
    const peakRssMb = mb(peakRss - base.rss);
    gc();
    const second = await run(true);
    const out: Figures = {
      path,
      events: timed.events,
      seconds,
      peakHeapMb,
      peakRssMb,
      retainedHeapMb: mb(second.retained),
      modelHash: timed.hash === second.hash ? timed.hash : 'DIFFERS BETWEEN RUNS',
    };
    console.log(JSON.stringify(out));
  } finally {
    await store.close();
  }
}

function hashModel(model: unknown): string {
  return createHash('sha256').update(JSON.stringify(model)).digest('hex').slice(0, 16);
}

/** Loads `events` serial events (5 a serial) into a fresh schema's serial_events. */
async function load(schema: string, events: number): Promise<void> {
  const store = await openStore({ databaseUrl: PG_URL, schema, poolSize: 2 });
  try {
    const serials = Math.ceil(events / EVENTS_PER_SERIAL);
    const t0 = performance.now();
    // serial s: announced on delivery s/20 (DC -> store), shipped a day later, received at the
    // store (one in ten missed: an 'other' scan instead), transferred to the next store after
    // 1-90 days, sold; the serials' histories spread over 300 days
    await store.db.query(
      `INSERT INTO serial_events (fingerprint, material, serial, movement, from_site, to_site, state_after,
                                  delivery, event_time, recorded_at)
       SELECT md5(s || ':' || k)::uuid,
              'M' || (s % 20),
              'SN' || lpad(s::text, 9, '0'),
              CASE k WHEN 0 THEN 'announced' WHEN 1 THEN 'shipped'
                     WHEN 2 THEN CASE WHEN s % 10 = 0 THEN 'other' ELSE 'received' END
                     WHEN 3 THEN 'transferred' ELSE 'issued' END,
              CASE WHEN k < 2 THEN 'DC0' || (s % 2 + 1)
                   ELSE 'S' || lpad(((s / 20) % 50)::text, 4, '0') END,
              CASE WHEN k < 3 THEN 'S' || lpad(((s / 20) % 50)::text, 4, '0')
                   WHEN k = 3 THEN 'S' || lpad(((s / 20 + 1 + s % 7) % 50)::text, 4, '0') END,
              'in-stock',
              CASE WHEN k < 3 THEN '8' || lpad((s / 20)::text, 9, '0') END,
              timestamptz '2025-01-01T00:00:00Z' + (s % 300) * interval '1 day' + (s % 86400) * interval '1 second'
                + CASE k WHEN 0 THEN interval '0' WHEN 1 THEN interval '1 day' WHEN 2 THEN interval '2 days'
                         WHEN 3 THEN interval '2 days' + (1 + s % 90) * interval '1 day'
                         ELSE interval '2 days' + (1 + s % 90 + s % 30) * interval '1 day' END,
              now()
         FROM generate_series(0, $1::int - 1) s, generate_series(0, $2::int - 1) k
        ORDER BY s, k`,
      [serials, EVENTS_PER_SERIAL],
    );
    await store.db.exec('VACUUM ANALYZE serial_events');
    console.log(
      `  loaded ${(serials * EVENTS_PER_SERIAL).toLocaleString('en-US')} serial events (${serials.toLocaleString('en-US')} serials) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    await store.close();
  }
}

function measure(path: 'paged' | 'in memory', schema: string): Figures {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', path, schema],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line === undefined) throw new Error(`child (${path}) failed: ${r.stderr}`);
  return JSON.parse(line) as Figures;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const list = sizes.length > 0 ? sizes : [200_000, 1_000_000];
  const results: { size: number; paged: Figures; memory: Figures }[] = [];
  const f = (n: number, d = 1): string => n.toFixed(d);
  for (const size of list) {
    const schema = `bench_custody_${process.pid}_${size}`;
    console.log(`custody-path learning, ${size.toLocaleString('en-US')} serial events (schema ${schema})`);
    try {
      await load(schema, size);
      const paged = measure('paged', schema);
      const memory = measure('in memory', schema);
      results.push({ size, paged, memory });
      for (const x of [paged, memory])
        console.log(
          `  ${x.path.padEnd(10)} ${f(x.seconds, 2)} s, peak heap +${f(x.peakHeapMb)} MB, peak RSS +${f(x.peakRssMb)} MB, retained heap ${f(x.retainedHeapMb)} MB (${x.events.toLocaleString('en-US')} events, model ${x.modelHash})`,
        );
    } finally {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  console.log('\nverdicts');
  if (results.length > 1) {
    const heap = last.paged.peakHeapMb / first.paged.peakHeapMb;
    const retained = last.paged.retainedHeapMb / first.paged.retainedHeapMb;
    const rss = last.paged.peakRssMb / Math.max(first.paged.peakRssMb, 1);
    const baseline = last.memory.peakHeapMb / first.memory.peakHeapMb;
    console.log(
      `  paged heap growth ${last.size.toLocaleString('en-US')} / ${first.size.toLocaleString('en-US')} events: peak ${f(heap, 2)}x (retained ${f(retained, 2)}x, RSS ${f(rss, 2)}x; in memory ${f(baseline, 2)}x) — target <= 1.5x: ${verdict(heap <= 1.5 && retained <= 1.5)}`,
    );
  }
  for (const r of results) {
    const heap = r.paged.peakHeapMb / r.memory.peakHeapMb;
    const time = r.paged.seconds / r.memory.seconds;
    const heapVerdict = r === last ? ` (target <= 0.2x: ${verdict(heap <= 0.2)})` : '';
    console.log(
      `  ${r.size.toLocaleString('en-US')} events: paged / in memory peak heap ${f(heap, 3)}x${heapVerdict}, time ${f(time, 2)}x (target <= 1.5x: ${verdict(time <= 1.5)}), same model: ${verdict(r.paged.modelHash === r.memory.modelHash)}`,
    );
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] as 'paged' | 'in memory', process.argv[at + 2]!);
else await main();
