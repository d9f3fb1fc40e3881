/**
 * The export's S3-compatible target. Signature V4 against the worked examples of the Amazon S3
 * API reference ("Authenticating Requests: Using the Authorization Header", examples GET Object
 * and PUT Object); then the export into a real S3 protocol peer — s3rver, an S3-compatible
 * server in JS, in-process on a random port — from a ledger on PGlite: objects listed and
 * downloaded, read with DuckDB and compared with the database; a re-run writes nothing; a crash
 * after the uploads and before the cursor commit leaves no duplicate once the next run has
 * recovered. s3rver does not check V4 signatures (it accepts any), so the signing itself is
 * tested by the examples only; AWS S3 and MinIO are not tested here.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsConfigSchema } from '../../src/config/analytics.js';
import { checkConfig } from '../../src/config/check.js';
import { IdocgateError } from '../../src/errors.js';
import { runExport, type ExportSink } from '../../src/export/run.js';
import { createS3Client, signV4, uriEncode, type S3Client } from '../../src/export/s3.js';
import { runForecasts } from '../../src/forecast/run.js';
import { exportSource } from '../../src/store/analytics/export-source.js';
import { forecastPort } from '../../src/store/analytics/forecast-repo.js';
import { openS3ParquetSink } from '../../src/store/analytics/parquet-sink.js';
import { analyticsJobs, EXPORT_JOB } from '../../src/schedule/analytics-jobs.js';
import { openLedger, type LedgerHarness } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import { backends } from '../store/backends.js';

const EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('AWS Signature Version 4 (the S3 API reference examples)', () => {
  it('GET Object with a Range header', () => {
    const s = signV4({
      method: 'GET',
      path: '/test.txt',
      headers: {
        Host: 'examplebucket.s3.amazonaws.com',
        Range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': '20130524T000000Z',
      },
      payloadHash: EMPTY,
      region: 'us-east-1',
      credentials: EXAMPLE,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(sha(s.canonicalRequest)).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(s.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('PUT Object (a key that needs encoding, a signed Date and storage class)', () => {
    const body = 'Welcome to Amazon S3.';
    const hash = sha(body);
    expect(hash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const s = signV4({
      method: 'PUT',
      path: `/${uriEncode('test$file.text', true)}`,
      headers: {
        Host: 'examplebucket.s3.amazonaws.com',
        Date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': hash,
      },
      payloadHash: hash,
      region: 'us-east-1',
      credentials: EXAMPLE,
      now: new Date('2013-05-24T00:00:00Z'),
    });
    expect(s.canonicalRequest.split('\n').slice(0, 2)).toEqual(['PUT', '/test%24file.text']);
    expect(s.signature).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('encodes keys as RFC 3986 wants (not as encodeURIComponent)', () => {
    expect(uriEncode("a b/c!'()*~", true)).toBe('a%20b/c%21%27%28%29%2A~');
    expect(uriEncode('dt=2025-01-06/ä')).toBe('dt%3D2025-01-06%2F%C3%A4');
  });
});

describe('analytics.export.s3 (config)', () => {
  const base = { analytics: { export: { schedule: '*/10 * * * *' } } };
  const s3 = { endpoint: 'https://s3.eu-central-1.amazonaws.com', bucket: 'my-lake' };
  it('defaults the region, prefix and the AWS CLI credential variables, which are checked at start', () => {
    const withS3 = { analytics: { export: { ...base.analytics.export, s3 } } };
    const ok = checkConfig(withS3, { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    expect(ok.issues).toEqual([]);
    expect(ok.config?.analytics.export.s3).toEqual({
      ...s3,
      region: 'us-east-1',
      prefix: '',
      accessKeyIdEnv: 'AWS_ACCESS_KEY_ID',
      secretAccessKeyEnv: 'AWS_SECRET_ACCESS_KEY',
    });
    const missing = checkConfig(withS3, {});
    expect(missing.issues.map((i) => [i.code, i.path])).toEqual([
      ['CONFIG_ENV_MISSING', 'analytics.export.s3.accessKeyIdEnv'],
      ['CONFIG_ENV_MISSING', 'analytics.export.s3.secretAccessKeyEnv'],
    ]);
  });
  it('refuses a scheduled export without a target, both targets, and a non-HTTP endpoint', () => {
    const paths = (raw: unknown): string[] => checkConfig(raw, {}).issues.map((i) => i.path ?? '');
    expect(paths(base)).toEqual(['analytics.export.dir']);
    expect(paths({ analytics: { export: { dir: '/lake', s3 } } })).toContain('analytics.export.s3');
    expect(paths({ analytics: { export: { s3: { ...s3, endpoint: 'ftp://x' } } } })).toContain(
      'analytics.export.s3.endpoint',
    );
  });
});

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

