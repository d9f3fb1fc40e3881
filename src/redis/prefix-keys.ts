/**
 * Deletes every key under one key prefix (SCAN + DEL, never FLUSHDB: a Redis may be shared by
 * several gateways, tests and demos). Returns how many keys went.
 */
import type { Redis } from 'ioredis';

export async function deletePrefixKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
