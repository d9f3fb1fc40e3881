/**
 * The scheduled jobs' lease on PostgreSQL/PGlite (table scheduled_jobs): a tick is claimed by a
 * single INSERT … ON CONFLICT DO UPDATE … WHERE (compare-and-set on the job's row), renewed and
 * finished only by its holder. The JobLeasePort of src/schedule/scheduler.ts.
 */
import type { JobLeasePort, JobStatus } from '../schedule/scheduler.js';
import type { Queryable } from './db/db.js';
import { optDate, optStr, str } from './db/columns.js';

export function jobLeasePort(q: Queryable): JobLeasePort {
  return {
    async claim(name, slot, holder, now, ttlMs) {
      const { rows } = await q.query(
        `INSERT INTO scheduled_jobs (name, holder, lease_until, running_slot, last_started_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) DO UPDATE
            SET holder = excluded.holder, lease_until = excluded.lease_until,
                running_slot = excluded.running_slot, last_started_at = excluded.last_started_at
          WHERE (scheduled_jobs.last_slot IS NULL OR scheduled_jobs.last_slot < excluded.running_slot)
            AND (scheduled_jobs.holder IS NULL OR scheduled_jobs.lease_until <= excluded.last_started_at)
         RETURNING name`,
        [name, holder, new Date(now.getTime() + ttlMs), slot, now],
      );
      return rows.length > 0;
    },
    async renew(name, holder, now, ttlMs) {
      const { rows } = await q.query(
        `UPDATE scheduled_jobs SET lease_until = $3 WHERE name = $1 AND holder = $2 RETURNING name`,
        [name, holder, new Date(now.getTime() + ttlMs)],
      );
      return rows.length > 0;
    },
    async finish(name, holder, now, outcome) {
      const { rows } = await q.query(
        `UPDATE scheduled_jobs
            SET last_slot = running_slot, holder = NULL, lease_until = NULL, running_slot = NULL,
                last_finished_at = $3, last_error = $4, last_result = $5::jsonb
          WHERE name = $1 AND holder = $2 RETURNING name`,
        [name, holder, now, outcome.error ?? null, JSON.stringify(outcome.result ?? null)],
      );
      return rows.length > 0;
    },
    async status() {
      const { rows } = await q.query(
        `SELECT name, last_slot, holder, running_slot, last_started_at, last_finished_at, last_error
           FROM scheduled_jobs ORDER BY name`,
      );
      return rows.map((r): JobStatus => ({
        name: str(r, 'name'),
        lastSlot: optDate(r, 'last_slot'),
        holder: optStr(r, 'holder'),
        runningSlot: optDate(r, 'running_slot'),
        lastStartedAt: optDate(r, 'last_started_at'),
        lastFinishedAt: optDate(r, 'last_finished_at'),
        lastError: optStr(r, 'last_error'),
      }));
    },
  };
}
