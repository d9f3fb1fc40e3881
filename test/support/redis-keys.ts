/** Deletes every key of a test prefix on the local Redis (other tests share it: never FLUSHDB). */
import { Redis } from 'ioredis';
import { deletePrefixKeys } from '../../src/redis/prefix-keys.js';

export async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await r.connect();
  try {
    await deletePrefixKeys(r, prefix);
  } finally {
    r.disconnect();
  }
}
