/**
 * Builds the delivery ledger and the pushback sweeper from the loaded config and the open store:
 * the site directory (mappings/tables/sites.yaml + `sweeper.shipTo/shippingPoints/stores`), units
 * (mappings/tables/units.yaml), the ledger's SQL store, the outbound poster over the pipeline,
 * and — for the scheduler role — the BullMQ job schedulers. The API plugin and the CLI use the
 * returned runtime.
 *
 * ./app.ts starts it after the gateway; `idocgate sweep` through ./sweep.ts.
 */
import { randomUUID } from 'node:crypto';
import type { RedisOptions } from 'ioredis';
import { checkSweeperConfig, type SweeperConfig } from '../config/sweeper.js';
import type { Config } from '../config/schema.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError } from '../errors.js';
import { runDeliveryLedgerCatchUp, type CatchUpResult } from '../ledger/deliveries/catch-up.js';
import { buildDeliverySites, siteRowsOf, type DeliverySites } from '../ledger/deliveries/sites.js';
import type { LookupTable } from '../mapping/types.js';
import { silentLogger, type PipelineLogger } from '../pipeline/deps.js';
import type { WorkQueue } from '../pipeline/queue-port.js';
import type { Store } from '../pipeline/store-port.js';
import { createWorkQueue } from '../queues/producer.js';
import type { Db } from '../store/db/db.js';
import { createDeliveryLedgerStore } from '../store/deliveries/store.js';
import { pipelinePoster } from '../sweeper/pipeline-poster.js';
import type { PlanOptions } from '../sweeper/plan.js';
import type { OutboundPoster } from '../sweeper/poster.js';
import { runSweeper } from '../sweeper/run.js';
import type { PushbackRuntime } from '../sweeper/runtime.js';
import { startPushbackScheduler, type PushbackScheduler } from './pushback-scheduler.js';

export type { PushbackRuntime } from '../sweeper/runtime.js';

export interface PushbackWiring {
  readonly config: Readonly<Config>;
  readonly sweeper: SweeperConfig;
  readonly store: Store & { readonly db: Db };
  readonly definitions: DefinitionRegistry;
  /** Lookup tables of the mappings (`sites`, `units`). */
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly logger?: PipelineLogger;
  readonly now?: () => number;
  /** Redis for the outbound queue and the schedulers; without it postings stay `received` for recovery. */
  readonly redis?: { readonly options: RedisOptions };
  readonly prefix?: string;
  /** Start the BullMQ job schedulers (role `scheduler`). */
  readonly scheduler?: boolean;
  /** Tests and the CLI may pass their own poster / work queue. */
  readonly poster?: OutboundPoster;
  readonly queue?: WorkQueue;
}

/** ISO unit -> SAP unit from the units table (columns sap, iso); unknown units pass as they are. */
export function unitsFrom(table: LookupTable | undefined): PlanOptions['unitOf'] {
  const s = table?.columns.indexOf('sap') ?? -1;
  const i = table?.columns.indexOf('iso') ?? -1;
  const byIso = new Map<string, string>();
  if (table !== undefined && s >= 0 && i >= 0)
    for (const r of table.rows) if (r[i] && r[s]) byIso.set(r[i]!, r[s]!);
  return (unit) => {
    const sap = byIso.get(unit);
    return sap !== undefined ? { sap, iso: unit } : { sap: unit, iso: null };
  };
}

export function sitesFrom(tables: ReadonlyMap<string, LookupTable>, sweeper: SweeperConfig): DeliverySites {
  const table = tables.get('sites');
  return buildDeliverySites(table === undefined ? [] : siteRowsOf(table), {
    shipTo: sweeper.shipTo,
    shippingPoints: sweeper.shippingPoints,
    ...(sweeper.stores !== undefined ? { stores: sweeper.stores } : {}),
  });
}

export async function startPushback(w: PushbackWiring): Promise<PushbackRuntime> {
  const logger = w.logger ?? silentLogger;
  const now = w.now ?? Date.now;
  const clock = { now };
  const sites = sitesFrom(w.tables, w.sweeper);
  const issues = checkSweeperConfig(w.sweeper, { ports: Object.keys(w.config.ports), sites: sites.sites });
  if (issues.length > 0) {
    throw new IdocgateError(
      'CONFIG_INVALID',
      `sweeper: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  const ledger = createDeliveryLedgerStore(w.store.db);
  const ownQueue =
    w.poster === undefined && w.queue === undefined && w.redis !== undefined
      ? createWorkQueue({
          connection: w.redis.options,
          prefix: w.prefix ?? w.config.redis.prefix,
          config: w.config,
          onError: (err) => logger.warn({ err: err.message }, 'redis error (pushback producer)'),
        })
      : undefined;
  const queue: WorkQueue = w.queue ??
    ownQueue ?? {
      // No Redis: postings stay durable as `received`; the recovery job queues them later.
      enqueue: () => Promise.reject(new Error('no work queue')),
      jobState: () => Promise.resolve('missing'),
      depths: () => Promise.resolve({}),
      close: () => Promise.resolve(),
    };
  const poster = w.poster ?? pipelinePoster({ store: w.store, queue, logger, clock, config: w.config });
  const unitOf = unitsFrom(w.tables.get('units'));
  const catchUp = (): Promise<CatchUpResult> =>
    runDeliveryLedgerCatchUp({
      store: w.store,
      ledger,
      definitions: w.definitions,
      sites,
      sweeper: w.sweeper,
      timeZone: w.config.timeZone,
      clock,
    });
  const sweep: PushbackRuntime['sweep'] = async (options = {}) => {
    if (options.dryRun !== true) await catchUp();
    return runSweeper(
      {
        ledger,
        poster,
        config: w.sweeper,
        timeZone: w.config.timeZone,
        clock,
        newId: randomUUID,
        ...(unitOf !== undefined ? { unitOf } : {}),
        log: (level, obj, msg) => logger[level](obj, msg),
      },
      options,
    );
  };
  let scheduler: PushbackScheduler | undefined;
  if (w.scheduler === true && w.redis !== undefined) {
    scheduler = await startPushbackScheduler({
      connection: w.redis.options,
      prefix: w.prefix ?? w.config.redis.prefix,
      catchUpEveryMs: w.sweeper.catchUp.every,
      sweepCron: w.sweeper.enabled ? w.sweeper.schedule : null,
      timeZone: w.config.timeZone,
      catchUp,
      sweep: () => sweep(),
      logger,
    });
  }
  return {
    ledger,
    sites,
    sweeper: w.sweeper,
    now,
    catchUp,
    sweep,
    async close() {
      await scheduler?.close();
      await ownQueue?.close();
    },
  };
}
