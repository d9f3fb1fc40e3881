/** The CLI, spawned as a user runs it. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const fixtures = 'fixtures/mappings';
function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('idocgate map / mappings check', () => {
  it('maps a file and prints the target', () => {
    const dir = `${fixtures}/handheld-to-mbgmcr03`;
    const r = cli([
      'map',
      'handheld-to-mbgmcr03',
      `${dir}/receipt-delivery-serials.input.json`,
      '--time-zone',
      'America/New_York',
      '--now',
      '2024-03-02T15:00:00Z',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      JSON.parse(readFileSync(`${dir}/receipt-delivery-serials.expected.json`, 'utf8')),
    );
  });

  it('reads stdin when no file is given, and fails with the issues on stderr', () => {
    const input = readFileSync(
      `${fixtures}/delvry07-to-wms-delivery-order/unknown-plant-bad-quantity.input.json`,
      'utf8',
    );
    const r = cli(['map', 'delvry07-to-wms-delivery-order'], input);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'error LOOKUP_MISS [lookup:sites] target /items/0/site, source E1EDL20.E1EDL24[0]/WERKS',
    );
  });

  it('names unknown mappings', () => {
    const r = cli(['map', 'nope'], '{}');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown mapping "nope"');
  });

  it('checks every mapping and runs all cases', () => {
    const r = cli(['mappings', 'check']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/4 mappings valid; (\d+)\/\1 cases pass/);
  });
});
