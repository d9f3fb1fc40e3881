/**
 * Reads definition files from a folder (default `idoc-definitions/`), checks each one, and
 * returns a registry. Every problem names the file and the path inside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdocgateError, type Issue } from '../errors.js';
import { checkDefinition } from './check.js';
import { DEFINITIONS_DIR } from '../paths.js';
import { DefinitionRegistry } from './registry.js';
import { validateDefinitionSchema } from './schema.js';
import type { IdocDefinition } from './types.js';

/** Parses and checks one definition file's text; throws DEFINITION_INVALID with all issues. */
export function parseDefinition(text: string, file: string): IdocDefinition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new IdocgateError('DEFINITION_INVALID', `${file}: not valid JSON (${(e as Error).message})`);
  }
  const schemaIssues = validateDefinitionSchema(json);
  if (schemaIssues.length > 0) throw invalid(file, schemaIssues);
  const def = json as IdocDefinition;
  const issues = checkDefinition(def);
  if (issues.length > 0) throw invalid(file, issues);
  return def;
}

function invalid(file: string, issues: Issue[]): IdocgateError {
  const list = issues.map((i) => `  ${file}#${i.path ?? ''}: ${i.message}`).join('\n');
  return new IdocgateError('DEFINITION_INVALID', `${file}: invalid IDoc definition\n${list}`, {
    issues: issues.map((i) => ({ ...i, details: { ...i.details, file } })),
  });
}

/** Loads every `*.json` definition in the given folders (later folders override earlier ones). */
export function loadDefinitions(dirs: readonly string[] = [DEFINITIONS_DIR]): DefinitionRegistry {
  const registry = new DefinitionRegistry();
  for (const dir of dirs) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
      .sort();
    for (const f of files) {
      const file = join(dir, f);
      registry.add(parseDefinition(readFileSync(file, 'utf8'), file));
    }
  }
  return registry;
}
