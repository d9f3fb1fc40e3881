/**
 * Reads the configuration once: file (YAML or JSON) + environment. The only module that reads
 * process.env. Every problem is reported at once, each with its path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { IdocgateError, type Issue } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadedConfig {
  readonly config: Readonly<Config>;
  /** Where the config came from (`(defaults)` when no file was given). */
  readonly source: string;
  /** Secret values resolved from the environment, by variable name. Never log these. */
  readonly secrets: Secrets;
  /** Non-secret environment settings the wiring needs. */
  readonly env: { readonly databaseUrl?: string; readonly redisUrl?: string };
}

export class Secrets {
  readonly #values: ReadonlyMap<string, string>;
  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }
  /** The value of a referenced environment variable; throws if it was not set at load. */
  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) throw new IdocgateError('CONFIG_INVALID', `environment variable ${name} is not set`);
    return v;
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  toJSON(): string {
    return '[secrets]';
  }
}

/** Every `...Env` value in the config, with its path. */
function envReferences(value: unknown, path: (string | number)[] = []): { name: string; path: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => envReferences(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k.endsWith('Env') && typeof v === 'string'
        ? [{ name: v, path: [...path, k].join('.') }]
        : envReferences(v, [...path, k]),
    );
  }
  return [];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Parses config text (YAML is a superset of JSON). */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (e) {
    throw new IdocgateError('CONFIG_INVALID', `${source}: not valid YAML/JSON: ${(e as Error).message}`);
  }
}

/** Checks a parsed config object; returns all issues (empty when valid). */
export function checkConfig(
  raw: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { config?: Config; issues: Issue[] } {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    return {
      issues: result.error.issues.map((i) => ({
        code: 'CONFIG_SCHEMA',
        path: i.path.join('.') || '(root)',
        message: i.message,
      })),
    };
  }
  const issues: Issue[] = [];
  for (const ref of envReferences(result.data)) {
    // database/redis URLs are optional: without them the embedded defaults serve.
    if (ref.path === 'database.urlEnv' || ref.path === 'redis.urlEnv') continue;
    if (env[ref.name] === undefined) {
      issues.push({
        code: 'CONFIG_ENV_MISSING',
        path: ref.path,
        message: `environment variable ${ref.name} is not set`,
      });
    }
  }
  return { config: result.data, issues };
}

export interface LoadConfigOptions {
  /** Config file path; default $IDOCGATE_CONFIG, else built-in defaults only. */
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env['IDOCGATE_CONFIG'];
  let raw: unknown = {};
  let source = '(defaults)';
  if (file) {
    if (!existsSync(file)) throw new IdocgateError('CONFIG_INVALID', `config file ${file} does not exist`);
    raw = parseConfigText(readFileSync(file, 'utf8'), file);
    source = file;
  }
  return loadConfigObject(raw, source, env);
}

/** Checks an already parsed config (the demo builds its own from the example) like loadConfig. */
export function loadConfigObject(
  raw: unknown,
  source: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  const { config, issues } = checkConfig(raw, env);
  if (!config || issues.length > 0) {
    const list = issues.map((i) => `  ${source}: ${i.path}: ${i.message}`).join('\n');
    throw new IdocgateError('CONFIG_INVALID', `invalid configuration\n${list}`, { issues });
  }
  const values = new Map<string, string>();
  for (const ref of envReferences(config)) {
    const v = env[ref.name];
    if (v !== undefined) values.set(ref.name, v);
  }
  const databaseUrl = env[config.database.urlEnv];
  const redisUrl = env[config.redis.urlEnv];
  return {
    config: deepFreeze(config),
    source,
    secrets: new Secrets(values),
    env: {
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(redisUrl ? { redisUrl } : {}),
    },
  };
}
