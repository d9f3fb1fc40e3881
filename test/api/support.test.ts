/**
 * The support API through app.inject(): roles, sessions, search, one message with versions
 * rendered as flat/XML/JSON, replay/edit/cancel (audited), bulk replay, dead letters, blocked
 * keys, health, metrics, OpenAPI, and that no secret reaches the log.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

const DELVRY07_XML = readFileSync('fixtures/xml/delvry07-serials.xml');
const SCAN = readFileSync(
  'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
  'utf8',
);

let t: TestApp;
let idocId: string;
let scanId: string;
const op = (): string => basic('alice', SECRETS.operatorPassword);
const viewer = (): string => basic('victor', SECRETS.viewerPassword);

beforeAll(async () => {
  t = await startTestApp(await testConfig());
  const a = await t.app.fastify.inject({
    method: 'POST',
    url: '/sap/idoc-xml',
    headers: {
      authorization: basic('SAPS4H', SECRETS.sapInboundPassword),
      'content-type': 'application/xml',
      accept: 'application/json',
    },
    payload: DELVRY07_XML,
  });
  idocId = a.json<{ messages: { id: string }[] }>().messages[0]!.id;
  const b = await t.app.fastify.inject({
    method: 'POST',
    url: '/in/handheld-goods-movement',
    headers: { authorization: `Bearer ${SECRETS.handheldKey}`, 'content-type': 'application/json' },
    payload: SCAN,
  });
  scanId = b.json<{ messages: { id: string }[] }>().messages[0]!.id;
  // Both deliveries fail for real (nothing listens at the test config's receivers): dead letters.
  expect((await t.work(idocId)).kind).toBe('dead');
  expect((await t.work(scanId)).kind).toBe('dead');
});

const replaysAudited = async (): Promise<string[][]> =>
  (await t.app.store.audit({ action: 'replay' }))
    .map((a) => [a.messageId ?? '', a.actor, a.reason ?? ''])
    .reverse();
afterAll(async () => {
  await t?.close();
});

const get = (url: string, authorization = viewer()) =>
  t.app.fastify.inject({ method: 'GET', url, headers: { authorization } });
const post = (url: string, payload: unknown, authorization = op()) =>
  t.app.fastify.inject({ method: 'POST', url, headers: { authorization }, payload: payload as object });

describe('access', () => {
  it('needs operator credentials; partner and SAP credentials get 403', async () => {
    expect((await t.app.fastify.inject({ method: 'GET', url: '/api/messages' })).statusCode).toBe(401);
    expect((await get('/api/messages', `Bearer ${SECRETS.wmsKey}`)).statusCode).toBe(403);
    expect((await get('/api/messages', basic('SAPS4H', SECRETS.sapInboundPassword))).statusCode).toBe(403);
    expect((await get('/api/messages', basic('alice', 'wrong'))).statusCode).toBe(401);
    expect((await get('/api/messages', basic('mallory', 'x'))).statusCode).toBe(401);
  });

  it('lets viewers read but not act', async () => {
    expect((await get('/api/messages')).statusCode).toBe(200);
    const res = await post(`/api/messages/${idocId}/replay`, { reason: 'try' }, viewer());
    expect(res.statusCode).toBe(403);
    expect(await replaysAudited()).toEqual([]);
  });

  it('signs in with a session token and out again', async () => {
    const wrong = await t.app.fastify.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: SECRETS.operatorPassword },
    });
    expect(res.statusCode).toBe(201);
    const { token, role } = res.json<{ token: string; role: string }>();
    expect(role).toBe('operator');
    expect((await get('/api/messages', `Bearer ${token}`)).statusCode).toBe(200);
    const out = await t.app.fastify.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.statusCode).toBe(204);
    expect((await get('/api/messages', `Bearer ${token}`)).statusCode).toBe(401);
  });

  it('does not let a session token post messages', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: SECRETS.operatorPassword },
    });
    const { token } = res.json<{ token: string }>();
    const posted = await t.app.fastify.inject({
      method: 'POST',
      url: '/in/handheld-goods-movement',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: SCAN,
    });
    expect(posted.statusCode).toBe(403);
  });
});

describe('reading', () => {
  it('searches by status, direction, DOCNUM and business text; rejects bad filters with issues', async () => {
    const all = await get('/api/messages');
    const page = all.json<{ items: { id: string }[]; countsByStatus: Record<string, number> }>();
    expect(page.items.map((m) => m.id)).toEqual(expect.arrayContaining([idocId, scanId]));
    expect(page.countsByStatus['dead']).toBeGreaterThanOrEqual(2);
    const byDocnum = await get('/api/messages?docnum=0000000000481516');
    expect(byDocnum.json<{ items: { id: string }[] }>().items.map((m) => m.id)).toEqual([idocId]);
    const byPartner = await get('/api/messages?partner=handheld&limit=10');
    expect(byPartner.json<{ items: { id: string }[] }>().items.map((m) => m.id)).toEqual([scanId]);
    const bad = await get('/api/messages?status=lost,received&from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ code: string; issues: { path: string }[] }>().issues.map((i) => i.path)).toEqual([
      'status',
      'from',
    ]);
  });

  it('shows one message with timeline, versions, attempts and audit', async () => {
    const res = await get(`/api/messages/${idocId}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      message: { id: string; docnum: string };
      timeline: { to: string }[];
      versions: { version: number; kind: string; format: string; href: string }[];
      attempts: unknown[];
    }>();
    expect(body.message.docnum).toBe('0000000000481516');
    expect(body.timeline.map((h) => h.to)).toEqual(['received', 'queued', 'processing', 'dead']);
    expect(body.attempts).toHaveLength(1);
    expect(body.versions[0]).toMatchObject({ version: 1, kind: 'raw', format: 'xml' });
    // No parsed copy is stored; the raw lists its derived forms (the JSON one is the IDoc model).
    expect(body.versions.map((v) => v.kind)).not.toContain('parsed');
    expect(body.versions[0]).toMatchObject({
      forms: {
        json: `/api/messages/${idocId}/versions/1?as=json`,
        flat: `/api/messages/${idocId}/versions/1?as=flat`,
        xml: `/api/messages/${idocId}/versions/1?as=xml`,
      },
    });
    expect((await get('/api/messages/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
  });

  it('renders a version as stored, as flat, as JSON and back as XML', async () => {
    const raw = await get(`/api/messages/${idocId}/versions/1`);
    expect(raw.statusCode).toBe(200);
    expect(raw.body).toBe(DELVRY07_XML.toString('utf8'));
    const flat = await get(`/api/messages/${idocId}/versions/1?as=flat`);
    expect(flat.statusCode).toBe(200);
    expect(flat.body.startsWith('EDI_DC40')).toBe(true);
    expect(flat.body).toContain('SN-P100-0001');
    const json = await get(`/api/messages/${idocId}/versions/1?as=json`);
    expect(json.json<{ control: { DOCNUM: string } }>().control.DOCNUM).toBe('0000000000481516');
    const scanAsXml = await get(`/api/messages/${scanId}/versions/1?as=xml`);
    expect(scanAsXml.statusCode).toBe(400);
    expect((await get(`/api/messages/${idocId}/versions/9`)).statusCode).toBe(404);
    expect((await get(`/api/messages/${idocId}/versions/1?as=pdf`)).statusCode).toBe(400);
  });
});

describe('acting', () => {
  it('replays as is and with an edited payload (new version, audited with who and why)', async () => {
    const plain = await post(`/api/messages/${idocId}/replay`, { reason: 'receiver fixed' });
    expect(plain.statusCode).toBe(200);
    const edited = await post(`/api/messages/${scanId}/replay`, {
      reason: 'wrong site',
      edited: { format: 'json', content: SCAN.replace('S0123', 'S0124') },
    });
    expect(edited.statusCode).toBe(200);
    expect(await replaysAudited()).toEqual([
      [idocId, 'alice', 'receiver fixed'],
      [scanId, 'alice', 'wrong site'],
    ]);
    // replayed for real: queued again, the scan with its edited version
    expect(t.queue.jobsOf(idocId)).toHaveLength(2);
    expect((await t.app.store.get(scanId))?.status).toBe('queued');
    const versions = (await get(`/api/messages/${scanId}`)).json<{ versions: { kind: string }[] }>().versions;
    // the mapped version of the first (failed) delivery, then the operator's edit
    expect(versions.map((v) => v.kind)).toEqual(['raw', 'mapped', 'edited']);
    const audit = await get(`/api/audit?messageId=${scanId}`);
    expect(audit.json<{ entries: { actor: string; action: string; reason: string }[] }>().entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'alice', action: 'replay', reason: 'wrong site' }),
      ]),
    );
    const noReason = await post(`/api/messages/${scanId}/replay`, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json<{ code: string }>().code).toBe('REQUEST_INVALID');
  });

  it('runs a bulk replay dry run and a throttled job with progress, pause and cancel', async () => {
    // the replayed messages fail again
    expect((await t.work(idocId)).kind).toBe('dead');
    expect((await t.work(scanId)).kind).toBe('dead');
    const dry = await post('/api/bulk-replays', {
      query: { partner: 'handheld' },
      reason: 'outage',
      dryRun: true,
    });
    expect(dry.statusCode).toBe(200);
    // the API answers its query as run: without a status, only dead letters are replayed
    expect(dry.json<{ count: number; job?: unknown }>()).toEqual({
      count: 1,
      query: { partner: 'handheld', status: 'dead' },
    });
    const real = await post('/api/bulk-replays', {
      query: { status: 'dead' },
      reason: 'outage',
      ratePerSecond: 5,
    });
    expect(real.statusCode).toBe(202);
    const { job } = real.json<{ job: { id: string } }>();
    expect(real.headers.location).toBe(`/api/bulk-replays/${job.id}`);
    expect((await get(`/api/bulk-replays/${job.id}`)).json<{ state: string }>().state).toBe('running');
    const paused = await post(`/api/bulk-replays/${job.id}/pause`, {});
    expect(paused.json<{ state: string }>().state).toBe('paused');
    expect((await post(`/api/bulk-replays/${job.id}/cancel`, {}, viewer())).statusCode).toBe(403);
    expect((await post(`/api/bulk-replays/nope/cancel`, {})).statusCode).toBe(404);
    const badQuery = await post('/api/bulk-replays', { query: { status: 'lost' }, reason: 'x' });
    expect(badQuery.statusCode).toBe(400);
    const [audited] = await t.app.store.audit({ action: 'bulk-replay' });
    expect(audited).toMatchObject({
      actor: 'alice',
      reason: 'outage',
      query: { statuses: ['dead'] },
      details: { job: job.id, total: 2, ratePerSecond: 5 },
    });
  });

  it('cancels a message (audited) and lists dead letters and blocked keys', async () => {
    const res = await post(`/api/messages/${scanId}/cancel`, { reason: 'duplicate scan' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ message: { status: string } }>().message.status).toBe('cancelled');
    const dead = await get('/api/dead-letters');
    expect(dead.json<{ total: number; groups: unknown[] }>()).toEqual({ total: 0, groups: [] });
    const blocked = await get('/api/blocked-keys');
    expect(blocked.json<{ keys: unknown[] }>()).toEqual({ keys: [] });
  });
});

describe('health, metrics, docs, logs', () => {
  it('answers /healthz and /readyz (Redis and database) without credentials', async () => {
    const h = await t.app.fastify.inject({ method: 'GET', url: '/healthz' });
    expect(h.json()).toMatchObject({ status: 'ok' });
    const r = await t.app.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(200);
    expect(r.json<{ checks: { name: string; ok: boolean }[] }>().checks).toEqual([
      { name: 'redis', ok: true },
      { name: 'database', ok: true },
    ]);
  });

  it('renders Prometheus metrics, including what the pipeline counts', async () => {
    t.app.metrics.count('received', { partner: 'wms', messageType: 'WHSCON', direction: 'in' });
    t.app.metrics.count('dead', { partner: 'wms', messageType: 'WHSCON', direction: 'in' });
    t.app.metrics.observeLatency({ partner: 'wms', messageType: 'WHSCON', direction: 'in' }, 0.2);
    const res = await t.app.fastify.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain(
      'idocgate_messages_received_total{partner="wms",message_type="WHSCON",direction="in"} 1',
    );
    expect(res.body).toContain(
      'idocgate_messages_dead_total{partner="wms",message_type="WHSCON",direction="in"} 1',
    );
    expect(res.body).toContain(
      'idocgate_delivery_latency_seconds_bucket{le="0.25",partner="wms",message_type="WHSCON",direction="in"} 1',
    );
    expect(res.body).toMatch(/^idocgate_dead_letters 0$/m);
  });

  it('serves the OpenAPI document with the contract schemas and Swagger UI at /docs', async () => {
    const doc = await t.app.fastify.inject({ method: 'GET', url: '/docs/json' });
    const spec = doc.json<{
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }
        >
      >;
    }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/sap/idoc-xml',
        '/sap/idoc-soap',
        '/upload/flat',
        '/in/handheld-goods-movement',
        '/in/wms-confirmation',
        '/api/messages',
      ]),
    );
    const body =
      spec.paths['/in/handheld-goods-movement']!['post']!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties ?? {})).toEqual(expect.arrayContaining(['scanId', 'site', 'items']));
    const ui = await t.app.fastify.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('never writes a secret to the log', async () => {
    const text = t.logs.text();
    expect(text).toContain('"msg":"request"');
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    for (const secret of Object.values(SECRETS))
      expect(text).not.toContain(Buffer.from(secret).toString('base64'));
    expect(text).not.toContain('igs_');
  });
});
