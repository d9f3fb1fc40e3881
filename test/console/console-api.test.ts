/**
 * The console's server side without a browser: /api/console/meta (roles, SAP status codes, config
 * without secrets), /api/console/definitions (field descriptions), /api/console/overview (series
 * from the store), and the static serving of console/dist (cache headers, SPA fallback, 503 when
 * not built).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../../src/api/console.js';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from '../api/helpers.js';

let t: TestApp;
const viewer = basic('victor', SECRETS.viewerPassword);
const operator = basic('alice', SECRETS.operatorPassword);

beforeAll(async () => {
  t = await startTestApp(await testConfig());
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, authorization?: string) =>
  t.app.fastify.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

describe('/api/console/meta', () => {
  it('tells who is signed in, the status vocabulary with SAP codes, partners and ports without secrets', async () => {
    const res = await get('/api/console/meta', viewer);
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      operator: { name: string; role: string };
      statuses: { status: string; sap: { in: string; out: string } }[];
      partners: {
        name: string;
        number: string;
        apiKeys: number;
        receives: { transport: { kind: string } }[];
      }[];
      ports: { name: string; inboundAuth: boolean; transport: { kind: string; target: string } }[];
      idocTypes: { basicType: string }[];
    };
    expect(body.operator).toEqual({ name: 'victor', role: 'viewer' });
    expect(body.statuses.find((s) => s.status === 'dead')?.sap).toEqual({ in: '68', out: '31' });
    expect(body.statuses.find((s) => s.status === 'delivered')?.sap).toEqual({ in: '53', out: '03' });
    expect(body.partners.map((p) => p.name).sort()).toEqual(['handheld', 'wms']);
    expect(body.partners.find((p) => p.name === 'wms')).toMatchObject({ number: 'WMS01', apiKeys: 1 });
    expect(body.ports[0]).toMatchObject({
      name: 'S4H',
      inboundAuth: true,
      transport: { kind: 'sap-xml-http' },
    });
    expect(body.idocTypes.map((d) => d.basicType)).toContain('DELVRY07');
    // no secrets, hashes or the names of the variables holding them
    expect(res.body).not.toMatch(/scrypt\$|[0-9a-f]{64}|PASSWORD|IDOCGATE:/);
    expect((await get('/api/console/meta', operator)).json()).toMatchObject({
      operator: { role: 'operator' },
    });
  });

  it('needs operator credentials: 401 without, 403 with a partner key', async () => {
    expect((await get('/api/console/meta')).statusCode).toBe(401);
    const partner = await get('/api/console/meta', `Bearer ${SECRETS.wmsKey}`);
    expect(partner.statusCode).toBe(403);
  });
});

describe('/api/console/definitions/:idocType', () => {
  it('gives segments with descriptions and fields with SAP short texts', async () => {
    const res = await get('/api/console/definitions/DELVRY07', viewer);
    expect(res.statusCode).toBe(200);
    const def = res.json() as {
      segments: {
        type: string;
        parent: string | null;
        level: number;
        fields: { name: string; description: string | null }[];
      }[];
    };
    const item = def.segments.find((s) => s.type === 'E1EDL24');
    expect(item?.parent).toBe('E1EDL20');
    expect(item?.fields.find((f) => f.name === 'WERKS')?.description).toMatch(/plant/i);
    expect((await get('/api/console/definitions/NOSUCH01', viewer)).statusCode).toBe(404);
  });
});

describe('/api/console/overview', () => {
  it('counts receipts, deliveries, failed attempts, dead letters and latency per bucket', async () => {
    const store = t.app.store;
    const receive = (n: number) =>
      store.receive({
        direction: 'in',
        partner: 'wms',
        docnum: String(7700 + n),
        raw: { format: 'text', content: `overview ${n}` },
        by: 'test',
      });
    const a = (await receive(1)).message;
    const b = (await receive(2)).message;
    await store.transition(a.id, 'delivered', { by: 'test' });
    await store.recordAttempt(b.id, {
      transport: 'webhook',
      outcome: 'error',
      durationMs: 5,
      error: { code: 'X', text: 'x' },
    });
    await store.transition(b.id, 'dead', { by: 'test', error: { code: 'X', text: 'x' } });

    const res = await get('/api/console/overview?hours=1', viewer);
    expect(res.statusCode).toBe(200);
    const o = res.json() as {
      bucket: string;
      series: {
        received: number;
        delivered: number;
        failedAttempts: number;
        dead: number;
        latencyP50: number | null;
      }[];
      countsByStatus: Record<string, number>;
      deadLetters: number;
    };
    expect(o.bucket).toBe('minute');
    expect(o.series.length).toBeGreaterThanOrEqual(60);
    const sum = (k: 'received' | 'delivered' | 'failedAttempts' | 'dead') =>
      o.series.reduce((n, p) => n + p[k], 0);
    expect([sum('received'), sum('delivered'), sum('failedAttempts'), sum('dead')]).toEqual([2, 1, 1, 1]);
    expect(o.series.some((p) => p.latencyP50 !== null && p.latencyP50 >= 0)).toBe(true);
    expect(o.countsByStatus['delivered']).toBe(1);
    expect(o.deadLetters).toBe(1);
    expect((await get('/api/console/overview?hours=0', viewer)).statusCode).toBe(400);
  });
});

describe('serving console/dist', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idocgate-console-dist-'));
    await mkdir(join(dir, 'dist', 'assets'), { recursive: true });
    await writeFile(
      join(dir, 'dist', 'index.html'),
      '<!doctype html><script src="/console/assets/app-1a2b.js"></script>',
    );
    await writeFile(join(dir, 'dist', 'assets', 'app-1a2b.js'), 'console.log(1)');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashed assets are cached for a year, every app path gets index.html (no-cache, CSP)', async () => {
    const app = Fastify();
    await app.register(async (s) => consoleRoutes(s, { dist: join(dir, 'dist') }));
    const asset = await app.inject({ url: '/console/assets/app-1a2b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect((await app.inject({ url: '/console/assets/gone-0000.js' })).statusCode).toBe(404);
    for (const url of ['/console/', '/console/messages', '/console/messages/abc?status=dead']) {
      const page = await app.inject({ url });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('app-1a2b.js');
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    }
    const bare = await app.inject({ url: '/console' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/console/');
    await app.close();
  });

  it('answers 503 with how to build it when the console was not built', async () => {
    const app = Fastify({ logger: false });
    await app.register(async (s) => consoleRoutes(s, { dist: join(dir, 'missing') }));
    const res = await app.inject({ url: '/console/messages' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run console:build');
    await app.close();
  });
});
