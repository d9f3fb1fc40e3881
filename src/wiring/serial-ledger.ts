/**
 * Builds the serial ledger from the loaded config and the open store: the site directory
 * (mappings/tables/sites.yaml + `ledger.sites`), the feed over the store's database, the optional
 * alert webhook, and — for the scheduler role — the periodic catch-up job (every
 * `ledger.intervalMs`, off the delivery path: a ledger problem never touches a delivery) and,
 * when `ledger.epcisCapture` is configured, the EPCIS capture job (same interval, a queue and
 * worker of its own so a slow repository never holds up the catch-up).
 */
import type { LedgerConfig } from '../config/ledger.js';
import type { Logger } from '../logger.js';
import { startPeriodicJobs, type PeriodicJobs } from '../queues/periodic.js';
import {
  SERIAL_EPCIS_JOB,
  SERIAL_EPCIS_QUEUE,
  SERIAL_LEDGER_JOB,
  SERIAL_LEDGER_QUEUE,
} from '../queues/queue-keys.js';
import type { Db } from '../store/db/db.js';
import { markNotified, unnotifiedAlerts } from '../store/serials/alerts.js';
import { markCaptured, markCaptureFailed, pendingCapture } from '../store/serials/capture.js';
import { createLedgerFeed } from '../store/serials/feed.js';
import { createTransport } from '../transports/registry.js';
import type { RedisOptions } from 'ioredis';
import type { LookupTable } from '../mapping/types.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { runLedgerCatchUp, trainCustodyPath } from '../ledger/serials/catch-up.js';
import { epcNaming } from '../ledger/serials/epcis/identifiers.js';
import { runEpcisCapture, type CaptureRun } from '../ledger/serials/epcis-capture-job.js';
import { notifyAlerts } from '../ledger/serials/notify.js';
import { buildSiteDirectory, siteRowsOf } from '../ledger/serials/sites.js';

export interface SerialLedgerWiring {
  readonly ledger: LedgerConfig;
  /** The SAP system's time zone (the config's top-level `timeZone`); SAP dates are read in it. */
  readonly timeZone: string;
  /** IDoc definitions: raw flat IDoc files (and XML / SOAP through the full codec) are read with them. */
  readonly definitions?: DefinitionRegistry;
  readonly db: Db;
  /** Lookup tables of the mappings (`sites`). */
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly redis: { readonly options: RedisOptions };
  readonly prefix: string;
  /** Start the periodic catch-up (role `scheduler`). */
  readonly scheduler: boolean;
}

export interface SerialLedgerRuntime {
  /** One catch-up tick (apply pending messages, run the time-based rules, notify alerts). */
  catchUp(): Promise<unknown>;
  /** Learns a custody-path model from the ledger's history (now) and stores it as a new version. */
  trainCustody(by: string): Promise<{ version: number; events: number } | undefined>;
  /** One EPCIS capture tick; undefined when `ledger.epcisCapture` is not configured. */
  captureEpcis(): Promise<CaptureRun | undefined>;
  close(): Promise<void>;
}

export async function startSerialLedger(w: SerialLedgerWiring): Promise<SerialLedgerRuntime> {
  const clock = (): Date => new Date(w.now());
  const sitesTable = w.tables.get('sites');
  const sites = buildSiteDirectory(sitesTable ? siteRowsOf(sitesTable) : [], w.ledger);
  const port = createLedgerFeed(w.db, { sites, config: w.ledger, clock });
  const alertHook = w.ledger.alertWebhook
    ? await createTransport('webhook', w.ledger.alertWebhook, { clock: { now: w.now } })
    : undefined;
  const outbox = {
    unnotified: (n: number) => unnotifiedAlerts(w.db, n),
    markNotified: (ids: readonly number[], at: Date) => markNotified(w.db, ids, at),
  };
  const catchUp = (): Promise<unknown> =>
    runLedgerCatchUp({
      port,
      sites,
      config: w.ledger,
      timeZone: w.timeZone,
      ...(w.definitions !== undefined ? { definitions: w.definitions } : {}),
      clock,
      ...(alertHook ? { notify: () => notifyAlerts(outbox, alertHook, clock) } : {}),
    });
  const capture = w.ledger.epcisCapture
    ? await createTransport('epcis-capture', w.ledger.epcisCapture, { clock: { now: w.now } })
    : undefined;
  const naming = epcNaming(w.ledger);
  const capturePort = {
    pending: (limit: number) => pendingCapture(w.db, limit),
    captured: (from: number, to: number, count: number, at: Date, ref: string | null) =>
      markCaptured(w.db, from, to, count, at, ref),
    failed: (at: Date, error: string) => markCaptureFailed(w.db, at, error),
  };
  const captureEpcis = async (): Promise<CaptureRun | undefined> => {
    if (!capture) return undefined;
    const run = await runEpcisCapture({ port: capturePort, transport: capture, naming, clock });
    if (run.error !== undefined)
      w.logger.warn(
        { captured: run.events, err: run.error },
        'EPCIS capture failed; the same events are sent again on the next tick',
      );
    return run;
  };
  const jobs: PeriodicJobs[] = [];
  if (w.scheduler && w.ledger.enabled) {
    jobs.push(
      await startPeriodicJobs({
        connection: w.redis.options,
        prefix: w.prefix,
        queue: SERIAL_LEDGER_QUEUE,
        logger: w.logger,
        jobs: [{ name: SERIAL_LEDGER_JOB, schedule: { every: w.ledger.intervalMs }, run: catchUp }],
      }),
    );
    if (capture)
      jobs.push(
        await startPeriodicJobs({
          connection: w.redis.options,
          prefix: w.prefix,
          queue: SERIAL_EPCIS_QUEUE,
          logger: w.logger,
          jobs: [{ name: SERIAL_EPCIS_JOB, schedule: { every: w.ledger.intervalMs }, run: captureEpcis }],
        }),
      );
  }
  const trainCustody = async (by: string): Promise<{ version: number; events: number } | undefined> => {
    const r = await trainCustodyPath(port, w.ledger, clock(), by);
    return r === undefined ? undefined : { version: r.version, events: r.events };
  };
  return {
    catchUp,
    trainCustody,
    captureEpcis,
    async close() {
      for (const j of jobs) await j.close();
      await alertHook?.close?.();
      await capture?.close?.();
    },
  };
}
