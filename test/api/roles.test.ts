/** A process started with --role worker,scheduler serves health and metrics only, no edges or support API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(await testConfig(), { roles: ['worker', 'scheduler'] });
});
afterAll(async () => {
  await t?.close();
});

describe('roles', () => {
  it('serves no edges and no support API without the api role', async () => {
    const health = await t.app.fastify.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', roles: ['worker', 'scheduler'] });
    const post = await t.app.fastify.inject({
      method: 'POST',
      url: '/in/handheld-goods-movement',
      headers: { 'x-api-key': SECRETS.handheldKey, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(post.statusCode).toBe(404);
    expect((await t.app.fastify.inject({ method: 'GET', url: '/api/messages' })).statusCode).toBe(404);
    expect((await t.app.fastify.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
