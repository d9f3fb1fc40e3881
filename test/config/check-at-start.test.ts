/**
 * Config is checked once, by src/config/check.ts, wherever it is read: a bad transport option
 * (here a webhook timeout of "soon") stops the gateway at start with one line naming the option
 * — it never reaches the first delivery — and `check-config` and `sweep` say the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkConfigFile, formatConfigIssue } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/load.js';
import { isIdocgateError } from '../../src/errors.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'idocgate-check-at-start-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OPTION = 'partners.wms.receives.0.transport.timeout';

function configWith(timeout: unknown): string {
  const file = join(tmp, `config-${String(timeout)}.yaml`);
  writeFileSync(
    file,
    stringify({
      database: { dataDir: join(tmp, 'pglite') },
      redis: { prefix: `check-at-start-${process.pid}`, autoStart: false },
      partners: {
        wms: {
          number: 'WMS01',
          receives: [
            {
              messageType: 'DESADV',
              idocType: 'DELVRY07',
              mapping: 'delvry07-to-wms-delivery-order',
              transport: { kind: 'webhook', url: 'http://127.0.0.1:9/wms', timeout },
            },
          ],
        },
      },
    }),
  );
  return file;
}

function run(entry: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, IDOCGATE_CONFIG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a bad transport option', () => {
  const bad = configWith('soon');

  it('is found by loadConfig, in one line naming the option, as check-config prints it', () => {
    const issues = checkConfigFile(bad, {});
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([`${OPTION} TRANSPORT_OPTION_INVALID`]);
    let thrown: unknown;
    try {
      loadConfig({ file: bad, env: {} });
    } catch (e) {
      thrown = e;
    }
    expect(isIdocgateError(thrown) && thrown.code).toBe('CONFIG_INVALID');
    const message = (thrown as Error).message;
    expect(message).toBe(`invalid configuration: ${formatConfigIssue(bad, issues[0]!)}`);
    expect(message.split('\n')).toHaveLength(1);
    // The same file with a valid timeout loads.
    expect(loadConfig({ file: configWith('5s'), env: {} }).config.partners['wms']).toBeDefined();
  });

  it('stops the gateway at start (exit 1, one line) and check-config and sweep say the same', () => {
    const line = formatConfigIssue(bad, checkConfigFile(bad, {})[0]!);
    const gateway = run('src/main.ts', '--config', bad);
    expect(gateway.code).toBe(1);
    expect(gateway.stderr).toBe(`idocgate: CONFIG_INVALID: invalid configuration: ${line}\n`);

    const check = run('src/cli/main.ts', 'check-config', bad);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(`${line}\n`);

    const sweep = run('src/cli/main.ts', 'sweep', '--dry-run', '--config', bad);
    expect(sweep.code).toBe(1);
    expect(sweep.stderr).toBe(`idocgate: CONFIG_INVALID: invalid configuration: ${line}\n`);
  });
});
