/**
 * `idocgate definitions import <file> [--out <file>] [--xsd] [--hints <definition.json>]`
 *   turns an SAP parser file (WE60/WE63) or IDoc XSD into a definition JSON.
 * `idocgate definitions check [dir]`
 *   loads and checks every definition file in a folder and prints every problem.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { checkDefinition } from '../../definitions/check.js';
import { dataTypesOf, importParserFileDetailed } from '../../definitions/import-parser-file.js';
import { importIdocXsd } from '../../definitions/import-xsd.js';
import { validateDefinitionSchema } from '../../definitions/schema.js';
import type { IdocDefinition } from '../../definitions/types.js';
import { isIdocgateError, type Issue } from '../../errors.js';
import { DEFINITIONS_DIR } from '../../paths.js';

interface ImportOptions {
  out?: string;
  xsd?: boolean;
  hints?: string;
}

function readHints(file: string): IdocDefinition {
  return JSON.parse(readFileSync(file, 'utf8')) as IdocDefinition;
}

function runImport(file: string, opts: ImportOptions): void {
  const text = readFileSync(file, 'utf8');
  const hints = opts.hints ? readHints(opts.hints) : undefined;
  const common = {
    ...(hints ? { dataTypes: dataTypesOf(hints), messageTypes: hints.messageTypes } : {}),
    ...(hints?.description ? { description: hints.description } : {}),
    sources: [
      `imported by idocgate from ${file}${opts.xsd ? ' (IDoc XSD)' : ' (SAP WE60/WE63 parser file)'}`,
    ],
  };
  let def: IdocDefinition;
  if (opts.xsd) {
    def = importIdocXsd(text, common);
  } else {
    const r = importParserFileDetailed(text, common);
    for (const w of r.warnings) process.stderr.write(`warning: ${file}: ${w.message}\n`);
    def = r.definition;
  }
  const json = JSON.stringify({ $schema: './definition.schema.json', ...def }, null, 1) + '\n';
  if (opts.out) {
    writeFileSync(opts.out, json);
    process.stderr.write(
      `${def.basicType}${def.extension ? `/${def.extension}` : ''}: ${def.segments.length} segments -> ${opts.out}\n`,
    );
  } else {
    process.stdout.write(json);
  }
}

/** All problems of one definition file (JSON syntax, JSON Schema, structural checks). */
export function checkDefinitionFile(file: string): Issue[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return [{ code: 'JSON_INVALID', path: '/', message: `not valid JSON (${(e as Error).message})` }];
  }
  const schemaIssues = validateDefinitionSchema(json);
  if (schemaIssues.length > 0) return schemaIssues;
  return checkDefinition(json as IdocDefinition);
}

function runCheck(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort();
  let problems = 0;
  for (const f of files) {
    const file = join(dir, f);
    const issues = checkDefinitionFile(file);
    problems += issues.length;
    for (const i of issues) process.stdout.write(`${file}#${i.path ?? '/'}: ${i.message}\n`);
  }
  process.stderr.write(`${files.length} definition file(s) checked, ${problems} problem(s)\n`);
  if (problems > 0 || files.length === 0) process.exitCode = 1;
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (isIdocgateError(e)) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
    } else {
      process.stderr.write(`${(e as Error).message}\n`);
    }
    process.exitCode = 1;
  }
}

export function register(program: Command): void {
  const defs = program
    .command('definitions')
    .description('import and check IDoc definitions (idoc-definitions/*.json)');
  defs
    .command('import <file>')
    .description(
      'convert an SAP parser file (WE60/WE63 "parser" export) or, with --xsd, an IDoc XSD into a definition',
    )
    .option('-o, --out <file>', 'write the definition JSON to this file instead of stdout')
    .option('--xsd', 'the input is an IDoc XML schema (XSD) rather than a parser file')
    .option(
      '--hints <definition.json>',
      'take data types, message types and description from an existing definition',
    )
    .action((file: string, opts: ImportOptions) => guarded(() => runImport(file, opts)));
  defs
    .command('check [dir]')
    .description('load and check every definition file in a folder (default: idoc-definitions/)')
    .action((dir: string | undefined) => guarded(() => runCheck(dir ?? DEFINITIONS_DIR)));
}
