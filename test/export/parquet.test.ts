/**
 * The Parquet export on PGlite and PostgreSQL, read back with DuckDB: every dataset's row count
 * and sums match the database, rows sit in the partition of their date, a re-run writes nothing,
 * new rows go to new files only, and a crash between the files and the cursor commit leaves no
 * duplicate once the next run has recovered.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, type DatasetName } from '../../src/export/datasets.js';
import { runExport, type ExportSink } from '../../src/export/run.js';
import { runForecasts } from '../../src/forecast/run.js';
import { exportSource } from '../../src/store/analytics/export-source.js';
import { forecastPort } from '../../src/store/analytics/forecast-repo.js';
import { openParquetSink, type ParquetSink } from '../../src/store/analytics/parquet-sink.js';
import { createRiskScoreLog } from '../../src/store/analytics/risk-scores-repo.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

/** Delivery ledger, alert rows written straight into their tables (n of each, ids in order). */
async function seedDeliveryFacts(h: LedgerHarness, from: number, n: number): Promise<void> {
  const db = h.store.db;
  // and one at-risk model version (the table of migration 0050)
  await db.query(
    `INSERT INTO risk_models (kind, model, metrics, trained_at, trained_by)
     VALUES ('logistic-l2', $1::jsonb, '{"auc": 0.8}'::jsonb, now() - interval '1 hour', 'test')`,
    [JSON.stringify({ weights: [from, 0.5], bias: -1 })],
  );
  // recorded at-risk scores (migration 0070), through the gateway's score log
  await createRiskScoreLog(db).record(
    Array.from({ length: n }, (_, k) => ({
      delivery: `D${from + k}`,
      modelVersion: 1,
      probability: ((from + k) % 97) / 100,
      reasons: [{ feature: 'lane_partial_rate' as const, value: k, contribution: 0.25 }],
      asOf: new Date(Date.parse('2025-02-01T10:00:00Z') + (k % 5) * 86_400_000),
    })),
    new Date(Date.now() - 3_600_000 - from * 1000),
    'alert-job',
  );
  await db.query(
    `INSERT INTO delivery_ledger (delivery, sap_delivery, origin_site, dest_site, goods_issue_at, due_at, state,
                                  created_at, updated_at)
     SELECT 'D' || i, 'D' || i, 'DC01', 'S0123', now(), now(), 'open', now(), now()
       FROM generate_series($1::int, $2::int) i`,
    [from, from + n - 1],
  );
  await db.query(
    `INSERT INTO delivery_ledger_receipts (delivery, message_id, line, source, material, quantity, unit, serials,
                                           event_at, recorded_at)
     SELECT 'D' || i, gen_random_uuid(), 1, 'handheld', '4711', (i % 7) + 0.5, 'ST', '["A","B"]'::jsonb,
            timestamptz '2025-02-01 23:30:00+00' + (i % 9) * interval '1 day', now() - interval '1 hour'
       FROM generate_series($1::int, $2::int) i`,
    [from, from + n - 1],
  );
  await db.query(
    `INSERT INTO delivery_ledger_milestones (delivery, message_id, kind, event_at, recorded_at)
     SELECT 'D' || i, gen_random_uuid(), CASE WHEN i % 2 = 0 THEN 'picked' ELSE 'goods-issued' END,
            timestamptz '2025-02-01 10:00:00+00' + (i % 5) * interval '1 day',
            timestamptz '2025-02-10 00:00:00+00' + $1 * interval '1 second' + (i % 3) * interval '1 microsecond'
       FROM generate_series($1::int, $2::int) i`,
    [from, from + n - 1],
  );
  await db.query(
    `INSERT INTO delivery_discrepancies (delivery, origin_site, dest_site, missing_qty, missing_serials, items, created_at)
     SELECT 'D' || i, 'DC01', 'S0123', i % 4 + 1, i % 4 + 1, '[]'::jsonb, now() - interval '1 hour'
       FROM generate_series($1::int, $2::int) i WHERE i % 3 = 0`,
    [from, from + n - 1],
  );
  await db.query(
    `INSERT INTO serial_alerts (rule, severity, material, serial, summary, evidence, dedupe_key, detected_at,
                                created_at, updated_at)
     SELECT 'frequency', 'warning', '4711', 'SN' || i, 'moved often', '{"n": 3}'::jsonb, 'k' || i,
            timestamptz '2025-02-03 00:00:00+00' + (i % 4) * interval '1 day', now() - interval '1 hour', now()
       FROM generate_series($1::int, $2::int) i WHERE i % 5 = 0`,
    [from, from + n - 1],
  );
}

