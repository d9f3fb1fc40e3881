/**
 * The `idocgate` command line. Each command lives in its own file under ./commands and
 * registers itself on the program; this file only wires them together.
 */
import { Command } from 'commander';
import { isIdocgateError } from '../errors.js';
import { RedisUnavailableError } from '../redis/connect.js';
import * as codecCommand from './commands/codec.js';
import * as definitionsCommand from './commands/definitions.js';
import * as mapCommand from './commands/map.js';
import * as serveCommand from './commands/serve.js';
import * as checkConfigCommand from './commands/check-config.js';
import * as hashCommand from './commands/hash.js';
import * as sweepCommand from './commands/sweep.js';
import * as forecastCommand from './commands/forecast.js';
import * as exportCommand from './commands/export.js';
import * as modelsCommand from './commands/models.js';
import * as simulateCommand from './commands/simulate.js';

const program = new Command('idocgate')
  .description('SAP IDoc gateway: codec, mappings, queues, store, sweeper, serial ledger')
  .showHelpAfterError();

const commandModules: { register(program: Command): void }[] = [
  definitionsCommand,
  mapCommand,
  codecCommand,
  serveCommand,
  checkConfigCommand,
  hashCommand,
  sweepCommand,
  forecastCommand,
  exportCommand,
  modelsCommand,
  simulateCommand,
];

for (const m of commandModules) m.register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures (config, database in use, Redis missing...) are one line, never a stack.
  if (isIdocgateError(err)) process.stderr.write(`idocgate: ${err.code}: ${err.message}\n`);
  else if (err instanceof RedisUnavailableError) process.stderr.write(`${err.message}\n`);
  else throw err;
  process.exitCode = 1;
}
