/**
 * The live feed against the real NATS JetStream on 127.0.0.1:4222 (skipped with a message when it
 * does not answer), in a stream of its own: one message per ledger row on <prefix>.<dataset>,
 * counts per subject equal the database's, a re-run publishes nothing, and a crash between the
 * acks and the cursor commit re-publishes the batch without a duplicate in the stream.
 */
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, type DatasetName } from '../../src/export/datasets.js';
import { openJetStreamSink, type JetStreamSink } from '../../src/export/jetstream.js';
import { runExport, type ExportSink } from '../../src/export/run.js';
import { exportSource } from '../../src/store/analytics/export-source.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

const NATS_URL = process.env['IDOCGATE_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

async function natsAnswers(): Promise<boolean> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000 });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

const NATS_AVAILABLE = await natsAnswers();
if (!NATS_AVAILABLE)
  console.warn(`NATS JetStream at ${NATS_URL} does not answer: the live feed tests were skipped`);

const backend = backends('export_nats').find((b) => b.available)!;
const TABLES: Record<DatasetName, string> = {
  serial_events: 'serial_events',
  delivery_receipts: 'delivery_ledger_receipts',
  delivery_milestones: 'delivery_ledger_milestones',
  serial_alerts: 'serial_alerts',
  delivery_discrepancies: 'delivery_discrepancies',
  forecasts: `forecasts WHERE grain = 'day'`,
  forecasts_weekly: `forecasts WHERE grain = 'week'`,
  messages: 'messages', // one message per state; nothing changes a message after its export here
  message_status_changes: 'message_status_history',
  risk_models: 'risk_models',
  risk_scores: 'risk_scores',
};

describe.skipIf(!NATS_AVAILABLE)(`JetStream feed (${backend.name})`, () => {
  let h: LedgerHarness;
  let admin: NatsConnection;
  const tag = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const stream = `IDOCGATE_TEST_${tag}`;
  const prefix = `idocgate_test_${tag}`;
  const open = (): Promise<JetStreamSink> =>
    openJetStreamSink({ servers: NATS_URL, stream, subjectPrefix: prefix });

  async function subjectCounts(): Promise<Record<string, number>> {
    const jsm = await admin.jetstreamManager();
    const info = await jsm.streams.info(stream, { subjects_filter: '>' });
    return info.state.subjects ?? {};
  }

  async function dbCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ds of DATASET_NAMES) {
      const { rows } = await h.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLES[ds]}`);
      if ((rows[0]?.n ?? 0) > 0) out[`${prefix}.${ds}`] = rows[0]!.n;
    }
    return out;
  }

  beforeAll(async () => {
    admin = await connect({ servers: NATS_URL });
    h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
    for (const m of generateTraffic({ serials: 60, days: 20, seed: 9 })) await h.deliver(m);
    await h.catchUp();
    await h.store.db.query(
      `INSERT INTO delivery_ledger_milestones (delivery, message_id, kind, event_at, recorded_at)
       SELECT 'D' || i, gen_random_uuid(), 'picked', now(), now() - interval '1 hour' FROM generate_series(1, 25) i`,
    );
  });
  afterAll(async () => {
    if (admin) {
      await (await admin.jetstreamManager()).streams.delete(stream).catch(() => false);
      await admin.close();
    }
    await h?.store.close();
    await backend.cleanup();
  });

  it('publishes one message per row, with the row as JSON and a message id', async () => {
    const sink = await open();
    try {
      await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, { batchSize: 200 });
    } finally {
      await sink.close();
    }
    expect(await subjectCounts()).toEqual(await dbCounts());
    const jsm = await admin.jetstreamManager();
    const first = await jsm.streams.getMessage(stream, { seq: 1 });
    const row = JSONCodec<Record<string, unknown>>().decode(first.data);
    const { rows } = await h.store.db.query<{ id: number; serial: string }>(
      'SELECT id::int AS id, serial FROM serial_events ORDER BY id LIMIT 1',
    );
    expect(first.subject).toBe(`${prefix}.serial_events`);
    expect(first.header.get('Nats-Msg-Id')).toBe(`serial_events:${rows[0]!.id}`);
    expect(row['serial']).toBe(rows[0]!.serial);
  });

  it('publishes nothing on a re-run', async () => {
    const before = await subjectCounts();
    const sink = await open();
    try {
      const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink);
      expect(r.every((x) => x.rows === 0)).toBe(true);
    } finally {
      await sink.close();
    }
    expect(await subjectCounts()).toEqual(before);
  });

  it('a crash after the acks, before the cursor moved, does not duplicate messages', async () => {
    await h.store.db.query(
      `INSERT INTO delivery_ledger_milestones (delivery, message_id, kind, event_at, recorded_at)
       SELECT 'E' || i, gen_random_uuid(), 'goods-issued', now(), now() - interval '30 minutes'
         FROM generate_series(1, 40) i`,
    );
    const real = await open();
    const crashing: ExportSink = {
      consumer: real.consumer,
      recover: (d, b) => real.recover(d, b),
      write: async (d, b, rows) => {
        await real.write(d, b, rows);
        throw new Error('crash after acks');
      },
    };
    try {
      await expect(
        runExport(exportSource(h.store.db, { settleMs: 0 }), crashing, { datasets: ['delivery_milestones'] }),
      ).rejects.toThrow('crash');
      const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), real, {
        datasets: ['delivery_milestones'],
      });
      expect(r[0]!.rows).toBe(40); // the batch was sent again
      expect(real.duplicates()).toBe(40); // and JetStream recognised every message
    } finally {
      await real.close();
    }
    expect(await subjectCounts()).toEqual(await dbCounts());
  });
});
