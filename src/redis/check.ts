/**
 * Checks the two Redis settings a durable queue depends on and returns a warning for each wrong
 * one (the caller logs them loudly): `maxmemory-policy` must be `noeviction` (otherwise Redis
 * silently drops queued jobs under memory pressure) and persistence should be on (AOF, or at
 * least RDB snapshots) so a Redis restart does not lose work in flight. Uses INFO, which managed
 * Redis services allow even where CONFIG GET is disabled.
 */
import type { Redis } from 'ioredis';

export interface RedisSettingsReport {
  readonly maxmemoryPolicy: string | undefined;
  readonly aofEnabled: boolean | undefined;
  readonly rdbSaves: boolean | undefined;
  readonly version: string | undefined;
  readonly warnings: readonly string[];
}

/** `key:value` lines of an INFO section. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

export async function checkRedisSettings(client: Redis): Promise<RedisSettingsReport> {
  const info = parseInfo(await client.info());
  const policy = info.get('maxmemory_policy');
  const aof = info.get('aof_enabled');
  let rdbSaves: boolean | undefined;
  try {
    const reply = (await client.config('GET', 'save')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') rdbSaves = reply[1].trim() !== '';
  } catch {
    rdbSaves = undefined; // CONFIG disabled (managed Redis)
  }
  const warnings: string[] = [];
  if (policy !== undefined && policy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is "${policy}", not "noeviction": under memory pressure Redis will DROP queued jobs. ` +
        'Set `maxmemory-policy noeviction` in redis.conf (CONFIG SET maxmemory-policy noeviction).',
    );
  }
  if (aof === '0') {
    warnings.push(
      `Redis append-only file (AOF) is off${rdbSaves === false ? ' and RDB snapshots are off' : ''}: ` +
        'a Redis restart loses the jobs in flight (the recovery job re-queues them from the store, late). ' +
        'Set `appendonly yes` in redis.conf.',
    );
  }
  return {
    maxmemoryPolicy: policy,
    aofEnabled: aof === undefined ? undefined : aof === '1',
    rdbSaves,
    version: info.get('redis_version'),
    warnings,
  };
}
