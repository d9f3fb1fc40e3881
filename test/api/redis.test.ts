/**
 * Finding Redis: a URL, the local one, a redis-server started as a child (own data dir, AOF,
 * noeviction), or one line naming what to install; and the settings check.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRedisSettings, parseInfo } from '../../src/redis/check.js';
import {
  connectRedis,
  findRedisServer,
  redactRedisUrl,
  RedisUnavailableError,
} from '../../src/redis/connect.js';

const PATH = process.env['PATH'] ?? '';
const HAS_REDIS_SERVER = findRedisServer(PATH) !== undefined;
if (!HAS_REDIS_SERVER) console.warn('redis-server is not on the PATH: the spawn test was skipped');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('connectRedis', () => {
  it('uses the Redis that answers on the local port', async () => {
    const r = await connectRedis({ autoStart: false, dataDir: 'unused', searchPath: '' });
    try {
      expect(r.source).toBe('local');
      expect(await r.client.ping()).toBe('PONG');
      expect(r.options.maxRetriesPerRequest).toBeNull();
    } finally {
      await r.close();
    }
  });

  it('uses REDIS_URL when given and fails with one line when it does not answer', async () => {
    const r = await connectRedis({ url: 'redis://127.0.0.1:6379/0', autoStart: false, dataDir: 'unused' });
    expect(r.source).toBe('url');
    await r.close();
    const port = await freePort();
    const err = await connectRedis({
      url: `redis://user:s3cret@127.0.0.1:${port}`,
      autoStart: true,
      dataDir: 'x',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).not.toContain('s3cret');
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });

  it('without Redis and without redis-server exits with ONE line naming what to install', async () => {
    const port = await freePort();
    const err = await connectRedis({ autoStart: true, dataDir: 'x', port, searchPath: '' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RedisUnavailableError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('redis-server is not on the PATH');
    expect(message).toContain('apt-get install redis-server');
  });

  it.skipIf(!HAS_REDIS_SERVER)(
    'starts redis-server as a child with AOF and noeviction in its own data dir',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'idocgate-redis-'));
      dirs.push(dir);
      const port = await freePort();
      const r = await connectRedis({ autoStart: true, dataDir: join(dir, 'redis'), port, searchPath: PATH });
      try {
        expect(r.source).toBe('spawned');
        const report = await checkRedisSettings(r.client);
        expect(report.maxmemoryPolicy).toBe('noeviction');
        expect(report.aofEnabled).toBe(true);
        expect(report.warnings).toEqual([]);
        await r.client.set('k', 'v');
      } finally {
        await r.close();
      }
      const files = await readdir(join(dir, 'redis'), { recursive: true });
      expect(files.some((f) => f.includes('appendonly'))).toBe(true);
    },
  );
});

describe('checkRedisSettings', () => {
  it('warns loudly about an eviction policy and missing persistence', async () => {
    const fake = {
      info: async () =>
        '# Memory\r\nmaxmemory_policy:allkeys-lru\r\n# Persistence\r\naof_enabled:0\r\nredis_version:7.0.15\r\n',
      config: async () => ['save', ''],
    };
    const report = await checkRedisSettings(fake as never);
    expect(report.warnings).toHaveLength(2);
    expect(report.warnings[0]).toMatch(/maxmemory-policy is "allkeys-lru".*DROP queued jobs/);
    expect(report.warnings[1]).toMatch(/AOF\) is off and RDB snapshots are off/);
  });

  it('reads INFO lines', () => {
    expect(parseInfo('# Server\r\nredis_version:7.2.4\r\nx:y:z\r\n').get('x')).toBe('y:z');
    expect(redactRedisUrl('redis://u:pw@h:1/0')).toBe('redis://u:***@h:1/0');
  });
});
