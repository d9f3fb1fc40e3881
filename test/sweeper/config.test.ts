import { describe, expect, it } from 'vitest';
import {
  checkSweeperConfig,
  DEFAULT_POSTINGS,
  settingsFor,
  sweeperConfigSchema,
} from '../../src/config/sweeper.js';
import { graceFingerprint } from '../../src/sweeper/run.js';

function problems(input: unknown): string[] {
  const r = sweeperConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('sweeper config', () => {
  it('defaults: off, every 15 minutes, 72 h grace, HOLD, receipt 101 then transfer 301', () => {
    const c = sweeperConfigSchema.parse({});
    expect(c).toMatchObject({
      enabled: false,
      schedule: '*/15 * * * *',
      gracePeriod: 72 * 3_600_000,
      holdStorageLocation: 'HOLD',
    });
    expect(c).toMatchObject({ process: 'receive-and-transfer', transfer: 'one-step' });
    expect(c.postings).toBeUndefined();
    expect(settingsFor(c, 'S0123').postings).toEqual(
      DEFAULT_POSTINGS.map((p) => ({ noMoreGr: false, ...p })),
    );
    expect(settingsFor(c, 'S0123').resolution).toBe('transfer-back');
  });

  it('per-site overrides replace what they give', () => {
    const c = sweeperConfigSchema.parse({
      gracePeriod: '2d',
      sites: { S0123: { gracePeriod: '12h', holdStorageLocation: 'H2' }, S0124: { enabled: false } },
    });
    expect(settingsFor(c, 'S0123')).toMatchObject({
      enabled: true,
      gracePeriodMs: 12 * 3_600_000,
      holdStorageLocation: 'H2',
    });
    expect(settingsFor(c, 'S0124').enabled).toBe(false);
    expect(settingsFor(c, 'S0200')).toMatchObject({
      gracePeriodMs: 2 * 86_400_000,
      holdStorageLocation: 'HOLD',
    });
    expect(graceFingerprint(c)).not.toBe(graceFingerprint(sweeperConfigSchema.parse({ gracePeriod: '2d' })));
  });

  it('reports every problem with its path', () => {
    expect(
      problems({
        schedule: 'every morning',
        gracePeriod: '3 days',
        holdStorageLocation: 'TOOLONG',
        postings: [
          { name: 'transfer', kind: 'transfer', gmCode: '04', moveType: '301' },
          { name: 'transfer', kind: 'receipt', gmCode: '1', moveType: '10' },
        ],
        sites: { s0123: {} },
        colour: 'blue',
      }),
    ).toEqual([
      expect.stringMatching(/^schedule: a cron pattern has 5/),
      expect.stringMatching(/^gracePeriod: /),
      expect.stringMatching(/^holdStorageLocation: /),
      expect.stringMatching(/^postings\.1\.gmCode: GM_CODE/),
      expect.stringMatching(/^postings\.1\.moveType: /),
      'postings.1.name: posting name "transfer" is used twice',
      'postings.0.kind: the first posting must be the receipt at the store',
      expect.stringMatching(/^sites\.s0123: /),
      expect.stringMatching(/Unrecognized key: "colour"/),
    ]);
    expect(problems({ schedule: '61 * * * *' })).toEqual([
      expect.stringMatching(/^schedule: not a valid cron pattern/),
    ]);
    expect(
      problems({ postings: [{ name: 'transfer', kind: 'transfer', gmCode: '04', moveType: '301' }] }),
    ).toEqual(['postings.0.kind: the first posting must be the receipt at the store']);
    expect(
      problems({
        postings: [
          { name: 'a', kind: 'receipt', gmCode: '01', moveType: '101' },
          { name: 'a', kind: 'transfer', gmCode: '04', moveType: '301' },
        ],
      }),
    ).toEqual(['postings.1.name: posting name "a" is used twice']);
  });

  it('checks the port and the sites against the rest of the configuration', () => {
    const c = sweeperConfigSchema.parse({
      enabled: true,
      shipTo: { '100201': 'S9999' },
      sites: { S0777: {} },
      stores: ['S0123'],
    });
    expect(
      checkSweeperConfig(c, { ports: ['S4H'], sites: ['S0123', 'DC01'] }).map(
        (i) => `${i.path}: ${i.message}`,
      ),
    ).toEqual([
      'sweeper.port: the sweeper is enabled but no SAP port is named for its postings',
      'sweeper.sites.S0777: unknown site "S0777"',
      'sweeper.shipTo.100201: unknown site "S9999"',
    ]);
    const d = sweeperConfigSchema.parse({ port: 'ECC' });
    expect(checkSweeperConfig(d, { ports: ['S4H'], sites: [] })[0]?.message).toBe(
      'unknown port "ECC" (defined: S4H)',
    );
  });
});

describe('the shipped example config/pushback.example.yaml', () => {
  it('passes the main schema (without its sweeper section), the sweeper schema and the cross checks', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { checkConfig, parseConfigText } = await import('../../src/config/load.js');
    const { PROJECT_ROOT } = await import('../../src/paths.js');
    const { testSites } = await import('./support.js');
    const file = join(PROJECT_ROOT, 'config', 'pushback.example.yaml');
    const { sweeper, ...rest } = parseConfigText(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
    const main = checkConfig(rest, {});
    expect(main.issues).toEqual([]);
    const s = sweeperConfigSchema.parse(sweeper);
    expect(s).toMatchObject({ enabled: true, port: 'S4H', gracePeriod: 72 * 3_600_000 });
    expect(
      checkSweeperConfig(s, { ports: Object.keys(main.config!.ports), sites: testSites(s).sites }),
    ).toEqual([]);
  });
});
