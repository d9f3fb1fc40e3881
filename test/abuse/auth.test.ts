/**
 * Nobody in who should not be, against the real gateway over real HTTP (test/abuse/harness.ts):
 *
 * - every route Fastify serves (read from printRoutes, so a new route cannot be missed: an
 *   unclassified one fails the test) without credentials, with wrong basic credentials, a wrong
 *   API key and an unknown session token; sender credentials on the support API; operator
 *   credentials on the posting endpoints; the viewer role against every action;
 * - a partner key posting another partner's contract or as another sender, one SAP port's
 *   credentials sending as another port;
 * - operator sign-in throttling and lockout; no cookies at all (the session token travels as
 *   Authorization: Bearer, which browsers never attach by themselves); cross-site protection of
 *   state-changing support API calls;
 * - SQL-injection and regex-bomb strings in search parameters, traversal strings in ids;
 * - and, last, no secret (password, API key, Authorization header, session token) in any log line.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/api/login-limit.js';
import { fileOptionsSchema, renderFileName, writeFileAtomically } from '../../src/transports/file.js';
import type { OutboundDelivery } from '../../src/transports/types.js';
import { basicAuth, KEYS, OPERATOR, SAP_IN, waitFor, type E2E } from '../e2e/helpers.js';
import {
  codeOf,
  DELVRY07_XML,
  SAP_Q,
  SCAN,
  servedRoutes,
  startAbuseGateway,
  storeCounts,
  VIEWER,
  WMS_BASIC,
} from './harness.js';

const XML = DELVRY07_XML;
const FAKE_ID = '00000000-0000-4000-8000-000000000000';
const WRONG_PASSWORD = 'wrong-Pa55-for-the-log-check';
const WRONG_KEY = 'igk_wrong-key-for-the-log-check';

let e: E2E;
const tokens: string[] = [];

beforeAll(async () => {
  e = await startAbuseGateway('abuse-auth');
});
afterAll(async () => {
  await e?.close();
});

type Kind = 'public' | 'sender' | 'viewer' | 'operator' | 'session-end';

/** Who may call a route. Unknown routes return undefined: the test then fails and names them. */
function classify(method: string, path: string): Kind | undefined {
  if (method === 'GET' && ['/healthz', '/readyz', '/metrics'].includes(path)) return 'public';
  if (method === 'GET' && (path === '/docs' || path.startsWith('/docs/'))) return 'public';
  if (method === 'GET' && (path === '/console' || path.startsWith('/console/'))) return 'public';
  if (method === 'POST' && path === '/api/session') return 'public';
  if (method === 'DELETE' && path === '/api/session') return 'session-end';
  // A read that takes its query as a body (a recall can list thousands of serials).
  if (method === 'POST' && path === '/api/serials/recall') return 'viewer';
  if (method === 'POST' && (path.startsWith('/sap/') || path === '/upload/flat' || path.startsWith('/in/')))
    return 'sender';
  if (path.startsWith('/api/')) return method === 'GET' ? 'viewer' : 'operator';
  return undefined;
}

/** A concrete URL for a route pattern. */
function concrete(path: string): string {
  return path
    .replace(':id', path.startsWith('/api/serials/alerts') ? '1' : FAKE_ID)
    .replace(':version', '1')
    .replace(':action', 'pause')
    .replace(':serial', 'SN-1')
    .replace(':delivery', '180000123')
    .replace(':idocType', 'DELVRY07')
    .replace(/\*$/, 'x');
}

async function call(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; code: string | undefined; headers: Headers; text: string }> {
  const res = await fetch(`${e.url}${url}`, {
    method,
    redirect: 'manual',
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, code: codeOf(text), headers: res.headers, text };
}

const bodyFor = (method: string): string | undefined => (method === 'GET' ? undefined : '{}');
const sapHeaders = { authorization: basicAuth(SAP_IN.username, SAP_IN.password) };
const operatorHeaders = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };
const viewerHeaders = { authorization: basicAuth(VIEWER.username, VIEWER.password) };

