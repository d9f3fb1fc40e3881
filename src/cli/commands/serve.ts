/**
 * `idocgate serve [--config file] [--role all|api|worker|scheduler] [--host a] [--port n]`: runs the
 * gateway (as src/main.ts); without a config, the demo.
 */
import type { Command } from 'commander';
import { parsePort, parseRoles, serve, UsageError } from '../../main.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the gateway: HTTP API, queue workers and scheduler (or one --role of them)')
    .option(
      '-c, --config <file>',
      'config file (YAML or JSON); default $IDOCGATE_CONFIG, else the demo (loopback only)',
    )
    .option('--host <address>', 'listen address (overrides server.host)')
    .option('--port <port>', 'listen port (overrides server.port; 0 = a free one)')
    .option('--role <roles>', 'all, or a comma list of api, worker, scheduler', 'all')
    .action(async (opts: { config?: string; role: string; host?: string; port?: string }) => {
      try {
        const roles = parseRoles(opts.role);
        const port = parsePort(opts.port);
        await serve({
          roles,
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          ...(port !== undefined ? { port } : {}),
        });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`idocgate: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
