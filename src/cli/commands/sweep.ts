/**
 * `idocgate sweep [--dry-run] [--config file] [--json]`: runs the delivery ledger catch-up and one
 * pushback sweeper run now, or (with --dry-run) previews what the next run would post without
 * writing anything. Exit codes: 0 done, 1 error, 3 skipped because another run holds the lease.
 *
 * It opens the same database as the gateway (DATABASE_URL, else the PGlite data directory; an
 * embedded PGlite database is locked while the gateway runs: use GET /api/sweeper/preview and
 * POST /api/sweeper/run then). Postings are queued through Redis when it answers; otherwise they
 * stay stored as `received` and the gateway's recovery job queues them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkConfig, parseConfigText } from '../../config/load.js';
import { sweeperConfigSchema, type SweeperConfig } from '../../config/sweeper.js';
import { loadDefinitions } from '../../definitions/load.js';
import { IdocgateError } from '../../errors.js';
import { loadTables } from '../../mapping/tables.js';
import { DEFINITIONS_DIR, MAPPINGS_DIR } from '../../paths.js';
import { redisAnswers } from '../../redis/connect.js';
import { openStore } from '../../store/open-store.js';
import type { SweepResult } from '../../sweeper/run.js';
import { startPushback } from '../../sweeper/wiring.js';

interface Options {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Splits the file into the main config and its `sweeper` section (validated on its own). */
function readConfig(file: string | undefined, env: Readonly<Record<string, string | undefined>>) {
  let raw: Record<string, unknown> = {};
  const source = file ?? env['IDOCGATE_CONFIG'];
  if (source) {
    if (!existsSync(source))
      throw new IdocgateError('CONFIG_INVALID', `config file ${source} does not exist`);
    const parsed = parseConfigText(readFileSync(source, 'utf8'), source);
    if (parsed !== null && typeof parsed === 'object') raw = { ...(parsed as Record<string, unknown>) };
  }
  const { sweeper: sweeperRaw = {}, ...rest } = raw;
  const s = sweeperConfigSchema.safeParse(sweeperRaw);
  const { config, issues } = checkConfig(rest, env);
  const all = [
    ...issues.map((i) => `${i.path}: ${i.message}`),
    ...(s.success ? [] : s.error.issues.map((i) => `sweeper.${i.path.join('.')}: ${i.message}`)),
  ];
  if (!config || !s.success || all.length > 0) {
    throw new IdocgateError('CONFIG_INVALID', `invalid configuration\n  ${all.join('\n  ')}`);
  }
  return { config, sweeper: s.data as SweeperConfig, env };
}

function printHuman(r: SweepResult): void {
  const out = process.stdout;
  if (r.skipped === 'locked') {
    out.write('skipped: another sweeper run holds the lease\n');
    return;
  }
  out.write(
    `${r.dryRun ? 'dry run' : 'run'} ${r.runId}: ${r.scanned} overdue scanned, ` +
      `${r.dryRun ? r.previews.length : r.pushedBack} to push back, ${r.postings} postings created, ` +
      `${r.closed} closed, ${r.resumed} resumed\n`,
  );
  for (const p of r.previews) {
    out.write(
      `  ${p.delivery}  ${p.destinationSite} -> ${p.originSite}  outstanding ${p.outstanding}` +
        `  missing serials ${p.missingSerials}  postings ${p.steps.map((s) => `${s.name}(${s.idempotencyKey})`).join(', ')}\n`,
    );
  }
  for (const p of r.problems)
    out.write(`  ${p.delivery}: cannot push back: ${p.issues.map((i) => i.message).join('; ')}\n`);
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description(
      'pushback sweeper: apply the delivery ledger, then push back overdue partial deliveries (or preview)',
    )
    .option('-c, --config <file>', 'config file (YAML or JSON); default $IDOCGATE_CONFIG')
    .option('--dry-run', 'show what the next run would post; write nothing')
    .option('--json', 'print the result as JSON')
    .action(async (opts: Options) => {
      const { config, sweeper, env } = readConfig(opts.config, process.env);
      const databaseUrl = env[config.database.urlEnv];
      const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: config.database.dataDir });
      try {
        const redisUrl = env[config.redis.urlEnv];
        const connection = redisUrl ? parseRedisUrl(redisUrl) : { host: '127.0.0.1', port: 6379 };
        const useRedis = !opts.dryRun && (await redisAnswers(connection));
        const definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
        const tablesDir = join(config.mappings[config.mappings.length - 1] ?? MAPPINGS_DIR, 'tables');
        const pushback = await startPushback({
          config,
          sweeper,
          store,
          definitions,
          tables: loadTables(existsSync(tablesDir) ? tablesDir : join(MAPPINGS_DIR, 'tables')),
          ...(useRedis ? { redis: { options: connection } } : {}),
        });
        try {
          const r = await pushback.sweep({ dryRun: opts.dryRun === true });
          if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
          else printHuman(r);
          if (!useRedis && !opts.dryRun && r.postings > 0) {
            process.stdout.write(
              'note: Redis did not answer; the postings are stored and the gateway will queue them\n',
            );
          }
          if (r.skipped === 'locked') process.exitCode = 3;
        } finally {
          await pushback.close();
        }
      } finally {
        await store.close();
      }
    });
}

function parseRedisUrl(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
} {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
  };
}
