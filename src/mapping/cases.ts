/**
 * Mapping tests as data: `fixtures/mappings/<mapping>/<case>.input.(json|xml|txt)` with either
 * `<case>.expected.json` (the exact output) or `<case>.issues.json` (the expected issues, each
 * compared on the keys it lists). `context.json` in the folder sets `now` and `timeZone`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { PROJECT_ROOT } from '../paths.js';
import { readMappingInput } from './input.js';
import type { CompiledMapping, MappingContext, MappingIssue } from './types.js';

export const MAPPING_FIXTURES_DIR = join(PROJECT_ROOT, 'fixtures', 'mappings');

export const DEFAULT_CASE_CONTEXT: MappingContext = {
  now: new Date('2024-03-02T15:00:00Z'),
  timeZone: 'UTC',
};

export interface MappingCase {
  readonly mapping: string;
  readonly name: string;
  readonly inputFile: string;
  readonly expectedFile: string | undefined;
  readonly issuesFile: string | undefined;
  readonly context: MappingContext;
}

export interface CaseOutcome {
  readonly case: MappingCase;
  readonly ok: boolean;
  /** What differs (empty when ok). */
  readonly problems: readonly string[];
  readonly output: unknown;
  readonly issues: readonly MappingIssue[];
}

function readContext(dir: string): MappingContext {
  const f = join(dir, 'context.json');
  if (!existsSync(f)) return DEFAULT_CASE_CONTEXT;
  const c = JSON.parse(readFileSync(f, 'utf8')) as { now?: string; timeZone?: string };
  return {
    now: c.now ? new Date(c.now) : DEFAULT_CASE_CONTEXT.now,
    timeZone: c.timeZone ?? DEFAULT_CASE_CONTEXT.timeZone,
  };
}

/** The cases of one mapping (sorted by name); none when the folder does not exist. */
export function listCases(mapping: string, fixturesDir: string = MAPPING_FIXTURES_DIR): MappingCase[] {
  const dir = join(fixturesDir, mapping);
  if (!existsSync(dir)) return [];
  const context = readContext(dir);
  const files = readdirSync(dir);
  return files
    .map((f) => /^(.+)\.input\.(json|xml|txt)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const name = m[1]!;
      const expected = join(dir, `${name}.expected.json`);
      const issues = join(dir, `${name}.issues.json`);
      return {
        mapping,
        name,
        inputFile: join(dir, m[0]),
        expectedFile: existsSync(expected) ? expected : undefined,
        issuesFile: existsSync(issues) ? issues : undefined,
        context,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Differences between two JSON values as `pointer: what` lines (at most `limit`). */
export function jsonDiff(
  actual: unknown,
  expected: unknown,
  path = '',
  out: string[] = [],
  limit = 20,
): string[] {
  if (out.length >= limit) return out;
  if (Object.is(actual, expected)) return out;
  const at = path || '/';
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (actual.length !== expected.length)
      out.push(`${at}: ${actual.length} elements, expected ${expected.length}`);
    for (let i = 0; i < Math.min(actual.length, expected.length); i++)
      jsonDiff(actual[i], expected[i], `${path}/${i}`, out, limit);
    return out;
  }
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    for (const k of Object.keys(expected))
      if (!(k in actual)) out.push(`${path}/${k}: missing, expected ${JSON.stringify(expected[k])}`);
      else jsonDiff(actual[k], expected[k], `${path}/${k}`, out, limit);
    for (const k of Object.keys(actual))
      if (!(k in expected)) out.push(`${path}/${k}: unexpected ${JSON.stringify(actual[k])}`);
    return out;
  }
  out.push(`${at}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  return out;
}

/** Runs one case; `definitions` are needed to read XML/flat inputs. */
export function runCase(
  mapping: CompiledMapping,
  c: MappingCase,
  definitions: DefinitionRegistry,
): CaseOutcome {
  const input = readMappingInput(readFileSync(c.inputFile, 'utf8'), definitions);
  const { output, issues } = mapping.run(input, c.context);
  const problems: string[] = [];
  const errors = issues.filter((i) => i.severity !== 'warning');
  if (c.expectedFile && c.issuesFile)
    problems.push('a case has either .expected.json or .issues.json, not both');
  else if (c.expectedFile) {
    for (const i of errors)
      problems.push(`unexpected issue ${i.code} at ${i.targetPath || i.sourcePath}: ${i.message}`);
    const expected = JSON.parse(readFileSync(c.expectedFile, 'utf8')) as unknown;
    for (const d of jsonDiff(JSON.parse(JSON.stringify(output ?? null)) as unknown, expected))
      problems.push(`output ${d}`);
  } else if (c.issuesFile) {
    const expected = JSON.parse(readFileSync(c.issuesFile, 'utf8')) as Record<string, unknown>[];
    if (errors.length === 0) problems.push('expected the mapping to fail, but it produced no error issues');
    const actual = issues.map((i) => Object.fromEntries(Object.entries(i)));
    if (actual.length !== expected.length)
      problems.push(`${actual.length} issues, expected ${expected.length}`);
    expected.forEach((e, n) => {
      const a = actual[n];
      if (!a) return;
      const picked = Object.fromEntries(Object.keys(e).map((k) => [k, a[k]]));
      for (const d of jsonDiff(picked, e)) problems.push(`issue ${n} ${d}`);
    });
  } else problems.push('no .expected.json or .issues.json next to the input');
  return { case: c, ok: problems.length === 0, problems, output, issues };
}
