/**
 * Reads mapping files (`mappings/*.yaml|*.yml|*.json`) and lookup tables (`mappings/tables/`),
 * validates them against mappings/mapping.schema.json and compiles them. Every problem names
 * the file and the JSON path inside it; all problems of all files are reported together.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONTRACTS, type PayloadContract } from '../contracts/registry.js';
import { loadDefinitions } from '../definitions/load.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, isIdocgateError, type Issue } from '../errors.js';
import { MAPPINGS_DIR } from '../paths.js';
import { compileMapping } from './compile.js';
import { validateMappingSchema } from './schema.js';
import { loadTables } from './tables.js';
import type { CompiledMapping, LookupTable, MappingFile } from './types.js';

export interface MappingRegistry {
  get(name: string): CompiledMapping | undefined;
  list(): CompiledMapping[];
  readonly tables: ReadonlyMap<string, LookupTable>;
  readonly dir: string;
}

export interface LoadOptions {
  readonly definitions?: DefinitionRegistry;
  readonly contracts?: ReadonlyMap<string, PayloadContract>;
  /** Tables folder (default `<dir>/tables`). */
  readonly tablesDir?: string;
}

/** Parses the text of a mapping file (YAML, of which JSON is a subset) and checks its schema. */
export function parseMappingFile(text: string, file: string): MappingFile {
  let json: unknown;
  try {
    json = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new IdocgateError('MAPPING_INVALID', `${file}: not valid YAML (${(e as Error).message})`);
  }
  const issues = validateMappingSchema(json);
  if (issues.length > 0) {
    const list = issues.map((i) => `  ${file}#${i.message}`).join('\n');
    throw new IdocgateError('MAPPING_INVALID', `${file}: invalid mapping\n${list}`, {
      issues: issues.map((i) => ({ ...i, details: { file } })),
    });
  }
  return json as MappingFile;
}

export function mappingFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads, checks and compiles every mapping in `dir`; throws MAPPING_INVALID listing all problems. */
export function loadMappings(dir: string = MAPPINGS_DIR, options: LoadOptions = {}): MappingRegistry {
  const definitions = options.definitions ?? loadDefinitions();
  const tablesDir = options.tablesDir ?? join(dir, 'tables');
  const tables = existsSync(tablesDir) ? loadTables(tablesDir) : new Map<string, LookupTable>();
  const contracts = options.contracts ?? CONTRACTS;
  const byName = new Map<string, CompiledMapping>();
  const problems: IdocgateError[] = [];
  for (const file of mappingFiles(dir)) {
    try {
      const m = parseMappingFile(readFileSync(file, 'utf8'), file);
      const prior = byName.get(m.name);
      if (prior)
        throw new IdocgateError(
          'MAPPING_INVALID',
          `${file}#/name: mapping name "${m.name}" is already used by ${prior.file}`,
        );
      byName.set(m.name, compileMapping(m, file, { definitions, tables, contracts }));
    } catch (e) {
      if (!isIdocgateError(e)) throw e;
      problems.push(e);
    }
  }
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) {
    const issues: Issue[] = problems.flatMap((p) => p.issues);
    throw new IdocgateError('MAPPING_INVALID', problems.map((p) => p.message).join('\n'), { issues });
  }
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    tables,
    dir,
  };
}

/**
 * The mappings of the config's folders (default: the shipped `mappings/`): later folders override
 * earlier mappings of the same name; the lookup tables are those of the last folder.
 */
export function loadMappingFolders(
  dirs: readonly string[],
  definitions: DefinitionRegistry,
): MappingRegistry {
  const registries = (dirs.length > 0 ? dirs : [MAPPINGS_DIR]).map((d) => loadMappings(d, { definitions }));
  if (registries.length === 1) return registries[0]!;
  const byName = new Map(registries.flatMap((r) => r.list().map((m) => [m.name, m] as const)));
  const last = registries[registries.length - 1]!;
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
    tables: last.tables,
    dir: last.dir,
  };
}
