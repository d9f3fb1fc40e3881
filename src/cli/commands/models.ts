/**
 * `idocgate models train [--config file] [--json] [--lambda n]`: trains the at-risk model on the
 * ledger history (every goods-issued delivery whose due date has passed), stores it as a new
 * version in `risk_models` and prints its hold-out figures. The running gateway scores with the
 * newest version from its next request on (GET /api/deliveries/:delivery/risk).
 *
 * It opens the same database as the gateway (DATABASE_URL, else the PGlite data directory; an
 * embedded PGlite database is locked while the gateway runs: stop it, or use PostgreSQL).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { trainAndStore } from '../../intelligence/service.js';
import { createIntelligenceStore } from '../../store/analytics/intelligence-repo.js';
import { openStore } from '../../store/open-store.js';

interface Options {
  config?: string;
  json?: boolean;
  lambda?: string;
}

const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');

export function register(program: Command): void {
  const models = program.command('models').description('at-risk model of inbound deliveries');
  models
    .command('train')
    .description('train the at-risk model on the ledger history and store it as a new version')
    .option('-c, --config <file>', 'config file (YAML or JSON); default $IDOCGATE_CONFIG')
    .option('--lambda <n>', 'L2 regularisation strength (default 1)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: Options) => {
      const { config } = loadConfig(opts.config !== undefined ? { file: opts.config } : {});
      const databaseUrl = process.env[config.database.urlEnv];
      const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: config.database.dataDir });
      try {
        const lambda = opts.lambda !== undefined ? Number(opts.lambda) : undefined;
        const r = await trainAndStore(createIntelligenceStore(store.db), {
          now: new Date(),
          by: 'cli',
          ...(lambda !== undefined && Number.isFinite(lambda) ? { lambda } : {}),
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        } else if (r.version === null) {
          process.stdout.write(`not trained: ${r.reason}\n`);
        } else {
          const t = r.model.training;
          process.stdout.write(
            `risk model v${r.version}: ${t.deliveries} deliveries (${t.positives} partial), ${t.from} .. ${t.to}\n`,
          );
          if (r.holdout !== null) {
            const h = r.holdout;
            process.stdout.write(
              `  hold-out (last 25 %): AUC ${f3(h.auc)} (lane-rate baseline ${f3(h.baselineAuc)}), ` +
                `top-10 % precision ${f3(h.top10Precision)} vs base rate ${f3(h.baseRate)}, ` +
                `Brier ${f3(h.brier)} (baseline ${f3(h.baselineBrier)}), calibration error ${f3(h.calibrationError)}\n`,
            );
          }
        }
        if (r.version === null) process.exitCode = 2;
      } finally {
        await store.close();
      }
    });
}
