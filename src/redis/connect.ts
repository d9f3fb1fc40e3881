/**
 * Finds the Redis the queues use:
 *   1. REDIS_URL (config `redis.urlEnv`) when given;
 *   2. else Redis on 127.0.0.1:6379 when one answers;
 *   3. else, with `redis.autoStart`, `redis-server` from the PATH, started as a child process with its
 *      own data directory (config `redis.dataDir`, default data/redis), AOF on and noeviction;
 *   4. else fails with ONE line that says what to install.
 * Opening a connection happens only when connectRedis() is called, never on import.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  /** From REDIS_URL; when set nothing else is tried. */
  readonly url?: string;
  readonly autoStart: boolean;
  readonly dataDir: string;
  /** Where a local Redis is looked for / started (default 127.0.0.1:6379). */
  readonly host?: string;
  readonly port?: number;
  /** PATH to search for redis-server (the wiring passes the process PATH). */
  readonly searchPath?: string;
  /** How long a started redis-server may take to answer (default 10 s). */
  readonly startTimeoutMs?: number;
}

export interface RedisHandle {
  /** Where Redis was found (no password in it). */
  readonly url: string;
  readonly source: 'url' | 'local' | 'spawned';
  /** Connection options for BullMQ (new connections per queue/worker, as BullMQ wants). */
  readonly options: RedisOptions;
  /** A shared client for readiness checks and INFO. */
  readonly client: Redis;
  /** Closes the client and stops a spawned redis-server (it writes its AOF on SIGTERM). */
  close(): Promise<void>;
}

/** Thrown when no Redis can be found or started; its message is one line meant for the user. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

const INSTALL_HINT =
  'install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL';

/**
 * Connection options of a `redis://` or `rediss://` (TLS) URL, the one parser of REDIS_URL; for
 * every connection: BullMQ workers need maxRetriesPerRequest null.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    db: Number.isInteger(db) ? db : 0,
    maxRetriesPerRequest: null,
  };
}

/** The URL without credentials, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** True when a Redis answers PING at host:port within about a second. */
export async function redisAnswers(options: RedisOptions): Promise<boolean> {
  const probe = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** `redis-server` on the PATH, or undefined. */
export function findRedisServer(searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
  });
}

async function startRedisServer(
  bin: string,
  host: string,
  port: number,
  dataDir: string,
  timeoutMs: number,
): Promise<ChildProcess> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      host,
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
    ],
    // Own process group: Ctrl-C reaches the gateway first, which drains and then stops Redis.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError));
  const deadline = Date.now() + timeoutMs;
  const options = redisOptionsFromUrl(`redis://${host}:${port}`);
  for (;;) {
    const outcome = await Promise.race([
      exited.then(() => 'exited' as const),
      spawnFailed.then((e) => e),
      new Promise<'tick'>((r) => setTimeout(() => r('tick'), 100)),
    ]);
    if (outcome === 'exited' || outcome instanceof Error) {
      const why =
        outcome instanceof Error ? outcome.message : (stderr.trim().split('\n').pop() ?? 'it exited');
      throw new RedisUnavailableError(`idocgate: redis-server (${bin}) did not start: ${why}`);
    }
    if (await redisAnswers(options)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(
        `idocgate: redis-server (${bin}) did not answer within ${timeoutMs} ms`,
      );
    }
  }
}

export async function connectRedis(settings: RedisSettings): Promise<RedisHandle> {
  const host = settings.host ?? '127.0.0.1';
  const port = settings.port ?? 6379;
  let url: string;
  let source: RedisHandle['source'];
  let child: ChildProcess | undefined;
  if (settings.url) {
    url = settings.url;
    source = 'url';
    if (!(await redisAnswers(redisOptionsFromUrl(url))))
      throw new RedisUnavailableError(
        `idocgate: Redis at ${redactRedisUrl(url)} (REDIS_URL) does not answer`,
      );
  } else {
    url = `redis://${host}:${port}`;
    source = 'local';
    if (!(await redisAnswers(redisOptionsFromUrl(url)))) {
      const bin = settings.autoStart ? findRedisServer(settings.searchPath ?? '') : undefined;
      if (bin === undefined) {
        const why = settings.autoStart ? 'redis-server is not on the PATH' : 'redis.autoStart is off';
        throw new RedisUnavailableError(
          `idocgate: no Redis answers on ${host}:${port} and ${why}: ${INSTALL_HINT}`,
        );
      }
      child = await startRedisServer(bin, host, port, settings.dataDir, settings.startTimeoutMs ?? 10_000);
      source = 'spawned';
    }
  }
  const options = redisOptionsFromUrl(url);
  const client = new Redis({ ...options, lazyConnect: false });
  client.on('error', () => undefined);
  return {
    url: redactRedisUrl(url),
    source,
    options,
    client,
    async close() {
      // QUIT lets commands in flight (a ledger tick, a lease renewal) get their answer instead of
      // failing with "Connection is closed"; a Redis that does not answer is cut off after 1 s.
      await Promise.race([
        client.quit().then(
          () => undefined,
          () => undefined,
        ),
        new Promise<void>((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      client.disconnect();
      if (child !== undefined) {
        child.kill('SIGTERM');
        await waitForExit(child, 10_000);
      }
    },
  };
}
