/**
 * `idocgate forecast run` and `idocgate export parquet` as processes on a PGlite data directory
 * filled with generated ledger traffic: the forecast run is stored and listed, the export writes
 * Parquet that DuckDB reads back with the database's row count, and a second export writes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createS3Client } from '../../src/export/s3.js';
import { listForecasts } from '../../src/store/analytics/forecast-repo.js';
import { openStore } from '../../src/store/open-store.js';
import { openLedger } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { pgliteBackend } from '../store/backends.js';

const run = promisify(execFile);
const backend = pgliteBackend('forecast_cli');
let dir: string;
let config: string;
let dataDir: string;
let events = 0;

const cli = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['DATABASE_URL'];
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--config', config], {
    env,
    timeout: 120_000,
  });
};

beforeAll(async () => {
  const h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
  for (const m of generateTraffic({ serials: 60, days: 40, seed: 4 })) await h.deliver(m);
  events = (await h.catchUp()).events;
  await h.store.close();
  dataDir = backend.options().dataDir ?? '';
  dir = await mkdtemp(join(tmpdir(), 'idocgate-fcli-'));
  config = join(dir, 'c.yaml');
  await writeFile(config, stringify({ database: { dataDir } }));
});
afterAll(async () => {
  await backend.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('idocgate forecast run / export parquet', () => {
  it('stores a forecast run, then exports the ledger as Parquet exactly once', async () => {
    const f = await cli('forecast', 'run', '--as-of', '2025-02-16', '--horizon', '14');
    expect(f.stdout).toMatch(/^run 1: \d+ series, history 2025-01-06\.\.2025-02-15, 14 days from 2025-02-16/);
    expect(f.stdout).toMatch(/; weekly: \d+ series, 2 weeks\n$/);
    const store = await openStore({ dataDir });
    try {
      const rows = await listForecasts(store.db, { site: '*' });
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length % 14).toBe(0);
    } finally {
      await store.close();
    }
    const lake = join(dir, 'lake');
    const e = await cli('export', 'parquet', '--dir', lake, '--settle-seconds', '0', '--json');
    const result = JSON.parse(e.stdout) as { dataset: string; rows: number }[];
    expect(result.find((r) => r.dataset === 'serial_events')?.rows).toBe(events);
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    try {
      const r = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(lake, 'serial_events', '*', '*.parquet')}', hive_partitioning = true)`,
      );
      expect((r.getRowObjectsJS()[0] as { n: number }).n).toBe(events);
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
    const again = await cli('export', 'parquet', '--dir', lake, '--settle-seconds', '0');
    expect(again.stdout).toContain('serial_events: 0 rows in 0 batches, 0 files');
  }, 90_000); // three CLI processes (tsx) in a row: slow on a loaded machine

  it('exports to an S3-compatible bucket (s3rver) with the credentials from the environment', async () => {
    const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => {
      run(): Promise<{ port: number }>;
      close(): Promise<void>;
    };
    const serverDir = await mkdtemp(join(tmpdir(), 'idocgate-s3rver-cli-'));
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: serverDir,
      configureBuckets: [{ name: 'lake' }],
    });
    const { port } = await server.run();
    const args = ['export', 's3', '--endpoint', `http://127.0.0.1:${port}`, '--bucket', 'lake'];
    try {
      const missing = await cli(...args, '--access-key-id-env', 'IDOCGATE_TEST_NO_SUCH_KEY').catch(
        (e: { stderr: string }) => e,
      );
      expect((missing as { stderr: string }).stderr).toContain('IDOCGATE_TEST_NO_SUCH_KEY');
      process.env['IDOCGATE_TEST_S3_KEY'] = 'S3RVER';
      process.env['IDOCGATE_TEST_S3_SECRET'] = 'S3RVER';
      const creds = [
        '--access-key-id-env',
        'IDOCGATE_TEST_S3_KEY',
        '--secret-access-key-env',
        'IDOCGATE_TEST_S3_SECRET',
      ];
      const e = await cli(
        ...args,
        ...creds,
        '--prefix',
        'x/',
        '--dataset',
        'serial_events',
        '--settle-seconds',
        '0',
        '--json',
      );
      const result = JSON.parse(e.stdout) as { dataset: string; rows: number; files: number }[];
      expect(result).toEqual([expect.objectContaining({ dataset: 'serial_events', rows: events })]);
      const client = createS3Client(
        { endpoint: `http://127.0.0.1:${port}`, bucket: 'lake', region: 'us-east-1' },
        { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      );
      const keys = await client.list('x/serial_events/');
      expect(keys.length).toBe(result[0]!.files);
    } finally {
      delete process.env['IDOCGATE_TEST_S3_KEY'];
      delete process.env['IDOCGATE_TEST_S3_SECRET'];
      await server.close();
      await rm(serverDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('writes each partner its own articles only, cells of at least k units', async () => {
    const products = join(dir, 'partners.yaml');
    await writeFile(
      products,
      stringify([
        { partner: 'OEM1', materials: ['4711'], k: 2 },
        { partner: 'OEM2', materials: ['4712', '4713'] },
      ]),
    );
    const out = join(dir, 'partners');
    const r = await cli('export', 'partner', '--products', products, '--dir', out);
    expect(r.stdout).toMatch(/^OEM1: \d+ cells \(k = 2, \d+ suppressed\)/m);
    expect(r.stdout).toMatch(/^OEM2: \d+ cells \(k = 10, \d+ suppressed\)/m);
    const [file] = await readdir(join(out, 'OEM1'));
    const lines = (await readFile(join(out, 'OEM1', file ?? ''), 'utf8')).trim().split('\r\n');
    expect(lines[0]).toBe('material,site,week,sold,returned,repairs');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(1)) {
      const [material, , , sold] = l.split(',');
      expect(material).toBe('4711');
      expect(Number(sold)).toBeGreaterThanOrEqual(2);
    }
  });
});
