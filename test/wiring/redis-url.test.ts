/**
 * One parser of REDIS_URL (src/redis/connect.ts) for the gateway and `idocgate sweep`
 * (src/wiring/sweep.ts): `rediss://` keeps TLS, credentials are decoded, the path is the db.
 * The sweep command had a parser of its own that dropped `rediss://` (issue 17).
 */
import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../src/redis/connect.js';

describe('redisOptionsFromUrl', () => {
  it('keeps TLS for rediss://, with user, password and db', () => {
    expect(redisOptionsFromUrl('rediss://idocgate:p%40ss@redis.example.com:6380/2')).toEqual({
      host: 'redis.example.com',
      port: 6380,
      username: 'idocgate',
      password: 'p@ss',
      tls: {},
      db: 2,
      maxRetriesPerRequest: null,
    });
  });

  it('takes redis:// without TLS, with the default port and db', () => {
    const o = redisOptionsFromUrl('redis://127.0.0.1');
    expect(o).toEqual({ host: '127.0.0.1', port: 6379, db: 0, maxRetriesPerRequest: null });
    expect(o.tls).toBeUndefined();
  });
});
