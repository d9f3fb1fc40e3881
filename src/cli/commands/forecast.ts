/**
 * `idocgate forecast run [--as-of YYYY-MM-DD] [--horizon 28] [--level 0.9] [--history-days 365]
 * [--no-censor] [--config file] [--json]`: builds daily demand per article × site from the serial
 * ledger, forecasts every series daily and weekly (weekly buckets fitted on their own;
 * docs/forecasting.md) and stores the run (GET /api/forecasts?grain=day|week reads it). Opens the same database as the gateway (DATABASE_URL, else the PGlite data
 * directory, which is locked while the gateway runs).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkConfig, parseConfigText } from '../../config/load.js';
import { IdocgateError } from '../../errors.js';
import { normalizedArticles, runForecasts } from '../../forecast/run.js';
import type { Config } from '../../config/schema.js';
import { forecastPort } from '../../store/analytics/forecast-repo.js';
import { openStore, type OpenedStore } from '../../store/open-store.js';

interface RunOptions {
  config?: string;
  asOf?: string;
  horizon: string;
  level: string;
  historyDays: string;
  censor: boolean;
  json?: boolean;
}

/** Opens the gateway's store from the config file (other sections than the main one ignored). */
export async function openConfiguredStore(file: string | undefined): Promise<OpenedStore> {
  return (await openConfigured(file)).store;
}

/** The config file (the sweeper section is not checked) and the gateway's store it names. */
export async function openConfigured(
  file: string | undefined,
): Promise<{ readonly store: OpenedStore; readonly config: Config }> {
  const env = process.env;
  let raw: Record<string, unknown> = {};
  const source = file ?? env['IDOCGATE_CONFIG'];
  if (source) {
    if (!existsSync(source))
      throw new IdocgateError('CONFIG_INVALID', `config file ${source} does not exist`);
    const parsed = parseConfigText(readFileSync(source, 'utf8'), source);
    if (parsed !== null && typeof parsed === 'object') raw = { ...(parsed as Record<string, unknown>) };
  }
  const { sweeper: _sweeper, ...rest } = raw;
  const { config, issues } = checkConfig(rest, env);
  if (!config || issues.length > 0)
    throw new IdocgateError(
      'CONFIG_INVALID',
      `invalid configuration\n  ${issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}`,
    );
  const databaseUrl = env[config.database.urlEnv];
  const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: config.database.dataDir });
  return { store, config };
}

function positive(v: string, name: string, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new IdocgateError('CONFIG_INVALID', `--${name} must be in (0, ${max}]`);
  return n;
}

export function register(program: Command): void {
  const forecast = program.command('forecast').description('demand forecasts from the serial ledger');
  forecast
    .command('run')
    .description(
      'forecast daily and weekly demand per article and site (censoring zero-stock days) and store the run',
    )
    .option('-c, --config <file>', 'config file (YAML or JSON); default $IDOCGATE_CONFIG')
    .option('--as-of <day>', 'first forecast day, YYYY-MM-DD (default today, UTC)')
    .option('--horizon <days>', 'days ahead', '28')
    .option('--level <p>', 'central prediction interval', '0.9')
    .option('--history-days <days>', 'days of history', '365')
    .option('--no-censor', 'take zero-stock days as zero demand')
    .option('--json', 'print the run as JSON')
    .action(async (opts: RunOptions) => {
      if (opts.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf))
        throw new IdocgateError('CONFIG_INVALID', '--as-of must be YYYY-MM-DD');
      const { store, config } = await openConfigured(opts.config);
      try {
        const r = await runForecasts(forecastPort(store.db), {
          articles: normalizedArticles(config.analytics.forecast.articles),
          ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
          horizon: Math.round(positive(opts.horizon, 'horizon', 366)),
          level: positive(opts.level, 'level', 0.999),
          historyDays: Math.round(positive(opts.historyDays, 'history-days', 3660)),
          censor: opts.censor,
        });
        if (r.run === null) {
          process.stdout.write('no serial events before the as-of day: nothing to forecast\n');
          return;
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ runId: r.runId, ...r.run }, null, 2)}\n`);
          return;
        }
        const counts = new Map<string, number>();
        for (const s of r.run.series) counts.set(s.class, (counts.get(s.class) ?? 0) + 1);
        process.stdout.write(
          `run ${r.runId}: ${r.run.series.length} series, history ${r.run.historyFrom}..${r.run.historyTo}, ` +
            `${r.run.horizon} days from ${r.run.asOf} (${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')}); ` +
            `weekly: ${r.run.weekly.length} series, ${r.run.weekly[0]?.mean.length ?? 0} weeks\n`,
        );
      } finally {
        await store.close();
      }
    });
}
