/**
 * The real `idocgate` CLI, spawned: expected failures are one line on stderr, never a stack trace
 * (here `sweep --dry-run` while another process holds the embedded PGlite database, and a config
 * file that does not exist); `validate` checks the control record's creation date and time
 * (CREDAT month 13, CRETIM hour 25 are errors).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../src/paths.js';
import { openStore } from '../../src/store/open-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'idocgate-cli-edges-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('Node.js v');
}

describe('CLI errors are one line', () => {
  it('sweep --dry-run while another process holds the embedded database', { timeout: 90_000 }, async () => {
    const dataDir = join(tmp, 'pglite');
    const config = join(tmp, 'sweep.yaml');
    writeFileSync(
      config,
      stringify({ database: { dataDir }, redis: { prefix: `cli-edges-${process.pid}` } }),
    );
    const held = await openStore({ dataDir });
    try {
      const r = cli('sweep', '--dry-run', '--config', config);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^idocgate: STORE_UNAVAILABLE: The PGlite data directory .* is already open in process \d+/,
      );
      expectOneLine(r.stderr);
    } finally {
      await held.close();
    }
  });

  it('a config file that does not exist', () => {
    const r = cli('sweep', '--dry-run', '--config', join(tmp, 'missing.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^idocgate: CONFIG_INVALID: config file .*missing\.yaml does not exist/);
    expectOneLine(r.stderr);
  });
});

describe('validate checks the control record dates', () => {
  it('CREDAT month 13 and CRETIM hour 25 are errors; the original is valid', () => {
    const original = readFileSync(join(PROJECT_ROOT, 'fixtures', 'golden', 'delvry07-serials.xml'), 'utf8');
    expect(original).toContain('<CREDAT>20250301</CREDAT>');
    const bad = join(tmp, 'bad-dates.xml');
    writeFileSync(
      bad,
      original
        .replace('<CREDAT>20250301</CREDAT>', '<CREDAT>20251301</CREDAT>')
        .replace(/<CRETIM>\d+<\/CRETIM>/, '<CRETIM>256000</CRETIM>'),
    );
    const r = cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/segment=EDI_DC40 field=CREDAT BAD_DATS: .*"20251301".*month 13/);
    expect(r.stdout).toMatch(/segment=EDI_DC40 field=CRETIM BAD_TIMS: .*"256000".*hour 25/);
    const good = cli('validate', join(PROJECT_ROOT, 'fixtures', 'golden', 'delvry07-serials.xml'));
    expect(good.code).toBe(0);
  });
});
