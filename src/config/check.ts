/**
 * Every check of a configuration, in one place, run by `loadConfig` at start (so the gateway
 * refuses to start with a bad transport option instead of dead-lettering the first delivery),
 * by `idocgate check-config` (which prints the same issues) and by `idocgate sweep`:
 *
 * 1. the schema (src/config/schema.ts, with its own cross references: ports, duplicate partners);
 * 2. the environment variables the config names (`...Env`);
 * 3. the definitions and mappings load, mapping names exist and take what the partner sends,
 *    contracts exist, IDoc types have definitions;
 * 4. every transport's options pass the transport kind's own schema (ports, partners, the
 *    ledger's `alertWebhook` and `epcisCapture`);
 * 5. the sweeper's port and sites exist.
 *
 * All problems are returned at once, each with its path; nothing here throws for a bad config.
 */
import type { Config } from './schema.js';
import { configSchema } from './schema.js';
import { checkSweeperConfig } from './sweeper.js';
import { readConfigFile } from './read.js';
import { CONTRACTS } from '../contracts/registry.js';
import { loadDefinitions } from '../definitions/load.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { isIdocgateError, type Issue } from '../errors.js';
import { buildDeliverySites, siteRowsOf } from '../ledger/deliveries/sites.js';
import { loadMappingFolders, type MappingRegistry } from '../mapping/load.js';
import { DEFINITIONS_DIR } from '../paths.js';
import { validateTransportOptions } from '../transports/registry.js';

type Env = Readonly<Record<string, string | undefined>>;

function issue(code: string, path: string, message: string): Issue {
  return { code, path, message };
}

function fromError(e: unknown, path: string): Issue[] {
  if (!isIdocgateError(e)) throw e;
  if (e.issues.length === 0) return [issue(e.code, path, e.message)];
  return e.issues.map((i) => issue(i.code, i.path ? `${path}: ${i.path}` : path, i.message));
}

