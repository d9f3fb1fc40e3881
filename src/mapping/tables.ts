/**
 * Lookup tables as data (`mappings/tables/<name>.yaml`): named columns and rows of strings,
 * e.g. site <-> plant + storage location, SAP unit <-> ISO unit. Indexes are built once per
 * table and set of key columns.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IdocgateError, type Issue } from '../errors.js';
import type { LookupTable } from './types.js';

/** Key (column values joined by NUL) -> value of the wanted column. */
export type Index = ReadonlyMap<string, string>;
const indexes = new WeakMap<LookupTable, Map<string, Index | null>>();

/**
 * Index of `table` from the `keys` columns to the `get` column (first row wins for duplicate
 * keys), or null when the table lacks one of the columns. Columns are found by name, so a table
 * given at run time (MappingContext.tables) may order its columns differently.
 */
export function tableIndex(table: LookupTable, keys: readonly string[], get: string): Index | null {
  const cacheKey = `${keys.join(',')}>${get}`;
  let perTable = indexes.get(table);
  if (!perTable) {
    perTable = new Map();
    indexes.set(table, perTable);
  }
  let idx = perTable.get(cacheKey);
  if (idx === undefined) {
    const cols = keys.map((k) => table.columns.indexOf(k));
    const g = table.columns.indexOf(get);
    if (g < 0 || cols.some((c) => c < 0)) idx = null;
    else {
      const m = new Map<string, string>();
      for (const row of table.rows) {
        const k = cols.length === 1 ? (row[cols[0]!] ?? '') : cols.map((c) => row[c] ?? '').join('\u0000');
        if (!m.has(k)) m.set(k, row[g] ?? '');
      }
      idx = m;
    }
    perTable.set(cacheKey, idx);
  }
  return idx;
}

/** Checks the shape of a parsed table file; returns issues with JSON paths. */
export function checkTable(json: unknown): Issue[] {
  const issues: Issue[] = [];
  const bad = (path: string, message: string): void => {
    issues.push({ code: 'TABLE_INVALID', path, message: `${path} ${message}` });
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    bad('/', 'must be an object with "columns" and "rows"');
    return issues;
  }
  const t = json as Record<string, unknown>;
  for (const k of Object.keys(t))
    if (!['description', 'columns', 'rows'].includes(k)) bad(`/${k}`, 'is not allowed');
  const cols = t['columns'];
  if (!Array.isArray(cols) || cols.length === 0 || !cols.every((c) => typeof c === 'string'))
    bad('/columns', 'must be a non-empty list of column names');
  else if (new Set(cols).size !== cols.length) bad('/columns', 'has duplicate names');
  const rows = t['rows'];
  if (!Array.isArray(rows)) bad('/rows', 'must be a list of rows');
  else
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || !r.every((v) => typeof v === 'string'))
        bad(`/rows/${i}`, 'must be a list of strings (quote numbers such as "0001")');
      else if (Array.isArray(cols) && r.length !== cols.length)
        bad(`/rows/${i}`, `must have ${cols.length} values`);
    });
  if (t['description'] !== undefined && typeof t['description'] !== 'string')
    bad('/description', 'must be a string');
  return issues;
}

export function parseTable(text: string, file: string): LookupTable {
  let json: unknown;
  try {
    json = parseYaml(text);
  } catch (e) {
    throw new IdocgateError('MAPPING_INVALID', `${file}: not valid YAML (${(e as Error).message})`);
  }
  const issues = checkTable(json);
  if (issues.length > 0)
    throw new IdocgateError(
      'MAPPING_INVALID',
      `${file}: invalid lookup table\n${issues.map((i) => `  ${file}#${i.path ?? ''}: ${i.message}`).join('\n')}`,
      { issues: issues.map((i) => ({ ...i, details: { file } })) },
    );
  const t = json as { description?: string; columns: string[]; rows: string[][] };
  const name = basename(file).replace(/\.(ya?ml|json)$/, '');
  return t.description === undefined
    ? { name, columns: t.columns, rows: t.rows }
    : { name, description: t.description, columns: t.columns, rows: t.rows };
}

/** All tables in `dir` (`*.yaml`, `*.yml`, `*.json`), by name. */
export function loadTables(dir: string): Map<string, LookupTable> {
  const out = new Map<string, LookupTable>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(f)) continue;
    const file = join(dir, f);
    const t = parseTable(readFileSync(file, 'utf8'), file);
    out.set(t.name, t);
  }
  return out;
}
