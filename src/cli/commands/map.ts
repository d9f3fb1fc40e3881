/**
 * `idocgate map <mapping> [file]`  maps one message (file or stdin: JSON, IDoc-XML or flat) and
 *   prints the target as JSON; issues go to stderr, exit code 1 when the mapping failed.
 * `idocgate mappings check`        loads every mapping (all problems with file and path) and runs
 *   the cases in fixtures/mappings/<mapping>/.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDefinitions } from '../../definitions/load.js';
import { isIdocgateError } from '../../errors.js';
import { listCases, MAPPING_FIXTURES_DIR, runCase } from '../../mapping/cases.js';
import { hasErrors } from '../../mapping/errors.js';
import { readMappingInput } from '../../mapping/input.js';
import { loadMappings } from '../../mapping/load.js';
import type { MappingIssue } from '../../mapping/types.js';
import { MAPPINGS_DIR } from '../../paths.js';

interface MapOptions {
  dir: string;
  timeZone: string;
  now?: string;
}

function issueLine(i: MappingIssue): string {
  const where = [i.targetPath && `target ${i.targetPath}`, i.sourcePath && `source ${i.sourcePath}`]
    .filter(Boolean)
    .join(', ');
  const value = i.value === null ? '' : ` value ${JSON.stringify(i.value)}`;
  return `${i.severity ?? 'error'} ${i.code} [${i.rule}]${where ? ` ${where}` : ''}${value}: ${i.message}\n`;
}

function fail(e: unknown): void {
  if (!isIdocgateError(e)) throw e;
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}

function runMap(name: string, file: string | undefined, opts: MapOptions): void {
  try {
    const definitions = loadDefinitions();
    const registry = loadMappings(opts.dir, { definitions });
    const mapping = registry.get(name);
    if (!mapping) {
      const known = registry.list().map((m) => m.name);
      process.stderr.write(`unknown mapping "${name}" (known: ${known.join(', ')})\n`);
      process.exitCode = 2;
      return;
    }
    const now = opts.now ? new Date(opts.now) : new Date();
    if (Number.isNaN(now.getTime())) {
      process.stderr.write(`--now: "${opts.now ?? ''}" is not a date\n`);
      process.exitCode = 2;
      return;
    }
    const text = readFileSync(file ?? 0, 'utf8');
    const { output, issues } = mapping.run(readMappingInput(text, definitions), {
      now,
      timeZone: opts.timeZone,
    });
    for (const i of issues) process.stderr.write(issueLine(i));
    if (hasErrors(issues)) {
      process.stderr.write(`mapping ${name} failed (${issues.length} issue(s))\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } catch (e) {
    fail(e);
  }
}

function runCheck(opts: { dir: string; fixtures: string }): void {
  try {
    const definitions = loadDefinitions();
    const registry = loadMappings(opts.dir, { definitions });
    let failed = 0;
    let total = 0;
    for (const mapping of registry.list()) {
      const cases = listCases(mapping.name, opts.fixtures);
      if (cases.length === 0) process.stdout.write(`${mapping.name}: no cases in ${opts.fixtures}\n`);
      for (const c of cases) {
        total++;
        const r = runCase(mapping, c, definitions);
        process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${mapping.name} / ${c.name}\n`);
        if (!r.ok) {
          failed++;
          for (const p of r.problems) process.stdout.write(`       ${p}\n`);
        }
      }
    }
    process.stdout.write(`${registry.list().length} mappings valid; ${total - failed}/${total} cases pass\n`);
    if (failed > 0) process.exitCode = 1;
  } catch (e) {
    fail(e);
  }
}

export function register(program: Command): void {
  program
    .command('map')
    .description('map one message with a mapping and print the target (stdin when no file)')
    .argument('<mapping>', 'mapping name, e.g. handheld-to-mbgmcr03')
    .argument('[file]', 'input: partner JSON, IDoc JSON, IDoc-XML or flat IDoc')
    .option('--dir <dir>', 'mappings folder', MAPPINGS_DIR)
    .option('--time-zone <zone>', 'IANA time zone of SAP dates and times', 'UTC')
    .option('--now <iso>', 'fixed "now" (ISO 8601) instead of the clock')
    .action((name: string, file: string | undefined, opts: MapOptions) => runMap(name, file, opts));
  program
    .command('mappings')
    .description('work with mapping files')
    .command('check')
    .description('validate every mapping and run its cases (fixtures/mappings/<name>/)')
    .option('--dir <dir>', 'mappings folder', MAPPINGS_DIR)
    .option('--fixtures <dir>', 'cases folder', MAPPING_FIXTURES_DIR)
    .action((opts: { dir: string; fixtures: string }) => runCheck(opts));
}