/** What the database says each dataset holds: count and a sum over a numeric column. */
const DB_FACTS: Record<DatasetName, string> = {
  serial_events: 'SELECT count(*)::int AS n, coalesce(sum(id), 0)::float8 AS s FROM serial_events',
  delivery_receipts:
    'SELECT count(*)::int AS n, coalesce(sum(quantity), 0)::float8 AS s FROM delivery_ledger_receipts',
  delivery_milestones: `SELECT count(*)::int AS n, count(*) FILTER (WHERE kind = 'picked')::float8 AS s FROM delivery_ledger_milestones`,
  serial_alerts: 'SELECT count(*)::int AS n, coalesce(sum(id), 0)::float8 AS s FROM serial_alerts',
  delivery_discrepancies:
    'SELECT count(*)::int AS n, coalesce(sum(missing_qty), 0)::float8 AS s FROM delivery_discrepancies',
  forecasts: `SELECT count(*)::int AS n, coalesce(sum(mean), 0)::float8 AS s FROM forecasts WHERE grain = 'day'`,
  forecasts_weekly: `SELECT count(*)::int AS n, coalesce(sum(mean), 0)::float8 AS s FROM forecasts WHERE grain = 'week'`,
  // one row per message state; the harness's clock stands still, so no message changes after its export
  messages: 'SELECT count(*)::int AS n, coalesce(sum(receipt_seq), 0)::float8 AS s FROM messages',
  message_status_changes:
    'SELECT count(*)::int AS n, coalesce(sum(id), 0)::float8 AS s FROM message_status_history',
  risk_models: 'SELECT count(*)::int AS n, coalesce(sum(version), 0)::float8 AS s FROM risk_models',
  risk_scores: 'SELECT count(*)::int AS n, coalesce(sum(probability), 0)::float8 AS s FROM risk_scores',
};
const LAKE_SUM: Record<DatasetName, string> = {
  serial_events: 'sum(id)',
  delivery_receipts: 'sum(quantity)',
  delivery_milestones: "count(*) FILTER (WHERE kind = 'picked')",
  serial_alerts: 'sum(id)',
  delivery_discrepancies: 'sum(missing_qty)',
  forecasts: 'sum(mean)',
  forecasts_weekly: 'sum(mean)',
  messages: 'sum(receipt_seq)',
  message_status_changes: 'sum(id)',
  risk_models: 'sum(version)',
  risk_scores: 'sum(probability)',
};
const PARTITION: Record<DatasetName, string> = {
  serial_events: 'event_time',
  delivery_receipts: 'event_at',
  delivery_milestones: 'event_at',
  serial_alerts: 'detected_at',
  delivery_discrepancies: 'created_at',
  forecasts: 'as_of',
  forecasts_weekly: 'as_of',
  messages: 'updated_at',
  message_status_changes: '"at"',
  risk_models: 'trained_at',
  risk_scores: 'scored_at',
};
const UNIQUE: Record<DatasetName, string> = {
  serial_events: 'id',
  delivery_receipts: 'id',
  delivery_milestones: 'delivery || message_id || kind',
  serial_alerts: 'id',
  delivery_discrepancies: 'id',
  forecasts: 'run_id || material || site || day',
  forecasts_weekly: 'run_id || material || site || week_start',
  messages: 'message_id || CAST(updated_at AS VARCHAR)',
  message_status_changes: 'id',
  risk_models: 'version',
  risk_scores: 'id',
};

