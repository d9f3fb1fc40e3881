/**
 * Scheduled analytics jobs on PGlite and PostgreSQL with an injected clock: two schedulers on the
 * same database run each cron tick once (lease + compare-and-set on scheduled_jobs), a busy
 * holder keeps the other out, a holder that died loses the tick at lease expiry and another
 * scheduler runs it, a failure is recorded and not retried within its tick. Then the real jobs
 * from the `analytics` config: the forecast run, the Parquet export and the partner files, run
 * by two schedulers on one tick, each once (one forecast run, every serial event in Parquet
 * once, one file per partner), and nothing more on a second check of the same tick.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsConfigSchema } from '../../src/config/analytics.js';
import { latestTick } from '../../src/config/cron.js';
import {
  analyticsJobs,
  EXPORT_JOB,
  FORECAST_JOB,
  PARTNER_JOB,
  startAnalyticsScheduler,
} from '../../src/schedule/analytics-jobs.js';
import { waitFor } from '../e2e/helpers.js';
import { runDueJobs, type ScheduledJob, type SchedulerOptions } from '../../src/schedule/scheduler.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { jobLeasePort } from '../../src/store/scheduled-jobs.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends, FakeClock } from '../store/backends.js';

describe('latestTick', () => {
  it('is the latest tick at or before now, in the time zone', () => {
    const at = (iso: string): Date => new Date(iso);
    expect(latestTick('0 * * * *', 'UTC', at('2025-03-01T10:00:00Z'))).toEqual(at('2025-03-01T10:00:00Z'));
    expect(latestTick('0 * * * *', 'UTC', at('2025-03-01T10:59:59Z'))).toEqual(at('2025-03-01T10:00:00Z'));
    // 02:00 in Berlin is 01:00 UTC in winter
    expect(latestTick('0 2 * * *', 'Europe/Berlin', at('2025-03-01T00:30:00Z'))).toEqual(
      at('2025-02-28T01:00:00Z'),
    );
  });

  it('the config refuses a scheduled export without a directory and a bad cron pattern', () => {
    const r = analyticsConfigSchema.safeParse({
      export: { schedule: '*/5 * * * *' },
      forecast: { schedule: '61 * * * *' },
    });
    expect(r.success).toBe(false);
    const messages = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages.some((m) => m.startsWith('export.dir: a scheduled export needs dir'))).toBe(true);
    expect(messages.some((m) => m.startsWith('forecast.schedule: not a valid cron pattern'))).toBe(true);
  });
});

const HOUR = 3_600_000;