describe('every route: who gets in', () => {
  it('every served route is classified (a new route must say who may call it)', () => {
    const routes = servedRoutes(e.app.fastify.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(40);
    const unknown = routes.filter((r) => classify(r.method, r.path) === undefined);
    expect(unknown).toEqual([]);
  });

  it('without credentials, with wrong basic credentials, a wrong API key or an unknown token: 401 on every protected route', async () => {
    const routes = servedRoutes(e.app.fastify.printRoutes({ commonPrefix: false }));
    const attempts: Record<string, Record<string, string>> = {
      none: {},
      'wrong basic': { authorization: basicAuth(OPERATOR.username, WRONG_PASSWORD) },
      'wrong api key': { 'x-api-key': WRONG_KEY },
      'wrong bearer key': { authorization: `Bearer ${WRONG_KEY}` },
      'unknown session': { authorization: 'Bearer igs_not-a-session-token' },
      'malformed basic': { authorization: 'Basic %%%' },
    };
    const before = await storeCounts(e);
    let checked = 0;
    for (const r of routes) {
      const kind = classify(r.method, r.path);
      if (kind !== 'sender' && kind !== 'viewer' && kind !== 'operator') continue;
      for (const [label, headers] of Object.entries(attempts)) {
        // The operator's wrong password counts towards its lockout: use a name that is no one's.
        const h =
          label === 'wrong basic'
            ? { authorization: basicAuth(`nobody-${checked}`, WRONG_PASSWORD) }
            : headers;
        const res = await call(r.method, concrete(r.path), h, bodyFor(r.method));
        expect({ route: `${r.method} ${r.path}`, label, status: res.status, code: res.code }).toEqual({
          route: `${r.method} ${r.path}`,
          label,
          status: 401,
          code: 'AUTH_REQUIRED',
        });
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(await storeCounts(e)).toEqual(before);
  }, 60_000);

  it('sender credentials get 403 on the support API, operator credentials 403 on the posting endpoints', async () => {
    const routes = servedRoutes(e.app.fastify.printRoutes({ commonPrefix: false }));
    for (const r of routes) {
      const kind = classify(r.method, r.path);
      if (kind === 'viewer' || kind === 'operator') {
        for (const h of [sapHeaders, { 'x-api-key': KEYS.handheld }]) {
          const res = await call(r.method, concrete(r.path), h, bodyFor(r.method));
          expect([`${r.method} ${r.path}`, res.status, res.code]).toEqual([
            `${r.method} ${r.path}`,
            403,
            'FORBIDDEN',
          ]);
        }
      }
      if (kind === 'sender') {
        const res = await call(r.method, concrete(r.path), operatorHeaders, bodyFor(r.method));
        expect([`${r.method} ${r.path}`, res.status, res.code]).toEqual([
          `${r.method} ${r.path}`,
          403,
          'FORBIDDEN',
        ]);
      }
    }
  }, 60_000);

  it('the viewer role is refused every action (and nothing changes), but may read', async () => {
    const routes = servedRoutes(e.app.fastify.printRoutes({ commonPrefix: false }));
    const before = await storeCounts(e);
    const actions = routes.filter((r) => classify(r.method, r.path) === 'operator');
    expect(actions.length).toBeGreaterThanOrEqual(8);
    for (const r of actions) {
      const res = await call(r.method, concrete(r.path), viewerHeaders, '{"reason":"viewer tries"}');
      expect([`${r.method} ${r.path}`, res.status, res.code]).toEqual([
        `${r.method} ${r.path}`,
        403,
        'FORBIDDEN',
      ]);
    }
    expect(await storeCounts(e)).toEqual(before);
    const read = await call('GET', '/api/messages', viewerHeaders);
    expect(read.status).toBe(200);
  }, 60_000);

  it('public routes answer without credentials and set no cookie; no answer anywhere sets one', async () => {
    const routes = servedRoutes(e.app.fastify.printRoutes({ commonPrefix: false }));
    for (const r of routes) {
      const kind = classify(r.method, r.path);
      for (const h of [{}, operatorHeaders]) {
        const res = await call(r.method, concrete(r.path), h, bodyFor(r.method));
        expect(res.headers.get('set-cookie'), `${r.method} ${r.path}`).toBeNull();
        if (kind === 'public' && r.method === 'GET') expect(res.status, r.path).toBeLessThan(500);
      }
    }
    const session = await call('POST', '/api/session', {}, JSON.stringify(OPERATOR));
    expect(session.status).toBe(201);
    expect(session.headers.get('set-cookie')).toBeNull();
    tokens.push((JSON.parse(session.text) as { token: string }).token);
  }, 60_000);
});

describe('senders stay in their lane', () => {
  it("a partner's key cannot post another partner's contract", async () => {
    const before = await storeCounts(e);
    for (const h of [
      { 'x-api-key': KEYS.wms },
      { authorization: basicAuth(WMS_BASIC.username, WMS_BASIC.password) },
    ]) {
      const res = await call('POST', '/in/handheld-goods-movement', { ...h, 'idempotency-key': 'x-1' }, SCAN);
      expect([res.status, res.code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await storeCounts(e)).toEqual(before);
  });

  it('a partner cannot post an IDoc as another sender (SNDPRN of someone else)', async () => {
    const before = await storeCounts(e);
    const idoc = XML.replace(/<SNDPRN>[^<]*<\/SNDPRN>/, '<SNDPRN>HANDHELD</SNDPRN>');
    const res = await call(
      'POST',
      '/sap/idoc-xml',
      { 'x-api-key': KEYS.wms, 'content-type': 'application/xml' },
      idoc,
    );
    expect(res.status).toBe(403);
    expect(await storeCounts(e)).toEqual(before);
  });

  it("one SAP port's credentials cannot send as another port, and so cannot take its DOCNUMs", async () => {
    const before = await storeCounts(e);
    // The S4H system's own sender fields (its port's RCVPOR/RCVPRN), posted with S4Q's password.
    const asS4h = XML.replace(/<SNDPOR>[^<]*<\/SNDPOR>/, '<SNDPOR>SAPS4H</SNDPOR>')
      .replace(/<SNDPRN>[^<]*<\/SNDPRN>/, '<SNDPRN>S4HCLNT100</SNDPRN>')
      .replace('0000000000220931', '0000000000770001');
    const forged = await call(
      'POST',
      '/sap/idoc-xml',
      { authorization: basicAuth(SAP_Q.username, SAP_Q.password), 'content-type': 'application/xml' },
      asS4h,
    );
    expect([forged.status, forged.code]).toEqual([403, 'PRINCIPAL_NOT_ALLOWED']);
    expect(await storeCounts(e)).toEqual(before);
    // S4H's own IDoc with that DOCNUM is new, not a "duplicate" of the forgery.
    const real = await call(
      'POST',
      '/sap/idoc-xml',
      { ...sapHeaders, 'content-type': 'application/xml' },
      asS4h,
    );
    expect(real.status).toBe(200);
    expect((JSON.parse(real.text) as { duplicate: boolean }).duplicate).toBe(false);
    // and S4Q posting as itself still works
    const own = XML.replace(/<SNDPOR>[^<]*<\/SNDPOR>/, '<SNDPOR>SAPS4Q</SNDPOR>').replace(
      '0000000000220931',
      '0000000000770002',
    );
    const ok = await call(
      'POST',
      '/sap/idoc-xml',
      { authorization: basicAuth(SAP_Q.username, SAP_Q.password), 'content-type': 'application/xml' },
      own,
    );
    expect(ok.status).toBe(200);
  });
});

describe('browsers: no ambient credential opens a state-changing call', () => {
  const cancel = `/api/messages/${FAKE_ID}/cancel`;
  const body = '{"reason":"csrf"}';

  it('refuses a cross-site Origin or Sec-Fetch-Site with 403 CROSS_SITE_REQUEST, before anything else', async () => {
    for (const h of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const res = await call('POST', cancel, { ...operatorHeaders, ...h }, body);
      expect([JSON.stringify(h), res.status, res.code]).toEqual([
        JSON.stringify(h),
        403,
        'CROSS_SITE_REQUEST',
      ]);
    }
    const login = await call(
      'POST',
      '/api/session',
      { origin: 'https://evil.example' },
      JSON.stringify(OPERATOR),
    );
    expect(login.status).toBe(403);
  });

  it('lets the console (same origin) and non-browser clients through', async () => {
    const origin = e.url;
    // (a proxy in front may have rewritten Host: the browser's Sec-Fetch-Site decides then)
    const behindProxy = { 'sec-fetch-site': 'same-origin', origin: 'https://gateway.example' };
    for (const h of [{ origin }, { 'sec-fetch-site': 'same-origin', origin }, behindProxy, {}]) {
      const res = await call('POST', cancel, { ...operatorHeaders, ...h }, body);
      expect([JSON.stringify(h), res.status, res.code]).toEqual([
        JSON.stringify(h),
        404,
        'MESSAGE_NOT_FOUND',
      ]);
    }
    // reads are not state-changing: a cross-site GET is answered (CORS keeps its answer from the page)
    const read = await call('GET', '/api/messages', { ...operatorHeaders, 'sec-fetch-site': 'cross-site' });
    expect(read.status).toBe(200);
  });

  it('refuses bodies a foreign page can send without a preflight (text/plain, forms) with 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await call('POST', cancel, { ...operatorHeaders, 'content-type': type }, body);
      expect([type, res.status, res.code]).toEqual([type, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
  });
});

describe('search parameters and ids are data, never code', () => {
  const INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE messages; --",
    '" OR ""="',
    '1) OR (1=1',
    '%',
    '_',
    '\\',
    "' UNION SELECT id, raw FROM message_versions --",
    '$1',
    '(a+)+$',
    `${'a'.repeat(5000)}!`,
    '(.*a){25}',
    '((a*)*)*b',
    '[[:alpha:]]{1000000}',
    '\u202e\ufeff',
  ];

  it('answers every search with 200 and no foreign rows (or 400 QUERY_INVALID), quickly, leaving the store as it was', async () => {
    // one real message, so that an injected OR 1=1 would show it
    const posted = await call(
      'POST',
      '/sap/idoc-xml',
      { ...sapHeaders, 'content-type': 'application/xml' },
      XML.replace('0000000000220931', '0000000000880001'),
    );
    expect(posted.status).toBe(200);
    // let it be delivered first (its mapped version is written then), so the counts before and
    // after the searches differ only by what a search would have written
    const { id } = (JSON.parse(posted.text) as { messages: { id: string }[] }).messages[0]!;
    await waitFor(
      async () => (await e.app.store.get(id))?.status === 'delivered',
      'the posted IDoc delivered',
    );
    const before = await storeCounts(e);
    const params = [
      'text',
      'docnum',
      'serial',
      'partner',
      'key',
      'orderingKey',
      'errorCode',
      'messageType',
      'idocType',
    ];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (const value of INJECTIONS) {
      for (const p of params) {
        const res = await call('GET', `/api/messages?${p}=${encodeURIComponent(value)}`, viewerHeaders);
        expect([p, value, res.status === 200 || res.code === 'QUERY_INVALID']).toEqual([p, value, true]);
        if (res.status !== 200) continue;
        const ids = (JSON.parse(res.text) as { items: { id: string }[] }).items.map((i) => i.id);
        if (p !== 'text') {
          expect([p, value, ids]).toEqual([p, value, []]);
          continue;
        }
        // Free text is words (plainto_tsquery): the answer is that of the words alone, so
        // quotes, OR and comment marks did nothing.
        const words = value.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
        const plain =
          words === ''
            ? []
            : (
                JSON.parse(
                  (await call('GET', `/api/messages?text=${encodeURIComponent(words)}`, viewerHeaders)).text,
                ) as { items: { id: string }[] }
              ).items.map((i) => i.id);
        expect([value, ids]).toEqual([value, plain]);
      }
      for (const url of [
        `/api/audit?actor=${encodeURIComponent(value)}`,
        `/api/serials/${encodeURIComponent(value)}`,
        `/api/deliveries/${encodeURIComponent(value)}`,
        `/api/deliveries?delivery=${encodeURIComponent(value)}`,
        `/api/serials/epcis/events?epc=${encodeURIComponent(value)}`,
      ]) {
        const res = await call('GET', url, viewerHeaders);
        expect([url, res.status < 500]).toEqual([url, true]);
      }
    }
    loop.disable();
    const worst = loop.max / 1e6;
    console.log(
      `search injections: ${INJECTIONS.length * params.length} searches, worst event-loop delay ${worst.toFixed(0)} ms`,
    );
    expect(worst).toBeLessThan(2000);
    // (the posted message moves on meanwhile: its status history may grow, nothing else may)
    const { message_status_history: _h, ...after } = await storeCounts(e);
    const { message_status_history: _b, ...rest } = before;
    expect(after).toEqual(rest);
  }, 60_000);

  it('traversal and junk in ids are a 4xx, never a file or a 500', async () => {
    for (const id of [
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '..',
      '%00',
      'x%0d%0aSet-Cookie:%20a=b',
      `${'9'.repeat(4000)}`,
      "1'%20OR%20'1'='1",
    ]) {
      for (const url of [
        `/api/messages/${id}`,
        `/api/messages/${id}/versions/1`,
        `/api/bulk-replays/${id}`,
      ]) {
        const res = await call('GET', url, viewerHeaders);
        expect([url, res.status >= 400 && res.status < 500]).toEqual([url, true]);
        expect(res.text).not.toContain('root:');
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    }
    const as = await call(
      'GET',
      `/api/messages/${FAKE_ID}/versions/1?as=..%2F..%2Fpackage.json`,
      viewerHeaders,
    );
    expect(as.status).toBe(400);
  });

  it('file ports: values from the IDoc cannot leave the directory, the pattern cannot name one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idocgate-abuse-file-'));
    try {
      const delivery = {
        messageId: '../../../../tmp/evil',
        partner: '..\\..\\evil',
        docnum: '../../etc/passwd',
        control: { DOCNUM: '../../etc/passwd', MESTYP: '/../../x' },
      } as unknown as OutboundDelivery;
      let written = 0;
      for (const pattern of [
        '{DOCNUM}_{MESTYP}.xml',
        '{MESSAGE_ID}.xml',
        'x{PARTNER}.xml',
        'x{DOCNUM}.xml',
      ]) {
        let name: string;
        try {
          name = renderFileName(pattern, delivery);
        } catch (err) {
          // a name that would start with "." (hidden, or "..") is refused outright
          expect((err as { code?: string }).code).toBe('TRANSPORT_DELIVERY_INVALID');
          continue;
        }
        expect(name).not.toMatch(/[/\\]/);
        await writeFileAtomically(dir, name, Buffer.from('x'), { fsync: false });
        written++;
      }
      expect(written).toBeGreaterThanOrEqual(2);
      expect((await readdir(dir)).length).toBe(written);
      expect(() => renderFileName('{DOCNUM}', { ...delivery, docnum: '..' } as OutboundDelivery)).toThrow();
      for (const filename of ['../{DOCNUM}.xml', 'a/{DOCNUM}', 'a\\{DOCNUM}', '.{DOCNUM}'])
        expect(fileOptionsSchema.safeParse({ dir, filename }).success, filename).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('operator sign-in throttling', () => {
  it('locks a user name after 5 failed sign-ins: 429 LOGIN_LOCKED with Retry-After, even for the right password, also over basic auth', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await call(
        'POST',
        '/api/session',
        {},
        JSON.stringify({ username: VIEWER.username, password: WRONG_PASSWORD }),
      );
      expect(res.status).toBe(401);
    }
    const locked = await call('POST', '/api/session', {}, JSON.stringify(VIEWER));
    expect([locked.status, locked.code]).toEqual([429, 'LOGIN_LOCKED']);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    const basic = await call('GET', '/api/messages', viewerHeaders);
    expect([basic.status, basic.code]).toEqual([429, 'LOGIN_LOCKED']);
    // other operators are not affected
    const other = await call('GET', '/api/messages', operatorHeaders);
    expect(other.status).toBe(200);
    // an unknown name locks the same way (a lock says nothing about whether a name exists)
    for (let i = 0; i < 5; i++)
      await call(
        'POST',
        '/api/session',
        {},
        JSON.stringify({ username: 'mallory', password: WRONG_PASSWORD }),
      );
    const unknown = await call(
      'POST',
      '/api/session',
      {},
      JSON.stringify({ username: 'mallory', password: 'x' }),
    );
    expect(unknown.status).toBe(429);
  });

  it('the limiter: window, lock expiry, a success resets the count, memory bounded', () => {
    let now = 0;
    const l = new LoginLimiter({ maxFailures: 3, windowMs: 1000, lockMs: 5000, maxEntries: 50 }, () => now);
    l.failed('a');
    l.failed('a');
    now = 1500; // the window passed: counting starts again
    l.failed('a');
    l.failed('a');
    expect(l.lockedFor('a')).toBe(0);
    l.failed('a');
    expect(l.lockedFor('a')).toBe(5000);
    now += 5001;
    expect(l.lockedFor('a')).toBe(0);
    l.failed('b');
    l.failed('b');
    l.succeeded('b');
    l.failed('b');
    expect(l.lockedFor('b')).toBe(0);
    for (let i = 0; i < 10_000; i++) l.failed(`spray-${i}`);
    expect(l.size).toBeLessThanOrEqual(50);
    // a locked name is not forgotten to make room
    for (let i = 0; i < 3; i++) l.failed('held');
    for (let i = 0; i < 10_000; i++) l.failed(`more-${i}`);
    expect(l.lockedFor('held')).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('no secret appears in any log line of the whole session', async () => {
    // a few more requests with secrets in every place a client might put them
    await call(
      'POST',
      '/api/session',
      {},
      JSON.stringify({ username: OPERATOR.username, password: OPERATOR.password }),
    );
    await call('GET', '/api/messages', { authorization: `Bearer ${tokens[0] ?? 'none'}` });
    await call(
      'POST',
      '/in/handheld-goods-movement',
      { authorization: `Bearer ${KEYS.handheld}`, 'idempotency-key': 'log-1' },
      '{',
    );
    await call('GET', '/api/messages?text=x', {
      'x-api-key': WRONG_KEY,
      authorization: basicAuth(VIEWER.username, WRONG_PASSWORD),
    });
    const text = e.logs.text();
    expect(e.logs.lines.length).toBeGreaterThan(300);
    const secrets = [
      OPERATOR.password,
      VIEWER.password,
      SAP_IN.password,
      SAP_Q.password,
      WMS_BASIC.password,
      KEYS.wms,
      KEYS.handheld,
      WRONG_KEY,
      WRONG_PASSWORD,
      e.sap.password,
      ...tokens,
      basicAuth(OPERATOR.username, OPERATOR.password).slice(6),
      basicAuth(SAP_IN.username, SAP_IN.password).slice(6),
    ];
    for (const s of secrets) expect(text.includes(s), `secret ${s.slice(0, 4)}… in the log`).toBe(false);
    expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    expect(text).not.toMatch(/Bearer igs_|Bearer igk_/);
  });
});
