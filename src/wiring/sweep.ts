/**
 * `idocgate sweep` wiring: the same parts the gateway builds for the delivery ledger and the
 * pushback sweeper, from the same loaded config — the store (DATABASE_URL, else the PGlite data
 * directory), the definitions and the mappings' lookup tables, and the work queue when Redis
 * (REDIS_URL, read by the one parser of src/redis/connect.ts, `rediss://` included) answers; else
 * postings stay stored as `received` and the gateway's recovery job queues them. A dry run never
 * touches Redis. close() in reverse order.
 */
import type { LoadedConfig } from '../config/load.js';
import { loadDefinitions } from '../definitions/load.js';
import { loadMappingFolders } from '../mapping/load.js';
import { DEFINITIONS_DIR } from '../paths.js';
import { redisAnswers, redisOptionsFromUrl } from '../redis/connect.js';
import { openStore } from '../store/open-store.js';
import type { PushbackRuntime } from '../sweeper/runtime.js';
import { startPushback } from './pushback.js';

export interface SweepWiring {
  readonly pushback: PushbackRuntime;
  /** Whether postings are queued now (Redis answered), rather than left for the recovery job. */
  readonly queued: boolean;
  close(): Promise<void>;
}

export async function openSweep(
  loaded: LoadedConfig,
  options: { readonly dryRun: boolean },
): Promise<SweepWiring> {
  const { config, env } = loaded;
  const store = await openStore(
    env.databaseUrl ? { databaseUrl: env.databaseUrl } : { dataDir: config.database.dataDir },
  );
  try {
    const connection = redisOptionsFromUrl(env.redisUrl ?? 'redis://127.0.0.1:6379');
    const queued = !options.dryRun && (await redisAnswers(connection));
    const definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
    const pushback = await startPushback({
      config,
      sweeper: config.sweeper,
      store,
      definitions,
      tables: loadMappingFolders(config.mappings, definitions).tables,
      ...(queued ? { redis: { options: connection } } : {}),
    });
    return {
      pushback,
      queued,
      async close() {
        try {
          await pushback.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
