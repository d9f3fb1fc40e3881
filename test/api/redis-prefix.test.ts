/**
 * Two gateways with different databases on one Redis with the same key prefix: the second is
 * refused at start with REDIS_PREFIX_IN_USE, saying what to do; the first keeps working. Real
 * PGlite databases (in memory), the local Redis.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { isIdocgateError } from '../../src/errors.js';
import { claimKey } from '../../src/redis/prefix-claim.js';
import { deleteKeys } from '../e2e/helpers.js';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

const prefix = `t-prefix-${process.pid}-${randomUUID().slice(0, 8)}`;
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close().catch(() => undefined);
  await deleteKeys(prefix);
});

describe('one Redis prefix, one database', () => {
  it('refuses a second gateway with another database on the same prefix', { timeout: 90_000 }, async () => {
    const first = await startTestApp(await testConfig(), { prefix });
    apps.push(first);
    const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    r.on('error', () => undefined);
    await r.connect();
    const held = await r.get(claimKey(prefix));
    await r.quit();
    expect(held).toMatch(/^[0-9a-f-]{36}$/);

    const err = await startTestApp(await testConfig(), { prefix }).then(
      (a) => {
        apps.push(a);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isIdocgateError(err) && err.code).toBe('REDIS_PREFIX_IN_USE');
    const message = (err as Error).message;
    expect(message).toContain(`key prefix "${prefix}" belongs to a gateway with another database (${held}`);
    expect(message).toContain('Give this one its own redis.prefix');

    // the first one is unaffected
    const res = await first.app.fastify.inject({
      method: 'GET',
      url: '/api/messages',
      headers: { authorization: basic('alice', SECRETS.operatorPassword) },
    });
    expect(res.statusCode).toBe(200);

    // another prefix is fine
    const other = `${prefix}-other`;
    const third = await startTestApp(await testConfig(), { prefix: other });
    await third.close();
    await deleteKeys(other);
  });
});
