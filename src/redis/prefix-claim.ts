/**
 * One Redis key prefix, one database. Queued jobs carry message ids of the store they came from;
 * a second gateway with another database on the same Redis and prefix would take those jobs (and
 * find no such message) or mix its own in. At start the gateway claims `<prefix>:database.identity`
 * for its database's identity (table `database_identity`, migration 0045): the first start sets it,
 * later starts with the same database find their own id, any other database is refused with
 * REDIS_PREFIX_IN_USE before a worker or scheduler runs.
 */
import type { Redis } from 'ioredis';
import { IdocgateError } from '../errors.js';

export function claimKey(prefix: string): string {
  // A dot: no queue (partner and port names are [A-Za-z0-9_-]) can ever have this name.
  return `${prefix}:database.identity`;
}

/** Claims the prefix for this database; throws REDIS_PREFIX_IN_USE when another one holds it. */
export async function claimRedisPrefix(options: {
  readonly redis: Redis;
  readonly redisUrl: string;
  readonly prefix: string;
  /** The database's identity (src/store/db/identity.ts). */
  readonly databaseId: string;
  /** Its kind, for the error message (`postgres`, `pglite`). */
  readonly database: string;
}): Promise<void> {
  const id = options.databaseId;
  const key = claimKey(options.prefix);
  if ((await options.redis.set(key, id, 'NX')) === 'OK') return;
  const holder = await options.redis.get(key);
  if (holder === id) return;
  if (holder === null) {
    // deleted between SET NX and GET: claim again once
    if ((await options.redis.set(key, id, 'NX')) === 'OK') return;
  }
  throw new IdocgateError(
    'REDIS_PREFIX_IN_USE',
    `Redis ${options.redisUrl} key prefix "${options.prefix}" belongs to a gateway with another database ` +
      `(${holder ?? '?'}; this ${options.database} database is ${id}): two gateways with different databases ` +
      `cannot share queues. Give this one its own redis.prefix, or, if that other database is gone for good, ` +
      `delete the prefix's keys (redis-cli --scan --pattern '${options.prefix}:*' | xargs redis-cli del).`,
  );
}
