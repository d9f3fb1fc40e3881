/**
 * Reads the configuration once: file (YAML or JSON) + environment. The only module that reads
 * process.env. Every problem is reported at once, each with its path.
 */
import { IdocgateError } from '../errors.js';
import { checkConfig, checkConfigReferences, envReferences, formatConfigIssue } from './check.js';
import { readConfigFile } from './read.js';
import type { Config } from './schema.js';

// Moved: the checks live in ./check.ts, the file reading in ./read.ts (kept here for old imports).
export { checkConfig } from './check.js';
export { parseConfigText } from './read.js';

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

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
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
    raw = readConfigFile(file);
    source = file;
  }
  return loadConfigObject(raw, source, env);
}

/**
 * Checks an already parsed config (the demo builds its own from the example) like loadConfig:
 * every check of ./check.ts, so a config `idocgate check-config` rejects never starts. The error
 * names each problem on a line of its own, as check-config prints it.
 */
export function loadConfigObject(
  raw: unknown,
  source: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  const checked = checkConfig(raw, env);
  const { config } = checked;
  const issues = config ? [...checked.issues, ...checkConfigReferences(config).issues] : checked.issues;
  if (!config || issues.length > 0) {
    const lines = issues.map((i) => formatConfigIssue(source, i));
    const message =
      lines.length === 1
        ? `invalid configuration: ${lines[0]}`
        : `invalid configuration (${lines.length} problems):\n  ${lines.join('\n  ')}`;
    throw new IdocgateError('CONFIG_INVALID', message, { issues });
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
