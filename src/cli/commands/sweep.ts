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
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import type { SweepResult } from '../../sweeper/run.js';
import { openSweep } from '../../wiring/sweep.js';

interface Options {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
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
      // The gateway's own checks (src/config/check.ts): a config the gateway refuses is refused here.
      const loaded = loadConfig(opts.config !== undefined ? { file: opts.config } : {});
      const wiring = await openSweep(loaded, { dryRun: opts.dryRun === true });
      try {
        const r = await wiring.pushback.sweep({ dryRun: opts.dryRun === true });
        if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else printHuman(r);
        if (!wiring.queued && !opts.dryRun && r.postings > 0) {
          process.stdout.write(
            'note: Redis did not answer; the postings are stored and the gateway will queue them\n',
          );
        }
        if (r.skipped === 'locked') process.exitCode = 3;
      } finally {
        await wiring.close();
      }
    });
}