for (const backend of backends('export_parquet')) {
  describe.skipIf(!backend.available)(`Parquet export on ${backend.name}`, () => {
    let h: LedgerHarness;
    let dir: string;
    let duck: DuckDBInstance;
    let conn: DuckDBConnection;
    const traffic = generateTraffic({ serials: 90, days: 30, seed: 3 });

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of traffic.slice(0, Math.floor(traffic.length / 2))) await h.deliver(m);
      await h.catchUp();
      await seedDeliveryFacts(h, 1, 120);
      await runForecasts(forecastPort(h.store.db), { asOf: '2025-01-25', horizon: 14 });
      dir = await mkdtemp(join(tmpdir(), 'idocgate-lake-'));
      duck = await DuckDBInstance.create(':memory:');
      conn = await duck.connect();
      await conn.run("SET TimeZone = 'UTC'");
    });
    afterAll(async () => {
      conn?.closeSync();
      duck?.closeSync();
      await h?.store.close();
      await backend.cleanup();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function lake(
      ds: DatasetName,
    ): Promise<{ n: number; s: number; distinct: number; misplaced: number }> {
      const files = join(dir, ds, '*', 'part-*.parquet');
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, coalesce(${LAKE_SUM[ds]}, 0)::DOUBLE AS s,
                count(DISTINCT ${UNIQUE[ds]})::INTEGER AS distinct,
                count(*) FILTER (WHERE CAST(dt AS VARCHAR) <> strftime(${PARTITION[ds]}, '%Y-%m-%d'))::INTEGER AS misplaced
           FROM read_parquet('${files}', hive_partitioning = true)`,
      );
      const row = r.getRowObjectsJS()[0] as { n: number; s: number; distinct: number; misplaced: number };
      return row;
    }

    async function expectLakeMatchesDb(): Promise<void> {
      for (const ds of DATASET_NAMES) {
        const { rows } = await h.store.db.query<{ n: number; s: number }>(DB_FACTS[ds]);
        const db = rows[0]!;
        expect(db.n, ds).toBeGreaterThan(0);
        const l = await lake(ds);
        expect({ ds, n: l.n, distinct: l.distinct, misplaced: l.misplaced }).toEqual({
          ds,
          n: db.n,
          distinct: db.n,
          misplaced: 0,
        });
        expect(l.s, ds).toBeCloseTo(db.s, 6);
      }
    }

    it('writes every dataset as Hive-partitioned Parquet that matches the database', async () => {
      const sink = await openParquetSink(dir);
      try {
        const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, { batchSize: 100 });
        expect(r.find((x) => x.dataset === 'serial_events')!.batches).toBeGreaterThan(1);
      } finally {
        sink.close();
      }
      await expectLakeMatchesDb();
      const parts = await readdir(join(dir, 'serial_events'));
      expect(parts.every((p) => /^dt=\d{4}-\d{2}-\d{2}$/.test(p))).toBe(true);
      // timestamps keep their microseconds and time zone; the manifest lists every file
      const m = await conn.runAndReadAll(
        `SELECT count(DISTINCT recorded_at)::INTEGER AS n FROM read_parquet('${join(dir, 'delivery_milestones', '*', '*.parquet')}')`,
      );
      expect((m.getRowObjectsJS()[0] as { n: number }).n).toBe(3);
      // every event time arrives to the microsecond
      const us = await conn.runAndReadAll(
        `SELECT sum(epoch_us(event_time))::VARCHAR AS s FROM read_parquet('${join(dir, 'serial_events', '*', '*.parquet')}')`,
      );
      const pgUs = await h.store.db.query<{ s: string }>(
        `SELECT sum((extract(epoch FROM event_time) * 1000000)::bigint)::text AS s FROM serial_events`,
      );
      expect((us.getRowObjectsJS()[0] as { s: string }).s).toBe(pgUs.rows[0]!.s);
      const files = await h.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM export_files`);
      const onDisk = (
        await Promise.all(
          DATASET_NAMES.map(async (ds) =>
            (await Promise.all((await readdir(join(dir, ds))).map((p) => readdir(join(dir, ds, p))))).flat(),
          ),
        )
      ).flat();
      expect(onDisk.length).toBe(files.rows[0]!.n);
    });

    it('writes nothing when re-run, and only the new rows after more traffic', async () => {
      const sink = await openParquetSink(dir);
      try {
        const again = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink);
        expect(again.map((x) => x.rows)).toEqual(DATASET_NAMES.map(() => 0));
        // the gateway's clock moves on: the new messages are newer than the exported ones
        h.clock.set(new Date('2025-01-02T00:00:00Z'));
        for (const m of traffic.slice(Math.floor(traffic.length / 2))) await h.deliver(m);
        await h.catchUp();
        await seedDeliveryFacts(h, 1000, 30);
        const more = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, { batchSize: 100 });
        expect(more.find((x) => x.dataset === 'serial_events')!.rows).toBeGreaterThan(0);
        expect(more.find((x) => x.dataset === 'forecasts')!.rows).toBe(0);
        expect(more.find((x) => x.dataset === 'forecasts_weekly')!.rows).toBe(0);
      } finally {
        sink.close();
      }
      await expectLakeMatchesDb();
    });

    it('a crash after the files, before the cursor commit, leaves no duplicate', async () => {
      await seedDeliveryFacts(h, 5000, 40);
      await runForecasts(forecastPort(h.store.db), { asOf: '2025-02-01', horizon: 14 });
      const real = await openParquetSink(dir);
      // the real sink writes and renames its files, then the process "dies" before the commit
      const crashing: ExportSink = {
        consumer: real.consumer,
        recover: (d, b) => real.recover(d, b),
        write: async (d, b, rows) => {
          await real.write(d, b, rows);
          throw new Error('crash after rename');
        },
      };
      await expect(runExport(exportSource(h.store.db, { settleMs: 0 }), crashing)).rejects.toThrow('crash');
      // the orphaned batch is on disk, the cursor did not move: without recovery the next run
      // would write those rows a second time
      const receipts = await lake('delivery_receipts');
      const cursor = await h.store.db.query<{ rows: number }>(
        `SELECT rows::int AS rows FROM export_cursors WHERE dataset = 'delivery_receipts'`,
      );
      expect(receipts.n).toBe(190);
      expect(cursor.rows[0]!.rows).toBe(150);
      let removed: string[] = [];
      try {
        const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), real);
        removed = r.flatMap((x) => [...x.removed]);
      } finally {
        real.close();
      }
      expect(removed.length).toBeGreaterThan(0);
      await expectLakeMatchesDb();
    });

    it('messages: business facts without payload, one row per state; the latest row is the message now', async () => {
      h.clock.set(new Date('2025-01-03T08:00:00Z'));
      const r = await h.store.receive({
        direction: 'in',
        channel: 'sap',
        partner: 'S4H',
        idocType: 'DELVRY07',
        messageType: 'DESADV',
        docnum: '0000000000777001',
        raw: { format: 'json', content: '{"secret":"PAYLOAD-MUST-NOT-LEAK"}' },
        searchKeys: [
          { kind: 'delivery', value: '80777001' },
          { kind: 'material', value: '4711' },
        ],
        by: 'test',
      });
      const id = r.message.id;
      const sink = await openParquetSink(dir);
      try {
        await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, { datasets: ['messages'] });
        // SAP posts it later: a new state, exported as a new row
        h.clock.set(new Date('2025-01-03T09:00:00Z'));
        expect(
          await h.store.transition(id, 'delivered', {
            by: 'test',
            sapStatus: '03',
            sapReport: { docnum: '0000000000999001', document: '4900001234' },
          }),
        ).toBe(true);
        await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, {
          datasets: ['messages', 'message_status_changes'],
        });
      } finally {
        sink.close();
      }
      const files = join(dir, 'messages', '*', '*.parquet');
      const rows = (
        await conn.runAndReadAll(
          `SELECT status, sap_status, sap_docnum, sap_document, docnum, CAST(business_keys AS VARCHAR) AS keys,
                  CAST(dt AS VARCHAR) AS dt
             FROM read_parquet('${files}', hive_partitioning = true) WHERE message_id = '${id}' ORDER BY updated_at`,
        )
      ).getRowObjectsJS();
      expect(rows).toEqual([
        {
          status: 'received',
          sap_status: expect.any(String) as unknown,
          sap_docnum: null,
          sap_document: null,
          docnum: '0000000000777001',
          keys: '[{"kind":"delivery","value":"80777001"},{"kind":"material","value":"4711"}]',
          dt: '2025-01-03',
        },
        {
          status: 'delivered',
          sap_status: '03',
          sap_docnum: '0000000000999001',
          sap_document: '4900001234',
          docnum: '0000000000777001',
          keys: '[{"kind":"delivery","value":"80777001"},{"kind":"material","value":"4711"}]',
          dt: '2025-01-03',
        },
      ]);
      // the latest row of every message is the database's state: counts per status agree
      const latest = (
        await conn.runAndReadAll(
          `SELECT status, count(*)::INTEGER AS n FROM (
             SELECT status, row_number() OVER (PARTITION BY message_id ORDER BY updated_at DESC) AS r
               FROM read_parquet('${files}', hive_partitioning = true)) WHERE r = 1 GROUP BY status ORDER BY status`,
        )
      ).getRowObjectsJS();
      const db = await h.store.db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM messages GROUP BY status ORDER BY status',
      );
      expect(latest).toEqual(db.rows);
      // no payload: neither a payload column nor its content anywhere in the files
      const cols = (
        await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${files}', hive_partitioning = true)`)
      )
        .getRowObjectsJS()
        .map((c) => c['column_name']);
      expect(cols).not.toContain('content_text');
      const leak = await conn.runAndReadAll(
        `SELECT count(*) FILTER (WHERE CAST(t AS VARCHAR) LIKE '%PAYLOAD-MUST-NOT-LEAK%')::INTEGER AS payload,
                count(*) FILTER (WHERE CAST(t AS VARCHAR) LIKE '%80777001%')::INTEGER AS key
           FROM read_parquet('${files}', hive_partitioning = true) t`,
      );
      // the check sees inside the rows (the business key is there), and no payload is
      expect(leak.getRowObjectsJS()[0]).toEqual({ payload: 0, key: 2 });
      // the status change is in message_status_changes, once
      const changes = await conn.runAndReadAll(
        `SELECT to_status, sap_status FROM read_parquet('${join(dir, 'message_status_changes', '*', '*.parquet')}')
          WHERE message_id = '${id}' ORDER BY id`,
      );
      expect(changes.getRowObjectsJS().map((c) => c['to_status'])).toEqual(['received', 'delivered']);
    });

    it('leaves rows younger than the settle time for the next run', async () => {
      await h.store.db.query(
        `INSERT INTO serial_alerts (rule, severity, material, serial, summary, evidence, dedupe_key, detected_at,
                                    created_at, updated_at)
         VALUES ('frequency', 'warning', '4711', 'SNNEW', 'x', '{}'::jsonb, 'new', now(), now(), now())`,
      );
      const sink: ParquetSink = await openParquetSink(dir);
      try {
        const young = await runExport(exportSource(h.store.db, { settleMs: 3_600_000 }), sink, {
          datasets: ['serial_alerts'],
        });
        expect(young[0]!.rows).toBe(0);
        const settled = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, {
          datasets: ['serial_alerts'],
        });
        expect(settled[0]!.rows).toBe(1);
      } finally {
        sink.close();
      }
    });
  });
}
