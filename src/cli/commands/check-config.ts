/**
 * `idocgate check-config [file]`: checks a config file the way the gateway would at start and
 * prints EVERY problem, one per line as `<file>: <path>: <message>`; exit code 0 when clean, 1
 * otherwise. Beyond the schema and the environment variables it names, it checks that the
 * definitions load, mapping names exist (and take what the partner sends), contracts exist,
 * IDoc types have definitions, every transport's options pass the transport's own schema (ports,
 * partners, the ledger's `alertWebhook` and `epcisCapture`), and the sweeper's port and sites exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkConfig, parseConfigText } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { checkSweeperConfig } from '../../config/sweeper.js';
import { CONTRACTS } from '../../contracts/registry.js';
import { loadDefinitions } from '../../definitions/load.js';
import type { DefinitionRegistry } from '../../definitions/registry.js';
import { isIdocgateError, type Issue } from '../../errors.js';
import { buildDeliverySites, siteRowsOf } from '../../ledger/deliveries/sites.js';
import { loadMappings, type MappingRegistry } from '../../mapping/load.js';
import { DEFINITIONS_DIR, MAPPINGS_DIR } from '../../paths.js';
import { validateTransportOptions } from '../../transports/registry.js';

function issue(code: string, path: string, message: string): Issue {
  return { code, path, message };
}

function fromError(e: unknown, path: string): Issue[] {
  if (!isIdocgateError(e)) throw e;
  if (e.issues.length === 0) return [issue(e.code, path, e.message)];
  return e.issues.map((i) => issue(i.code, i.path ? `${path}: ${i.path}` : path, i.message));
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
        else if (
          (m.source as { contract?: unknown }).contract !== undefined &&
          (m.source as { contract?: unknown }).contract !== s.contract
        )
          issues.push(
            issue(
              'MAPPING_CONTRACT',
              `${path}.mapping`,
              `mapping "${s.mapping}" reads contract "${String((m.source as { contract?: unknown }).contract)}", not "${s.contract}"`,
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

/** All problems of a config file (or of the built-in defaults when `file` is undefined). */
export function checkConfigFile(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Issue[] {
  let raw: unknown = {};
  if (file !== undefined) {
    if (!existsSync(file)) return [issue('CONFIG_INVALID', '(file)', `config file ${file} does not exist`)];
    try {
      raw = parseConfigText(readFileSync(file, 'utf8'), file);
    } catch (e) {
      return fromError(e, '(file)');
    }
  }
  const { config, issues } = checkConfig(raw, env);
  if (!config) return issues;
  let definitions: DefinitionRegistry | undefined;
  try {
    definitions = loadDefinitions([DEFINITIONS_DIR, ...config.definitions]);
  } catch (e) {
    issues.push(...fromError(e, 'definitions'));
  }
  let mappings: MappingRegistry | undefined;
  try {
    const dirs = config.mappings.length > 0 ? config.mappings : [MAPPINGS_DIR];
    const loaded = dirs.map((d) => loadMappings(d, definitions ? { definitions } : {}));
    const byName = new Map(loaded.flatMap((r) => r.list().map((m) => [m.name, m] as const)));
    mappings = {
      get: (n) => byName.get(n),
      list: () => [...byName.values()],
      // As at start (src/app.ts): the tables of the last mapping folder.
      tables: loaded[loaded.length - 1]?.tables ?? new Map(),
      dir: dirs.join(','),
    };
  } catch (e) {
    issues.push(...fromError(e, 'mappings'));
  }
  for (const [name, port] of Object.entries(config.ports))
    issues.push(...checkTransport(port.transport, `ports.${name}.transport`));
  issues.push(...checkPartners(config, definitions, mappings));
  issues.push(...checkLedgerAndSweeper(config, mappings));
  return issues;
}

/** The sweeper's port and sites (as the gateway checks them at start) and the ledger's transports. */
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

export function register(program: Command): void {
  program
    .command('check-config')
    .description(
      'check a config file: schema, environment, definitions, mappings, contracts, transports (all problems)',
    )
    .argument('[file]', 'config file; default $IDOCGATE_CONFIG, else the built-in defaults')
    .action((file: string | undefined) => {
      const target = file ?? process.env['IDOCGATE_CONFIG'];
      const issues = checkConfigFile(target, process.env);
      const source = target ?? '(defaults)';
      for (const i of issues)
        process.stdout.write(`${source}: ${i.path ?? '(root)'}: ${i.message} [${i.code}]\n`);
      if (issues.length > 0) {
        process.stderr.write(`${issues.length} problem(s) in ${source}\n`);
        process.exitCode = 1;
      } else {
        process.stdout.write(`${source}: OK\n`);
      }
    });
}
