/** `idocgate serve [--config file] [--role all|api|worker|scheduler]`: runs the gateway (as src/main.ts). */
import type { Command } from 'commander';
import { parseRoles, serve, UsageError } from '../../main.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the gateway: HTTP API, queue workers and scheduler (or one --role of them)')
    .option(
      '-c, --config <file>',
      'config file (YAML or JSON); default $IDOCGATE_CONFIG, else built-in defaults',
    )
    .option('--role <roles>', 'all, or a comma list of api, worker, scheduler', 'all')
    .action(async (opts: { config?: string; role: string }) => {
      try {
        const roles = parseRoles(opts.role);
        await serve({ roles, ...(opts.config !== undefined ? { config: opts.config } : {}) });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`idocgate: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
