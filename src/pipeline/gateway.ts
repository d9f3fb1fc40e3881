/**
 * createGateway(deps): the use cases behind the Gateway port (what the edges call) plus what the
 * queue workers and the scheduler call: processJob, recover, purgeExpired.
 */
import { BulkReplays } from './bulk-replay.js';
import type { PipelineDeps } from './deps.js';
import type { Gateway } from './gateway-port.js';
import { ingest } from './ingest.js';
import { processJob } from './process.js';
import type { JobOutcome, JobRun } from './queue-port.js';
import { purgeExpired, recover, type RecoveryOptions, type RecoveryReport } from './recovery.js';
import { cancel, confirmPosted, replay } from './replay.js';

export interface GatewayRuntime extends Gateway {
  /** Runs one queue job (the BullMQ worker's processor calls this). */
  processJob(run: JobRun): Promise<JobOutcome>;
  /** One recovery pass (the scheduler's recovery job calls this). */
  recover(options?: RecoveryOptions): Promise<RecoveryReport>;
  /** Retention: purges finished messages older than the configured period. */
  purgeExpired(): Promise<number>;
  /** Stops bulk replays and closes the transports. Call after the workers are closed. */
  close(): Promise<void>;
}

export function createGateway(deps: PipelineDeps): GatewayRuntime {
  const bulk = new BulkReplays(deps);
  return {
    ingest: (request) => ingest(deps, request),
    replay: (id, options) => replay(deps, id, options),
    cancel: (id, options) => cancel(deps, id, options),
    confirmPosted: (id, options) => confirmPosted(deps, id, options),
    bulkReplay: (request) => bulk.start(request),
    bulkJob: (id) => bulk.get(id),
    controlBulkJob: (id, action, actor) => bulk.control(id, action, actor),
    processJob: (run) => processJob(deps, run),
    recover: (options) => recover(deps, options),
    purgeExpired: () => purgeExpired(deps),
    async close() {
      bulk.cancelAll();
      await deps.transports.close();
    },
  };
}