for (const backend of backends('wt_forecast_schedule')) {
  describe.skipIf(!backend.available)(`scheduled jobs on ${backend.name}`, () => {
    let a: OpenedStore;
    let b: OpenedStore;
    beforeAll(async () => {
      a = await backend.open();
      // PostgreSQL: a second pool, as a second process would have; PGlite is one process
      b = backend.name === 'postgres' ? await backend.open() : a;
    });
    afterAll(async () => {
      if (b !== a) await b?.close();
      await a?.close();
      await backend.cleanup();
    });

    const scheduler = (
      store: OpenedStore,
      holder: string,
      clock: FakeClock,
      jobs: readonly ScheduledJob[],
      leaseMs = HOUR,
    ): SchedulerOptions => ({
      jobs,
      port: jobLeasePort(store.db),
      holder,
      timeZone: 'UTC',
      leaseMs,
      clock: clock.now,
      latestTick,
    });

    it('two schedulers run each tick once; a busy holder keeps the other out', async () => {
      const clock = new FakeClock(Date.parse('2025-03-01T10:30:00Z'));
      const runs: string[] = [];
      const job: ScheduledJob = {
        name: 'count-hourly',
        cron: '0 * * * *',
        run: async (slot) => {
          runs.push(slot.toISOString());
          await new Promise((r) => setTimeout(r, 50)); // long enough for the other to try meanwhile
          return { n: runs.length };
        },
      };
      const [r1, r2] = await Promise.all([
        runDueJobs(scheduler(a, 'A', clock, [job])),
        runDueJobs(scheduler(b, 'B', clock, [job])),
      ]);
      expect([r1[0]?.outcome, r2[0]?.outcome].sort()).toEqual(['ran', 'skipped']);
      expect(runs).toEqual(['2025-03-01T10:00:00.000Z']);
      // the same tick again: done, for both
      clock.advance(20 * 60_000);
      expect((await runDueJobs(scheduler(a, 'A', clock, [job])))[0]?.outcome).toBe('skipped');
      expect((await runDueJobs(scheduler(b, 'B', clock, [job])))[0]?.outcome).toBe('skipped');
      // the next tick: once more
      clock.advance(HOUR);
      await Promise.all([
        runDueJobs(scheduler(a, 'A', clock, [job])),
        runDueJobs(scheduler(b, 'B', clock, [job])),
      ]);
      expect(runs).toEqual(['2025-03-01T10:00:00.000Z', '2025-03-01T11:00:00.000Z']);
      const status = (await jobLeasePort(a.db).status()).find((s) => s.name === 'count-hourly');
      expect(status).toMatchObject({ holder: null, lastError: null, runningSlot: null });
      expect(status?.lastSlot?.toISOString()).toBe('2025-03-01T11:00:00.000Z');
    });

    it('a holder that died loses the tick at lease expiry; another scheduler then runs it', async () => {
      const clock = new FakeClock(Date.parse('2025-03-01T10:05:00Z'));
      const runs: string[] = [];
      const job: ScheduledJob = {
        name: 'crash-daily',
        cron: '0 10 * * *',
        run: async (slot) => runs.push(`${slot.toISOString()}`),
      };
      // "dead" claims today's tick and never finishes (the process crashed)
      const port = jobLeasePort(a.db);
      expect(
        await port.claim('crash-daily', new Date('2025-03-01T10:00:00Z'), 'dead', clock.now(), 10 * 60_000),
      ).toBe(true);
      expect((await runDueJobs(scheduler(b, 'B', clock, [job], 10 * 60_000)))[0]?.outcome).toBe('skipped');
      clock.advance(9 * 60_000);
      expect((await runDueJobs(scheduler(b, 'B', clock, [job], 10 * 60_000)))[0]?.outcome).toBe('skipped');
      clock.advance(60_000); // the lease ran out
      expect((await runDueJobs(scheduler(b, 'B', clock, [job], 10 * 60_000)))[0]?.outcome).toBe('ran');
      expect(runs).toEqual(['2025-03-01T10:00:00.000Z']);
      // the dead holder cannot finish (or renew) what is no longer its own
      expect(await port.finish('crash-daily', 'dead', clock.now(), { result: 'late' })).toBe(false);
      expect(await port.renew('crash-daily', 'dead', clock.now(), 60_000)).toBe(false);
    });

    it('a failure is recorded and not retried within its tick', async () => {
      const clock = new FakeClock(Date.parse('2025-03-01T10:05:00Z'));
      let tries = 0;
      const job: ScheduledJob = {
        name: 'fail-daily',
        cron: '0 10 * * *',
        run: async () => {
          tries++;
          throw new Error('disk full');
        },
      };
      const r = await runDueJobs(scheduler(a, 'A', clock, [job]));
      expect(r[0]).toMatchObject({ outcome: 'failed', error: 'disk full' });
      expect((await runDueJobs(scheduler(b, 'B', clock, [job])))[0]?.outcome).toBe('skipped');
      expect(tries).toBe(1);
      const status = (await jobLeasePort(a.db).status()).find((s) => s.name === 'fail-daily');
      expect(status?.lastError).toBe('disk full');
      clock.advance(24 * HOUR);
      await runDueJobs(scheduler(b, 'B', clock, [job]));
      expect(tries).toBe(2);
    });
  });
}