/** Every `...Env` value in the config, with its path. */
export function envReferences(
  value: unknown,
  path: (string | number)[] = [],
): { name: string; path: string }[] {
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

/** Steps 1 and 2: the schema and the environment; `config` is set once the schema passes. */
export function checkConfig(raw: unknown, env: Env): { config?: Config; issues: Issue[] } {
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

function checkTransport(ref: { kind: string } & Record<string, unknown>, path: string): Issue[] {
  let r: ReturnType<typeof validateTransportOptions>;
  try {
    r = validateTransportOptions(ref.kind, ref);
  } catch (e) {
    // A transport's own cross-field check may throw on values its schema already rejects.
    return [issue('TRANSPORT_OPTION_INVALID', path, e instanceof Error ? e.message : String(e))];
  }
  if (r.ok) return [];
  return r.issues.map((i) => issue(i.code, i.path ? `${path}.${i.path}` : path, i.message));
}

function checkPartners(
  config: Config,
  definitions: DefinitionRegistry | undefined,
  mappings: MappingRegistry | undefined,
): Issue[] {
  const issues: Issue[] = [];
  const knownMappings = mappings
    ? mappings
        .list()
        .map((m) => m.name)
        .join(', ')
    : '';
  for (const [name, p] of Object.entries(config.partners)) {
    p.sends.forEach((s, i) => {
      const path = `partners.${name}.sends.${i}`;
      if (s.contract !== 'idoc' && !CONTRACTS.has(s.contract))
        issues.push(
          issue(
            'CONTRACT_UNKNOWN',
            `${path}.contract`,
            `unknown contract "${s.contract}" (known: idoc, ${[...CONTRACTS.keys()].join(', ')})`,
          ),
        );
      if (s.mapping !== undefined && mappings) {
        const m = mappings.get(s.mapping);
        const reads = (m?.source as { contract?: unknown } | undefined)?.contract;
        if (!m)
          issues.push(
            issue(
              'MAPPING_UNKNOWN',
              `${path}.mapping`,
              `unknown mapping "${s.mapping}" (known: ${knownMappings})`,
            ),
          );
        else if (m.direction !== 'json-to-idoc' && s.contract !== 'idoc')
          issues.push(
            issue(
              'MAPPING_DIRECTION',
              `${path}.mapping`,
              `mapping "${s.mapping}" maps ${m.direction}, not JSON to IDoc`,
            ),
          );
        else if (reads !== undefined && reads !== s.contract)
          issues.push(
            issue(
              'MAPPING_CONTRACT',
              `${path}.mapping`,
              `mapping "${s.mapping}" reads contract "${String(reads)}", not "${s.contract}"`,
            ),
          );
      }
    });
    p.receives.forEach((r, i) => {
      const path = `partners.${name}.receives.${i}`;
      if (r.idocType !== undefined && definitions && !definitions.get(r.idocType))
        issues.push(
          issue(
            'IDOC_UNKNOWN_TYPE',
            `${path}.idocType`,
            `no definition is loaded for IDoc type "${r.idocType}"`,
          ),
        );
      if (r.mapping !== undefined && mappings) {
        const m = mappings.get(r.mapping);
        if (!m)
          issues.push(
            issue(
              'MAPPING_UNKNOWN',
              `${path}.mapping`,
              `unknown mapping "${r.mapping}" (known: ${knownMappings})`,
            ),
          );
        else if (m.direction !== 'idoc-to-json')
          issues.push(
            issue(
              'MAPPING_DIRECTION',
              `${path}.mapping`,
              `mapping "${r.mapping}" maps ${m.direction}, not IDoc to JSON`,
            ),
          );
      }
      issues.push(...checkTransport(r.transport, `${path}.transport`));
    });
  }
  return issues;
}

/** The sweeper's port and sites and the ledger's transports. */
function checkLedgerAndSweeper(config: Config, mappings: MappingRegistry | undefined): Issue[] {
  const issues: Issue[] = [];
  const { ledger, sweeper } = config;
  if (ledger.alertWebhook !== undefined)
    issues.push(...checkTransport({ ...ledger.alertWebhook, kind: 'webhook' }, 'ledger.alertWebhook'));
  if (ledger.epcisCapture !== undefined)
    issues.push(...checkTransport({ ...ledger.epcisCapture, kind: 'epcis-capture' }, 'ledger.epcisCapture'));
  // Without loaded mappings the site table is unknown: site checks would only repeat that error.
  if (mappings !== undefined) {
    const table = mappings.tables.get('sites');
    const sites = buildDeliverySites(table === undefined ? [] : siteRowsOf(table), {
      shipTo: sweeper.shipTo,
      shippingPoints: sweeper.shippingPoints,
      ...(sweeper.stores !== undefined ? { stores: sweeper.stores } : {}),
    });
    issues.push(...checkSweeperConfig(sweeper, { ports: Object.keys(config.ports), sites: sites.sites }));
  }
  return issues;
}

/** What the reference checks loaded on the way (the wiring may reuse them). */
export interface ReferenceCheck {
  readonly issues: Issue[];
  readonly definitions?: DefinitionRegistry;
  readonly mappings?: MappingRegistry;
}

/** Steps 3 to 5, on a config whose schema passed. */
export function checkConfigReferences(config: Config): ReferenceCheck {
  const issues: Issue[] = [];
  let definitions: DefinitionRegistry | undefined;
  try {
    definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
  } catch (e) {
    issues.push(...fromError(e, 'definitions'));
  }
  let mappings: MappingRegistry | undefined;
  try {
    // Broken extra definitions: check the mappings against the shipped ones still.
    mappings = loadMappingFolders(config.mappings, definitions ?? loadDefinitions([DEFINITIONS_DIR]));
  } catch (e) {
    issues.push(...fromError(e, 'mappings'));
  }
  for (const [name, port] of Object.entries(config.ports))
    issues.push(...checkTransport(port.transport, `ports.${name}.transport`));
  issues.push(...checkPartners(config, definitions, mappings));
  issues.push(...checkLedgerAndSweeper(config, mappings));
  return {
    issues,
    ...(definitions !== undefined ? { definitions } : {}),
    ...(mappings !== undefined ? { mappings } : {}),
  };
}

/** All five steps on a parsed config object. */
export function checkConfigObject(raw: unknown, env: Env): { config?: Config; issues: Issue[] } {
  const { config, issues } = checkConfig(raw, env);
  if (!config) return { issues };
  return { config, issues: [...issues, ...checkConfigReferences(config).issues] };
}

/** All problems of a config file (or of the built-in defaults when `file` is undefined). */
export function checkConfigFile(file: string | undefined, env: Env): Issue[] {
  let raw: unknown = {};
  if (file !== undefined) {
    try {
      raw = readConfigFile(file);
    } catch (e) {
      return fromError(e, '(file)');
    }
  }
  return checkConfigObject(raw, env).issues;
}

/** One line per issue: `<source>: <path>: <message> [<code>]` (check-config prints these). */
export function formatConfigIssue(source: string, i: Issue): string {
  return `${source}: ${i.path ?? '(root)'}: ${i.message} [${i.code}]`;
}
