/**
 * Scheduled jobs on cron patterns, run once per tick however many processes schedule them.
 *
 * Every `checkEveryMs` each scheduler computes, per job, the latest tick of its pattern at or
 * before now (the "slot") and tries to claim it through the lease port: a compare-and-set that
 * succeeds only when the slot is after the last one done and no other holder's lease is live.
 * The winner runs the job, renews its lease every third of the lease time while it runs, and
 * finishes the slot (success or error) — the slot is then done for everybody. A holder that dies
 * loses its lease at expiry; the next check of any scheduler takes the slot again (the jobs are
 * safe to repeat: the export resumes from its cursors, a forecast run is stored in one
 * transaction). Missed ticks (the gateway was down) are not run one by one: only the latest.
 * Time comes from the injected clock; no SQL here (ports only).
 */

export interface JobStatus {
  readonly name: string;
  readonly lastSlot: Date | null;
  readonly holder: string | null;
  readonly runningSlot: Date | null;
  readonly lastStartedAt: Date | null;
  readonly lastFinishedAt: Date | null;
  readonly lastError: string | null;
}

export interface JobLeasePort {
  /** Takes `slot` of job `name` for `holder` (CAS); false when done already or held by another. */
  claim(name: string, slot: Date, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Extends the holder's lease; false when it is no longer the holder. */
  renew(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Marks the running slot done and frees the job; false when it is no longer the holder. */
  finish(
    name: string,
    holder: string,
    now: Date,
    outcome: { readonly result?: unknown; readonly error?: string },
  ): Promise<boolean>;
  status(): Promise<readonly JobStatus[]>;
}

export interface ScheduledJob {
  readonly name: string;
  /** Cron pattern (5 or 6 fields). */
  readonly cron: string;
  /** Runs the job for the tick `slot`; the result is kept as the job's last result (JSON). */
  run(slot: Date): Promise<unknown>;
}

export interface SchedulerLog {
  (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void;
}

export interface SchedulerOptions {
  readonly jobs: readonly ScheduledJob[];
  readonly port: JobLeasePort;
  /** This process (unique per scheduler: host, pid, random). */
  readonly holder: string;
  readonly timeZone: string;
  readonly leaseMs: number;
  readonly clock?: () => Date;
  /** The latest tick of a pattern at or before a moment (src/config/cron.ts latestTick). */
  readonly latestTick: (cron: string, timeZone: string, now: Date) => Date;
  readonly log?: SchedulerLog;
}

export interface TickResult {
  readonly name: string;
  readonly slot: Date;
  /** ran: this scheduler ran the slot; skipped: done already or another holder has it. */
  readonly outcome: 'ran' | 'failed' | 'skipped';
  readonly result?: unknown;
  readonly error?: string;
}

/** One check of every job: claims and runs each due slot (one job after the other). */
export async function runDueJobs(options: SchedulerOptions): Promise<TickResult[]> {
  const now = options.clock ?? (() => new Date());
  const out: TickResult[] = [];
  for (const job of options.jobs) {
    const slot = options.latestTick(job.cron, options.timeZone, now());
    if (!(await options.port.claim(job.name, slot, options.holder, now(), options.leaseMs))) {
      out.push({ name: job.name, slot, outcome: 'skipped' });
      continue;
    }
    options.log?.('info', { job: job.name, slot: slot.toISOString() }, 'scheduled job started');
    const renewEvery = Math.max(1, Math.floor(options.leaseMs / 3));
    let lost = false;
    const renewal = setInterval(() => {
      options.port.renew(job.name, options.holder, now(), options.leaseMs).then(
        (held) => {
          if (!held && !lost) {
            lost = true;
            options.log?.('warn', { job: job.name }, 'scheduled job: lease lost while running');
          }
        },
        (e: unknown) => options.log?.('warn', { job: job.name, err: String(e) }, 'lease renewal failed'),
      );
    }, renewEvery);
    renewal.unref();
    let result: unknown;
    let error: string | undefined;
    try {
      result = await job.run(slot);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      clearInterval(renewal);
    }
    const finished = await options.port.finish(job.name, options.holder, now(), {
      ...(error !== undefined ? { error } : { result }),
    });
    if (!finished)
      options.log?.('warn', { job: job.name }, 'scheduled job: finished after its lease was taken over');
    if (error !== undefined) {
      options.log?.('error', { job: job.name, slot: slot.toISOString(), err: error }, 'scheduled job failed');
      out.push({ name: job.name, slot, outcome: 'failed', error });
    } else {
      options.log?.('info', { job: job.name, slot: slot.toISOString() }, 'scheduled job done');
      out.push({ name: job.name, slot, outcome: 'ran', result });
    }
  }
  return out;
}

export interface Scheduler {
  /** Runs one check now (also what the timer does); resolves when it is done. */
  check(): Promise<TickResult[]>;
  /** Stops the timer and waits for a check in progress. */
  close(): Promise<void>;
}

export function startScheduler(options: SchedulerOptions & { readonly checkEveryMs: number }): Scheduler {
  let running: Promise<TickResult[]> | null = null;
  let closed = false;
  const check = (): Promise<TickResult[]> => {
    if (running !== null) return running;
    running = runDueJobs(options)
      .catch((e: unknown) => {
        options.log?.('error', { err: String(e) }, 'scheduler check failed');
        return [];
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!closed) void check();
  }, options.checkEveryMs);
  timer.unref();
  void check();
  return {
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      if (running !== null) await running;
    },
  };
}
