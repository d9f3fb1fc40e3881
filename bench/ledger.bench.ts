/**
 * Serial ledger benchmark on PostgreSQL (`npm run bench:ledger [serials] [applyEvents]`).
 *
 * 1. Apply: `applyEvents` (default 200 000) serial events in batches of 5 000 through the ledger's
 *    applyDrafts (fingerprint check, state look-up with row locks, pre-allocated ids, events,
 *    states, event rules) -> events/s; in the same run the same rows as a plain batched
 *    INSERT ... SELECT FROM unnest(...) into a copy of serial_events with the same indexes, the
 *    baseline (target: apply >= 0.5x baseline).
 * 2. Scale: `serials` (default 10 000 000) serials with one event each, loaded with
 *    INSERT ... SELECT generate_series (indexes dropped during the load and rebuilt), then:
 *    VACUUM (ANALYZE) — the state a table is in once autovacuum has run; without it the first
 *    read of each freshly loaded page sets hint bits and dirties it, and the read path writes.
 *    Then one-serial history p50/p95/p99 over 1 000 random, mostly cold serials each: the
 *    former two statements (state, then events), the one-statement serialLookup with the
 *    material, and serialLookup without it (serial_state (serial) index) — target well under
 *    10 ms; and a recall of 10 000 listed serials.
 * PostgreSQL is DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a throw-away schema
 * that is dropped at the end.
 */
import pg from 'pg';
import { defaultLedgerConfig } from '../src/config/ledger.js';
import type { DraftWithSource } from '../src/ledger/serials/apply.js';
import { buildSiteDirectory } from '../src/ledger/serials/sites.js';
import type { Movement } from '../src/ledger/serials/types.js';
import { openStore } from '../src/store/open-store.js';
import { applyDrafts, lockLedger } from '../src/store/serials/repo.js';
import { recall, serialHistory, serialLookup, serialState } from '../src/store/serials/queries.js';