const backend = backends('export_s3').find((b) => b.name === 'pglite')!;

describe('Parquet export to an S3-compatible bucket (s3rver)', () => {
  let server: S3rverInstance;
  let serverDir: string;
  let s3: S3Client;
  let h: LedgerHarness;
  let duck: DuckDBInstance;
  let conn: DuckDBConnection;
  const bucket = 'lake';
  const prefix = 'idocgate/';
  const traffic = generateTraffic({ serials: 60, days: 20, seed: 9 });

  beforeAll(async () => {
    serverDir = await mkdtemp(join(tmpdir(), 'idocgate-s3rver-'));
    const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: serverDir,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = await server.run();
    s3 = createS3Client(
      { endpoint: `http://127.0.0.1:${port}`, bucket, region: 'us-east-1' },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );
    h = await openLedger(backend, { ...TRAFFIC_LEDGER_CONFIG, rules: {} });
    for (const m of traffic) await h.deliver(m);
    await h.catchUp();
    await runForecasts(forecastPort(h.store.db), { asOf: '2025-01-21', horizon: 14 });
    duck = await DuckDBInstance.create(':memory:');
    conn = await duck.connect();
    await conn.run("SET TimeZone = 'UTC'");
  });
  afterAll(async () => {
    conn?.closeSync();
    duck?.closeSync();
    await h?.store.close();
    await backend.cleanup();
    await server?.close();
    if (serverDir) await rm(serverDir, { recursive: true, force: true });
  });

  /** Downloads every object under the prefix into a fresh directory (same relative keys). */
  async function download(): Promise<{ dir: string; keys: string[] }> {
    const dir = await mkdtemp(join(tmpdir(), 'idocgate-s3-dl-'));
    const keys = await s3.list(prefix);
    for (const k of keys) {
      const file = join(dir, k);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await s3.get(k));
    }
    return { dir, keys };
  }

  async function lakeMatchesDb(): Promise<void> {
    const { dir } = await download();
    try {
      const read = async (ds: string, cols: string): Promise<Record<string, number>> =>
        (
          await conn.runAndReadAll(
            `SELECT ${cols} FROM read_parquet('${join(dir, prefix, ds, '*', '*.parquet')}', hive_partitioning = true)`,
          )
        ).getRowObjectsJS()[0] as Record<string, number>;
      const events = await read(
        'serial_events',
        `count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d, sum(id)::DOUBLE AS s,
         count(*) FILTER (WHERE CAST(dt AS VARCHAR) <> strftime(event_time, '%Y-%m-%d'))::INTEGER AS misplaced`,
      );
      const db = (
        await h.store.db.query<{ n: number; s: number }>(
          'SELECT count(*)::int AS n, sum(id)::float8 AS s FROM serial_events',
        )
      ).rows[0]!;
      expect(db.n).toBeGreaterThan(100);
      expect(events).toEqual({ n: db.n, d: db.n, s: db.s, misplaced: 0 });
      const forecasts = await read('forecasts', 'count(*)::INTEGER AS n, sum(mean)::DOUBLE AS s');
      const fdb = (
        await h.store.db.query<{ n: number; s: number }>(
          `SELECT count(*)::int AS n, sum(mean)::float8 AS s FROM forecasts WHERE grain = 'day'`,
        )
      ).rows[0]!;
      expect(forecasts.n).toBe(fdb.n);
      expect(forecasts.s).toBeCloseTo(fdb.s, 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('writes Hive-partitioned Parquet objects that DuckDB reads back as the database', async () => {
    const sink = await openS3ParquetSink(s3, { prefix });
    try {
      const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, {
        datasets: ['serial_events', 'forecasts'],
        batchSize: 150,
      });
      expect(r[0]!.batches).toBeGreaterThan(1);
      const again = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, {
        datasets: ['serial_events', 'forecasts'],
      });
      expect(again.map((x) => x.rows)).toEqual([0, 0]);
    } finally {
      sink.close();
    }
    const keys = await s3.list(prefix);
    expect(
      keys.every((k) =>
        /^idocgate\/(serial_events|forecasts)\/dt=\d{4}-\d{2}-\d{2}\/part-\d{8}\.parquet$/.test(k),
      ),
    ).toBe(true);
    // the manifest names every object
    const manifest = await h.store.db.query<{ path: string }>(
      `SELECT path FROM export_files WHERE consumer = $1 ORDER BY path`,
      [sink.consumer],
    );
    expect(manifest.rows.map((r) => r.path)).toEqual(keys.map((k) => `s3://${bucket}/${k}`).sort());
    await lakeMatchesDb();
  });

  it('a crash after the uploads, before the cursor commit, leaves no duplicate', async () => {
    h.clock.set(new Date('2025-01-25T00:00:00Z'));
    await runForecasts(forecastPort(h.store.db), { asOf: '2025-01-25', horizon: 14 });
    const real = await openS3ParquetSink(s3, { prefix });
    const crashing: ExportSink = {
      consumer: real.consumer,
      recover: (d, b) => real.recover(d, b),
      write: async (d, b, rows) => {
        await real.write(d, b, rows);
        throw new Error('crash after upload');
      },
    };
    await expect(
      runExport(exportSource(h.store.db, { settleMs: 0 }), crashing, { datasets: ['forecasts'] }),
    ).rejects.toThrow('crash');
    const before = (await s3.list(`${prefix}forecasts/`)).length;
    let removed: string[] = [];
    try {
      const r = await runExport(exportSource(h.store.db, { settleMs: 0 }), real, { datasets: ['forecasts'] });
      removed = r.flatMap((x) => [...x.removed]);
      expect(r[0]!.rows).toBeGreaterThan(0);
    } finally {
      real.close();
    }
    expect(removed.length).toBeGreaterThan(0);
    // the rerun wrote the same keys again: as many objects as before, no duplicate rows
    expect((await s3.list(`${prefix}forecasts/`)).length).toBe(before);
    await lakeMatchesDb();
  });

  it('the scheduled export job writes to the configured bucket with the credentials the config names', async () => {
    const config = analyticsConfigSchema.parse({
      export: {
        schedule: '*/10 * * * *',
        datasets: ['serial_events'],
        settleSeconds: 0,
        s3: {
          endpoint: `http://127.0.0.1:${serverPort()}`,
          bucket,
          prefix: 'scheduled/',
          accessKeyIdEnv: 'LAKE_KEY',
          secretAccessKeyEnv: 'LAKE_SECRET',
        },
      },
    });
    const secrets = new Map([
      ['LAKE_KEY', 'S3RVER'],
      ['LAKE_SECRET', 'S3RVER'],
    ]);
    const job = analyticsJobs(config, h.store.db, (name) => secrets.get(name)).find(
      (j) => j.name === EXPORT_JOB,
    )!;
    const result = (await job.run(new Date())) as { dataset: string; rows: number; files: number }[];
    const events = (await h.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM serial_events'))
      .rows[0]!.n;
    expect(result).toEqual([{ dataset: 'serial_events', rows: events, files: expect.any(Number) }]);
    expect((await s3.list('scheduled/serial_events/')).length).toBe(result[0]!.files);
    // without the credentials the job refuses to run (the gateway's config check names them at start)
    const none = analyticsJobs(config, h.store.db).find((j) => j.name === EXPORT_JOB)!;
    await expect(none.run(new Date())).rejects.toThrow('LAKE_KEY');
  });

  it('answers a bucket that does not exist with EXPORT_TARGET_FAILED and commits nothing', async () => {
    const wrong = createS3Client(
      { endpoint: `http://127.0.0.1:${serverPort()}`, bucket: 'nope', region: 'us-east-1' },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );
    const sink = await openS3ParquetSink(wrong, { prefix });
    try {
      const err = await runExport(exportSource(h.store.db, { settleMs: 0 }), sink, {
        datasets: ['serial_events'],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IdocgateError);
      expect((err as IdocgateError).code).toBe('EXPORT_TARGET_FAILED');
      expect((err as Error).message).toContain('NoSuchBucket');
    } finally {
      sink.close();
    }
    const cursor = await h.store.db.query(
      `SELECT 1 FROM export_cursors WHERE consumer = $1 AND last_key IS NOT NULL`,
      [sink.consumer],
    );
    expect(cursor.rows).toHaveLength(0);
  });

  function serverPort(): number {
    return (server as unknown as { httpServer: { address(): { port: number } } }).httpServer.address().port;
  }
});
