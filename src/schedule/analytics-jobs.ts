/**
 * The scheduled analytics jobs from the `analytics` config section and the open database: the
 * forecast run (as of the tick's UTC day), the incremental Parquet export (src/export/run.ts,
 * exactly once through its cursors) and the partner data products (the `windowDays` UTC days
 * before the tick's day). Only the jobs with a schedule are built. `startAnalyticsScheduler`
 * runs them on their cron patterns with the lease of src/schedule/scheduler.ts.
 *
 * Hook in the gateway (src/wiring/app.ts, scheduler role):
 *   const analytics = startAnalyticsScheduler({ config: config.analytics, timeZone, db, logger });
 *   cleanup.push(() => analytics?.close());
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AnalyticsConfig } from '../config/analytics.js';
import { latestTick } from '../config/cron.js';
import { addDays, dayOf } from '../forecast/demand.js';
import { normalizedArticles, runForecasts } from '../forecast/run.js';
import { writePartnerFiles } from '../export/partner-files.js';
import { runExport } from '../export/run.js';
import { openS3Target, type SecretLookup } from '../export/s3-target.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db/db.js';
import { exportSource } from '../store/analytics/export-source.js';
import { forecastPort } from '../store/analytics/forecast-repo.js';
import { openParquetSink } from '../store/analytics/parquet-sink.js';
import { jobLeasePort } from '../store/scheduled-jobs.js';
import { startScheduler, type ScheduledJob, type Scheduler } from './scheduler.js';

export const FORECAST_JOB = 'forecast-run';
export const EXPORT_JOB = 'parquet-export';
export const PARTNER_JOB = 'partner-export';

export function analyticsJobs(
  config: AnalyticsConfig,
  db: Db,
  secret: SecretLookup = () => undefined,
): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  const f = config.forecast;
  if (f.schedule !== undefined)
    jobs.push({
      name: FORECAST_JOB,
      cron: f.schedule,
      async run(slot) {
        const r = await runForecasts(forecastPort(db), {
          asOf: dayOf(slot),
          horizon: f.horizon,
          level: f.level,
          historyDays: f.historyDays,
          censor: f.censor,
          articles: normalizedArticles(f.articles),
        });
        return { runId: r.runId, series: r.run?.series.length ?? 0, asOf: r.run?.asOf ?? null };
      },
    });
  const e = config.export;
  const dir = e.dir;
  const s3 = e.s3;
  if (e.schedule !== undefined && (dir !== undefined || s3 !== undefined))
    jobs.push({
      name: EXPORT_JOB,
      cron: e.schedule,
      async run() {
        const sink = s3 !== undefined ? await openS3Target(s3, secret) : await openParquetSink(dir ?? '');
        try {
          const r = await runExport(exportSource(db, { settleMs: e.settleSeconds * 1000 }), sink, {
            batchSize: e.batchSize,
            ...(e.datasets !== undefined ? { datasets: e.datasets } : {}),
          });
          return r.map((d) => ({ dataset: d.dataset, rows: d.rows, files: d.files }));
        } finally {
          sink.close();
        }
      },
    });
  const p = config.partners;
  const out = p.dir;
  if (p.schedule !== undefined && out !== undefined)
    jobs.push({
      name: PARTNER_JOB,
      cron: p.schedule,
      async run(slot) {
        const day = dayOf(slot);
        const window = {
          from: new Date(`${addDays(day, -p.windowDays)}T00:00:00Z`),
          to: new Date(`${day}T00:00:00Z`),
        };
        return writePartnerFiles(db, p.products, out, window, day);
      },
    });
  return jobs;
}

export interface AnalyticsSchedulerOptions {
  readonly config: AnalyticsConfig;
  readonly timeZone: string;
  readonly db: Db;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly clock?: () => Date;
  /** Default: host, pid and a random part. */
  readonly holder?: string;
  /** The environment variables the config names (the S3 target's credentials). */
  readonly secret?: SecretLookup;
}

/** Starts the scheduler when at least one analytics job has a schedule; null otherwise. */
export function startAnalyticsScheduler(options: AnalyticsSchedulerOptions): Scheduler | null {
  const jobs = analyticsJobs(options.config, options.db, options.secret);
  if (jobs.length === 0) return null;
  return startScheduler({
    jobs,
    port: jobLeasePort(options.db),
    holder: options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    timeZone: options.timeZone,
    leaseMs: options.config.lease,
    checkEveryMs: options.config.checkEvery,
    latestTick,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.logger !== undefined
      ? { log: (level, fields, message) => options.logger?.[level](fields, message) }
      : {}),
  });
}