for (const backend of backends('wt_forecast_sched_jobs')) {
  describe.skipIf(!backend.available)(`the analytics jobs from the config on ${backend.name}`, () => {
    let h: LedgerHarness;
    let second: OpenedStore;
    let dir: string;
    const traffic = generateTraffic({ serials: 60, days: 30, seed: 21 });
    const lastDay = traffic[traffic.length - 1]!.at.toISOString().slice(0, 10);

    beforeAll(async () => {
      h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
      for (const m of traffic) await h.deliver(m);
      expect((await h.catchUp()).failed).toBe(0);
      second = backend.name === 'postgres' ? await backend.open() : h.store;
      dir = await mkdtemp(join(tmpdir(), 'idocgate-schedule-'));
    });
    afterAll(async () => {
      if (second !== h?.store) await second?.close();
      await h?.store.close();
      await backend.cleanup();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('two schedulers on one tick: one forecast run, each event exported once, one file per partner', async () => {
      const config = analyticsConfigSchema.parse({
        forecast: { schedule: '0 1 * * *', horizon: 14 },
        export: { schedule: '*/10 * * * *', dir: join(dir, 'lake'), settleSeconds: 0, batchSize: 500 },
        partners: {
          schedule: '0 2 * * *',
          dir: join(dir, 'partners'),
          windowDays: 60,
          products: [{ partner: 'OEM1', materials: ['4711'], k: 2 }],
        },
      });
      // 02:05 UTC the day after the traffic: every job's tick is due
      const clock = new FakeClock(Date.parse(`${lastDay}T00:00:00Z`) + 26 * HOUR + 5 * 60_000);
      const opts = (store: OpenedStore, holder: string): SchedulerOptions => ({
        jobs: analyticsJobs(config, store.db),
        port: jobLeasePort(store.db),
        holder,
        timeZone: 'UTC',
        leaseMs: HOUR,
        clock: clock.now,
        latestTick,
      });
      expect(analyticsJobs(config, h.store.db).map((j) => j.name)).toEqual([
        FORECAST_JOB,
        EXPORT_JOB,
        PARTNER_JOB,
      ]);
      const [r1, r2] = await Promise.all([runDueJobs(opts(h.store, 'A')), runDueJobs(opts(second, 'B'))]);
      const ran = [...r1, ...r2].filter((r) => r.outcome === 'ran').map((r) => r.name);
      expect([...r1, ...r2].filter((r) => r.outcome === 'failed')).toEqual([]);
      expect(ran.sort()).toEqual([EXPORT_JOB, FORECAST_JOB, PARTNER_JOB].sort());

      const db = h.store.db;
      const runs = await db.query<{ as_of: string; n: number }>(
        `SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, horizon AS n FROM forecast_runs`,
      );
      const tickDay = new Date(clock.now().getTime()).toISOString().slice(0, 10);
      expect(runs.rows).toEqual([{ as_of: tickDay, n: 14 }]);
      const events = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM serial_events');
      const exported = await db.query<{ n: number }>(
        `SELECT coalesce(sum(rows), 0)::int AS n FROM export_files WHERE dataset = 'serial_events'`,
      );
      expect(exported.rows[0]?.n).toBe(events.rows[0]?.n);
      const partnerFiles = await readdir(join(dir, 'partners', 'OEM1'));
      expect(partnerFiles).toEqual([`OEM1-${tickDay}.csv`]);
      const csv = await readFile(join(dir, 'partners', 'OEM1', partnerFiles[0]!), 'utf8');
      expect(csv.split('\n')[0]).toContain('material');
      expect(csv).not.toMatch(/\n4712,|\n4713,/);

      // the same tick checked again by both: nothing runs, nothing is written
      const files = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM export_files');
      clock.advance(60_000);
      const again = [...(await runDueJobs(opts(h.store, 'A'))), ...(await runDueJobs(opts(second, 'B')))];
      expect(again.map((r) => r.outcome)).toEqual([
        'skipped',
        'skipped',
        'skipped',
        'skipped',
        'skipped',
        'skipped',
      ]);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM forecast_runs')).rows[0]?.n).toBe(
        1,
      );
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM export_files')).rows[0]?.n).toBe(
        files.rows[0]?.n,
      );
    });

    it('the gateway scheduler runs a due job on its timer and waits for it on close', async () => {
      const before = await h.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM forecast_runs');
      const config = analyticsConfigSchema.parse({
        checkEvery: 100,
        forecast: { schedule: '* * * * * *', horizon: 3 }, // every second
      });
      const logs: string[] = [];
      const scheduler = startAnalyticsScheduler({
        config,
        timeZone: 'UTC',
        db: h.store.db,
        logger: {
          info: (_o, m) => logs.push(`info ${m ?? ''}`),
          warn: (_o, m) => logs.push(`warn ${m ?? ''}`),
          error: (_o, m) => logs.push(`error ${m ?? ''}`),
        },
      });
      expect(scheduler).not.toBeNull();
      try {
        await waitFor(
          async () =>
            (await h.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM forecast_runs')).rows[0]!
              .n > before.rows[0]!.n,
          'a scheduled forecast run',
          20_000,
        );
      } finally {
        await scheduler?.close();
      }
      expect(logs).toContain('info scheduled job done');
      expect(logs.filter((l) => l.startsWith('error'))).toEqual([]);
      // nothing is scheduled without a schedule
      expect(
        startAnalyticsScheduler({ config: analyticsConfigSchema.parse({}), timeZone: 'UTC', db: h.store.db }),
      ).toBeNull();
    });
  });
}
