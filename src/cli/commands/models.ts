/**
 * `idocgate models train [--config file] [--json] [--lambda n]`: trains the at-risk model on the
 * ledger history (every goods-issued delivery whose due date has passed), stores it as a new
 * version in `risk_models` and prints its hold-out figures. The running gateway scores with the
 * newest version from its next request on (GET /api/deliveries/:delivery/risk).
 * `--custody`: learns the serial ledger's custody-path model from its history instead (a new
 * version in `custody_models`; the rule's next sweep uses it).
 *
 * It opens the same database as the gateway (DATABASE_URL, else the PGlite data directory; an
 * embedded PGlite database is locked while the gateway runs: stop it, or use PostgreSQL).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { isIdocgateError } from '../../errors.js';
import { trainAndStore } from '../../intelligence/service.js';
import { trainCustodyPath } from '../../ledger/serials/catch-up.js';
import { custodyThreshold } from '../../ledger/serials/rules/custody-path.js';
import { buildSiteDirectory, loadSiteRows } from '../../ledger/serials/sites.js';
import { createLedgerFeed } from '../../store/serials/feed.js';
import { createIntelligenceStore } from '../../store/analytics/intelligence-repo.js';
import { openStore } from '../../store/open-store.js';

interface Options {
  config?: string;
  json?: boolean;
  lambda?: string;
  custody?: boolean;
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
    .option('--custody', "learn the serial ledger's custody-path model instead")
    .action(async (opts: Options) => {
      const { config } = loadConfig(opts.config !== undefined ? { file: opts.config } : {});
      const databaseUrl = process.env[config.database.urlEnv];
      const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: config.database.dataDir });
      try {
        if (opts.custody === true) {
          const now = new Date();
          const sites = buildSiteDirectory(loadSiteRows(), config.ledger);
          const feed = createLedgerFeed(store.db, { sites, config: config.ledger, clock: () => now });
          const c = await trainCustodyPath(feed, config.ledger, now, 'cli').catch((e: unknown) => {
            if (!isIdocgateError(e)) throw e;
            return e;
          });
          if (c instanceof Error) {
            process.stdout.write(`not trained: ${c.message}\n`);
            process.exitCode = 2;
          } else if (c === undefined) {
            process.stdout.write('not trained: another process holds the serial ledger lock; try again\n');
            process.exitCode = 2;
          } else if (opts.json) {
            process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
          } else {
            const m = c.model;
            process.stdout.write(
              `custody-path model v${c.version}: ${c.events} serial events up to ${m.trainedUntil}, ${m.sites.length} sites, ` +
                `scan miss rate ${f3(m.miss)}, moves per unit and day ${m.lambdaPerDay.toFixed(4)}, threshold ${custodyThreshold(config.ledger.rules.custodyPath, m)}\n`,
            );
          }
          return;
        }
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