const SERIALS = Number(process.argv[2] ?? 10_000_000);
const APPLY_EVENTS = Number(process.argv[3] ?? 200_000);
const BATCH = 5000;
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_ledger_${process.pid}`;

const config = defaultLedgerConfig({});
const sites = buildSiteDirectory([], config);
const t0 = Date.parse('2025-01-01T00:00:00Z');

/** Event i: serials move received -> shipped -> received, 2 events per serial on average. */
function drafts(): DraftWithSource[] {
  const out: DraftWithSource[] = [];
  const moves: Movement[] = ['received', 'shipped', 'received'];
  for (let i = 0; i < APPLY_EVENTS; i++) {
    const serial = `A${Math.floor(i / 2)}`;
    const step = i % 2 === 0 ? 0 : 1 + (Math.floor(i / 2) % 2);
    const movement = moves[step]!;
    out.push({
      draft: {
        material: `M${i % 50}`,
        serial,
        movement,
        moveType: null,
        fromSite: movement === 'shipped' ? 'DC01' : null,
        fromSloc: null,
        toSite: movement === 'shipped' ? 'S0123' : 'DC01',
        toSloc: '0001',
        handlingUnit: null,
        delivery: movement === 'shipped' ? String(80000000 + (i % 1000)) : null,
        partner: null,
        eventTime: new Date(t0 + i * 1000),
        docRef: `D${i}`,
      },
      messageId: null,
    });
  }
  return out;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const EVENT_INDEXES = [
  'CREATE UNIQUE INDEX serial_events_fingerprint_uq ON serial_events (fingerprint)',
  'CREATE INDEX serial_events_serial_idx ON serial_events (material, serial, event_time, id)',
  'CREATE INDEX serial_events_delivery_idx ON serial_events (delivery) WHERE delivery IS NOT NULL',
  'CREATE INDEX serial_events_hu_idx ON serial_events (handling_unit) WHERE handling_unit IS NOT NULL',
  'CREATE INDEX serial_events_time_idx ON serial_events (event_time, id)',
];
const STATE_INDEXES = [
  'CREATE INDEX serial_state_site_idx ON serial_state (site, state)',
  'CREATE INDEX serial_state_serial_idx ON serial_state (serial)',
  'CREATE INDEX serial_state_state_since_idx ON serial_state (state, since)',
  'CREATE INDEX serial_state_delivery_idx ON serial_state (delivery) WHERE delivery IS NOT NULL',
  'CREATE INDEX serial_state_hu_idx ON serial_state (handling_unit) WHERE handling_unit IS NOT NULL',
];

async function main(): Promise<void> {
  const store = await openStore({ databaseUrl: PG_URL, schema: SCHEMA, poolSize: 4 });
  const db = store.db;
  try {
    console.log(`serial ledger on PostgreSQL (schema ${SCHEMA})`);
    // --- 1. apply vs plain insert --------------------------------------------------------
    const items = drafts();
    await db.exec('CREATE TABLE bench_plain (LIKE serial_events INCLUDING ALL)');
    const now = new Date();
    const applyMs = await timeMs(async () => {
      for (let i = 0; i < items.length; i += BATCH) {
        await db.transaction(async (tx) => {
          await lockLedger(tx, false);
          await applyDrafts(tx, items.slice(i, i + BATCH), { sites, rules: config.rules, now });
        });
      }
    });
    const { rows: evRows } = await db.query(
      'SELECT id, fingerprint, material, serial, movement, move_type, from_site, from_sloc, to_site, to_sloc, state_after, handling_unit, delivery, partner, event_time, doc_ref, message_id, recorded_at FROM serial_events ORDER BY id',
    );
    const col = (c: string): unknown[] => evRows.map((r) => r[c]);
    const plainMs = await timeMs(async () => {
      for (let i = 0; i < evRows.length; i += BATCH) {
        const slice = (c: string): unknown[] => col(c).slice(i, i + BATCH);
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO bench_plain SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
               $15::timestamptz[], $16::text[], $17::uuid[], $18::timestamptz[])`,
            [
              'id',
              'fingerprint',
              'material',
              'serial',
              'movement',
              'move_type',
              'from_site',
              'from_sloc',
              'to_site',
              'to_sloc',
              'state_after',
              'handling_unit',
              'delivery',
              'partner',
              'event_time',
              'doc_ref',
              'message_id',
              'recorded_at',
            ].map(slice),
          );
        });
      }
    });
    const applyRate = (items.length * 1000) / applyMs;
    const plainRate = (evRows.length * 1000) / plainMs;
    console.log(
      `  apply ${fmt(items.length)} events (batches of ${BATCH})        ${fmt(applyRate)} events/s`,
    );
    console.log(`  plain batched INSERT of the same rows (baseline)   ${fmt(plainRate)} rows/s`);
    console.log(
      `  apply / baseline                                  ${(applyRate / plainRate).toFixed(2)}x (target >= 0.5x)`,
    );
    await db.exec('DROP TABLE bench_plain');

    // --- 2. 10M serials ------------------------------------------------------------------
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${SCHEMA}` });
    await client.connect();
    try {
      await client.query("SET maintenance_work_mem = '512MB'");
      await client.query('SET synchronous_commit = off');
      const load = await timeMs(async () => {
        for (const i of [...EVENT_INDEXES, ...STATE_INDEXES])
          await client.query(`DROP INDEX IF EXISTS ${/INDEX (\w+)/.exec(i)![1]}`);
        const chunk = 2_000_000;
        for (let from = 1; from <= SERIALS; from += chunk) {
          const to = Math.min(SERIALS, from + chunk - 1);
          await client.query(
            `INSERT INTO serial_events (id, fingerprint, material, serial, movement, to_site, to_sloc, state_after, event_time, doc_ref, recorded_at)
             SELECT 100000000 + g, md5('b' || g)::uuid, 'B' || (g % 1000), 'X' || g, 'received', 'S' || (g % 500), '0001', 'in-stock',
                    timestamptz '2024-01-01' + g * interval '1 second', 'BULK', now()
               FROM generate_series($1::bigint, $2::bigint) g`,
            [from, to],
          );
          await client.query(
            `INSERT INTO serial_state (material, serial, state, site, sloc, since, since_event_id, last_event_id, last_movement, last_event_at, event_count)
             SELECT 'B' || (g % 1000), 'X' || g, 'in-stock', 'S' || (g % 500), '0001', timestamptz '2024-01-01' + g * interval '1 second',
                    100000000 + g, 100000000 + g, 'received', timestamptz '2024-01-01' + g * interval '1 second', 1
               FROM generate_series($1::bigint, $2::bigint) g`,
            [from, to],
          );
        }
        for (const i of [...EVENT_INDEXES, ...STATE_INDEXES]) await client.query(i);
        await client.query('VACUUM (ANALYZE) serial_events');
        await client.query('VACUUM (ANALYZE) serial_state');
      });
      console.log(
        `  loaded ${fmt(SERIALS)} serials + events and rebuilt indexes in ${(load / 1000).toFixed(1)} s`,
      );
    } finally {
      await client.end();
    }
    const { rows: count } = await db.query<{ n: string }>('SELECT count(*) AS n FROM serial_state');
    console.log(`  serials in the ledger: ${fmt(Number(count[0]!.n))}`);

    const pick = (): { material: string; serial: string } => {
      const g = 1 + Math.floor(Math.random() * SERIALS);
      return { material: `B${g % 1000}`, serial: `X${g}` };
    };
    for (let i = 0; i < 50; i++) {
      const p = pick();
      await serialLookup(db, p.material, p.serial);
      await serialLookup(db, undefined, p.serial);
      await serialState(db, p.material, p.serial);
      await serialHistory(db, p.material, p.serial);
    }
    // Interleaved, a fresh random serial for each measure (mostly cold pages).
    const two: number[] = [];
    const one: number[] = [];
    const bySerial: number[] = [];
    for (let i = 0; i < 1000; i++) {
      let p = pick();
      two.push(
        await timeMs(async () => {
          await serialState(db, p.material, p.serial);
          await serialHistory(db, p.material, p.serial);
        }),
      );
      p = pick();
      one.push(await timeMs(() => serialLookup(db, p.material, p.serial)));
      p = pick();
      bySerial.push(await timeMs(() => serialLookup(db, undefined, p.serial)));
    }
    const dist = (v: number[]): string =>
      `p50 ${pct(v, 50).toFixed(2)} ms, p95 ${pct(v, 95).toFixed(2)} ms, p99 ${pct(v, 99).toFixed(2)} ms`;
    console.log(`  one-serial history, two statements (state, events)  ${dist(two)}`);
    console.log(
      `  one-serial history, one statement (serialLookup)   ${dist(one)} (target well under 10 ms)`,
    );
    console.log(`  the same without the material (by serial alone)    ${dist(bySerial)}`);
    const g0 = 1 + Math.floor(Math.random() * Math.max(1, Math.min(1000, SERIALS - 9_999_000)));
    const material = `B${g0 % 1000}`;
    // 10 000 serials of one material: g = g0 + k * 1000 all share g % 1000.
    const serials = Array.from({ length: 10_000 }, (_, k) => `X${g0 + k * 1000}`).filter(
      (s) => Number(s.slice(1)) <= SERIALS,
    );
    const recallTimes: number[] = [];
    let found = 0;
    for (let i = 0; i < 3; i++) {
      recallTimes.push(
        await timeMs(async () => {
          const r = await recall(db, { material, serials });
          found = r.total - r.notFound;
        }),
      );
    }
    console.log(
      `  recall of ${fmt(serials.length)} listed serials (${fmt(found)} found)         ${Math.min(...recallTimes).toFixed(0)} ms (best of 3), first ${recallTimes[0]!.toFixed(0)} ms`,
    );
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.end();
  }
}

await main();
