/**
 * The at-risk webhook alert as a periodic job of the scheduler role (`sweeper.atRisk.webhook`,
 * every `sweeper.atRisk.every`): deliveries in transit whose score reaches the threshold are
 * POSTed once through the gateway's `webhook` transport (its auth, TLS and timeout options).
 */
import type { SweeperConfig } from '../config/sweeper.js';
import type { Logger } from '../logger.js';
import { startPeriodicJobs, type PeriodicJobs } from '../queues/periodic.js';
import { RISK_ALERT_QUEUE } from '../queues/queue-keys.js';
import type { Db } from '../store/db/db.js';
import { createIntelligenceStore, createRiskAlertOutbox } from '../store/analytics/intelligence-repo.js';
import { createTransport } from '../transports/registry.js';
import { createRiskScoreLog } from '../store/analytics/risk-scores-repo.js';
import type { RedisOptions } from 'ioredis';
import { notifyAtRisk } from '../intelligence/at-risk.js';

export interface RiskAlertRuntime {
  /** One check: returns the deliveries told to the webhook. */
  tick(): Promise<number>;
  close(): Promise<void>;
}

export async function startRiskAlerts(w: {
  readonly atRisk: SweeperConfig['atRisk'];
  readonly db: Db;
  readonly logger: Logger;
  readonly now: () => number;
  readonly redis?: { readonly options: RedisOptions };
  readonly prefix?: string;
  /** Start the periodic job (role `scheduler`); without it only `tick` runs. */
  readonly scheduler: boolean;
}): Promise<RiskAlertRuntime | undefined> {
  if (w.atRisk.webhook === undefined) return undefined;
  const transport = await createTransport('webhook', w.atRisk.webhook, { clock: { now: w.now } });
  const port = createIntelligenceStore(w.db);
  const outbox = createRiskAlertOutbox(w.db);
  const scoreLog = createRiskScoreLog(w.db);
  const tick = (): Promise<number> =>
    notifyAtRisk({
      port,
      outbox,
      transport,
      threshold: w.atRisk.threshold,
      now: new Date(w.now()),
      scoreLog,
    });
  let jobs: PeriodicJobs | undefined;
  if (w.scheduler && w.redis !== undefined)
    jobs = await startPeriodicJobs({
      connection: w.redis.options,
      prefix: w.prefix ?? 'idocgate',
      queue: RISK_ALERT_QUEUE,
      logger: w.logger,
      jobs: [{ name: RISK_ALERT_QUEUE, schedule: { every: w.atRisk.every }, run: tick }],
    });
  return {
    tick,
    async close() {
      await jobs?.close();
      await transport.close?.();
    },
  };
}
