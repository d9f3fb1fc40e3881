/**
 * One gateway process of the fault bench (bench/faults.bench.ts spawns several):
 *
 *   node --import tsx bench/faults-node.ts <config.yaml> <roles> <port> [pglite-dir]
 *
 * The real app (buildApp) with the given roles, short recovery / stall intervals so a killed
 * worker's jobs come back within seconds (production defaults: 15 s / 30 s), store on the
 * DATABASE_URL of the environment or, with a fourth argument, PGlite in that directory. Prints
 * `READY <address>` once listening; SIGTERM closes it gracefully.
 */
import { buildApp, type Role } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/wiring/logging.js';

const [file, roleList, port, pgliteDir] = process.argv.slice(2);
if (file === undefined || roleList === undefined || port === undefined) {
  console.error('usage: faults-node.ts <config.yaml> <roles> <port> [pglite-dir]');
  process.exit(2);
}
const roles = roleList.split(',') as Role[];
const loaded = loadConfig({ file, env: process.env });
const app = await buildApp({
  loaded,
  roles,
  logger: createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn' }),
  ...(pgliteDir !== undefined ? { store: { dataDir: pgliteDir } } : {}),
  tuning: { recoveryEveryMs: 2000, lockDurationMs: 5000, stalledIntervalMs: 2000 },
});
const address = await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log(`READY ${address}`);
let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    void app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
