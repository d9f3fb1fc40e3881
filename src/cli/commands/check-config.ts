/**
 * `idocgate check-config [file]`: checks a config file the way the gateway does at start
 * (src/config/check.ts, which loadConfig runs) and prints EVERY problem, one per line as
 * `<file>: <path>: <message> [<code>]`; exit code 0 when clean, 1 otherwise. Beyond the schema and the environment variables it names, it checks that the
 * definitions load, mapping names exist (and take what the partner sends), contracts exist,
 * IDoc types have definitions, every transport's options pass the transport's own schema (ports,
 * partners, the ledger's `alertWebhook` and `epcisCapture`), and the sweeper's port and sites exist.
 */
import type { Command } from 'commander';
import { checkConfigFile, formatConfigIssue } from '../../config/check.js';

// The checks are src/config/check.ts, the same that loadConfig runs at start.
export { checkConfigFile } from '../../config/check.js';

export function register(program: Command): void {
  program
    .command('check-config')
    .description(
      'check a config file: schema, environment, definitions, mappings, contracts, transports (all problems)',
    )
    .argument('[file]', 'config file; default $IDOCGATE_CONFIG, else the built-in defaults')
    .action((file: string | undefined) => {
      const target = file ?? process.env['IDOCGATE_CONFIG'];
      const issues = checkConfigFile(target, process.env);
      const source = target ?? '(defaults)';
      for (const i of issues) process.stdout.write(`${formatConfigIssue(source, i)}\n`);
      if (issues.length > 0) {
        process.stderr.write(`${issues.length} problem(s) in ${source}\n`);
        process.exitCode = 1;
      } else {
        process.stdout.write(`${source}: OK\n`);
      }
    });
}
