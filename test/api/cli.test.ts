/** `idocgate check-config`, `hash-key`, `hash-password` and the credential helpers. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { apiKeyMatches, hashPassword, sha256Hex, verifyPassword } from '../../src/api/credentials.js';
import { checkConfigFile } from '../../src/cli/commands/check-config.js';
import { parseRoles } from '../../src/main.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function configFile(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idocgate-cc-'));
  dirs.push(dir);
  const file = join(dir, 'c.yaml');
  await writeFile(file, stringify(config));
  return file;
}

describe('check-config', () => {
  it('passes the shipped example config and the defaults', () => {
    expect(checkConfigFile('config/idocgate.example.yaml', {})).toEqual([]);
    expect(checkConfigFile(undefined, {})).toEqual([]);
  });

  it('reports every problem at once, each with its path', async () => {
    const file = await configFile({
      ports: {
        S4H: {
          transport: { kind: 'sap-xml-http', url: 'http://sap.example.com/sap/bc/idoc_xml', username: 'U' },
          inboundAuth: { username: 'SAP', passwordEnv: 'SAP_IN' },
        },
      },
      partners: {
        wms: {
          number: 'WMS01',
          sends: [
            { messageType: 'WHSCON', contract: 'wms-confirmaton', mapping: 'no-such-mapping', port: 'S4H' },
          ],
          receives: [
            {
              messageType: 'DESADV',
              idocType: 'DELVRY99',
              mapping: 'handheld-to-mbgmcr03',
              transport: { kind: 'carrier-pigeon' },
            },
            { messageType: 'MBGMCR', transport: { kind: 'webhook', url: 'not a url' } },
          ],
        },
      },
    });
    const issues = checkConfigFile(file, {});
    expect(issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual(
      [
        'ports.S4H.inboundAuth.passwordEnv CONFIG_ENV_MISSING',
        'partners.wms.receives.1.transport.url TRANSPORT_OPTION_INVALID',
        'ports.S4H.transport.passwordEnv TRANSPORT_OPTION_INVALID',
        'partners.wms.sends.0.contract CONTRACT_UNKNOWN',
        'partners.wms.sends.0.mapping MAPPING_UNKNOWN',
        'partners.wms.receives.0.idocType IDOC_UNKNOWN_TYPE',
        'partners.wms.receives.0.mapping MAPPING_DIRECTION',
        'partners.wms.receives.0.transport.kind TRANSPORT_UNKNOWN_KIND',
      ].sort(),
    );
  });

  it('checks the sweeper (port, sites) and the ledger transports in the same run', async () => {
    const file = await configFile({
      sweeper: { enabled: true, port: 'NOPE', sites: { ZZ99: { gracePeriod: '1h' } } },
      ledger: {
        alertWebhook: { url: 'not a url', timeout: 'soon' },
        epcisCapture: { url: 'ftp://epcis.example.com' },
      },
      partners: {
        p: { number: 'P', receives: [{ messageType: 'X', transport: { kind: 'webhook', url: 'x' } }] },
      },
    });
    const issues = checkConfigFile(file, {});
    expect(issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual(
      [
        'partners.p.receives.0.transport.url TRANSPORT_OPTION_INVALID',
        'sweeper.port CONFIG_INVALID',
        'sweeper.sites.ZZ99 CONFIG_INVALID',
        'ledger.alertWebhook.url TRANSPORT_OPTION_INVALID',
        'ledger.alertWebhook.timeout TRANSPORT_OPTION_INVALID',
        'ledger.epcisCapture.url TRANSPORT_OPTION_INVALID',
      ].sort(),
    );
  });

  it('stops at schema problems, listing all of them', async () => {
    const file = await configFile({ server: { port: 'eighty' }, partners: { x: { number: '' } }, extra: 1 });
    const paths = checkConfigFile(file, {}).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['server.port', 'partners.x.number', '(root)']));
  });

  it('prints one line per problem and exits 1 through the real CLI', async () => {
    const file = await configFile({
      partners: { p: { number: 'P', sends: [{ messageType: 'X', contract: 'idoc', port: 'NOPE' }] } },
    });
    const err = await run('node', ['--import', 'tsx', 'src/cli/main.ts', 'check-config', file]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stdout: string }).stdout).toContain(
      `${file}: partners.p.sends.0.port: unknown port "NOPE"`,
    );
  });
});

describe('hashes', () => {
  it('hash-key prints the digest the config takes, and generates keys', async () => {
    const { stdout } = await run('node', ['--import', 'tsx', 'src/cli/main.ts', 'hash-key', 'demo-wms-key']);
    expect(stdout.trim()).toBe(sha256Hex('demo-wms-key'));
    expect(apiKeyMatches('demo-wms-key', ['00'.repeat(32), stdout.trim()])).toBe(true);
    expect(apiKeyMatches('demo-wms-kez', [stdout.trim()])).toBe(false);
    const gen = await run('node', ['--import', 'tsx', 'src/cli/main.ts', 'hash-key']);
    const key = /api key \(give to the partner\): (\S+)/.exec(gen.stdout)![1]!;
    expect(gen.stdout).toContain(sha256Hex(key));
  });

  it('hash-password makes scrypt hashes that verify, and only for the right password', async () => {
    const child = execFile('node', ['--import', 'tsx', 'src/cli/main.ts', 'hash-password']);
    child.stdin!.end('correct horse\n');
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.on('close', r));
    const hash = out.trim();
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$bad')).toBe(false);
    const cheap = await hashPassword('pw', { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword('pw', cheap)).toBe(true);
  });
});

describe('roles', () => {
  it('parses --role', () => {
    expect(parseRoles(undefined)).toEqual(['api', 'worker', 'scheduler']);
    expect(parseRoles('api,worker')).toEqual(['api', 'worker']);
    expect(() => parseRoles('web')).toThrow(/--role must be/);
  });
});
