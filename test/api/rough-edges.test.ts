/**
 * Rough edges a new user hit (issue 16, item 7), over real HTTP on 127.0.0.1 against the app on
 * PGlite and the local Redis: an unknown query parameter is named and answered with the documented
 * QUERY_INVALID; wrong credentials say they were not accepted (not "required"); a malformed-XML
 * answer to SAP says its error once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await startTestApp(await testConfig());
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await t?.close();
});

interface ProblemBody {
  code: string;
  message: string;
  issues: { code: string; path: string; message: string }[];
}

describe('query parameters', () => {
  it('an unknown parameter is named, with QUERY_INVALID', async () => {
    const res = await fetch(`${url}/api/messages?status=dead&bogus=1&colour=red`, {
      headers: { authorization: basic('alice', SECRETS.operatorPassword) },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ProblemBody;
    expect(body.code).toBe('QUERY_INVALID');
    expect(body.message).toContain('unknown query parameter "bogus"');
    expect(body.message).toContain('unknown query parameter "colour"');
    expect(body.issues.map((i) => [i.code, i.path])).toEqual([
      ['QUERY_INVALID', 'bogus'],
      ['QUERY_INVALID', 'colour'],
    ]);
  });

  it('a known parameter with a bad value names the parameter too', async () => {
    const res = await fetch(`${url}/api/dead-letters?direction=sideways`, {
      headers: { authorization: basic('alice', SECRETS.operatorPassword) },
    });
    const body = (await res.json()) as ProblemBody;
    expect([res.status, body.code]).toEqual([400, 'QUERY_INVALID']);
    expect(body.issues[0]?.path).toBe('direction');
    expect(body.message).toMatch(/^query parameter "direction" /);
  });
});

describe('credentials', () => {
  it('a wrong SAP password is "not accepted", no credentials is "required"', async () => {
    const post = (authorization?: string) =>
      fetch(`${url}/sap/idoc-xml`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml', ...(authorization ? { authorization } : {}) },
        body: '<DELVRY07/>',
      });
    const wrong = await post(basic('SAPS4H', 'not-the-password'));
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).toMatch(/^AUTH_REQUIRED: the credentials sent were not accepted/);
    expect(text).not.toContain('required');
    const none = await post();
    expect(none.status).toBe(401);
    expect(await none.text()).toContain('credentials are required');
  });

  it('a wrong API key and a wrong operator password are "not accepted" too', async () => {
    const key = await fetch(`${url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'igk_not-a-key' },
      body: '{}',
    });
    expect(((await key.json()) as ProblemBody).message).toContain('not accepted');
    const op = await fetch(`${url}/api/messages`, { headers: { authorization: basic('alice', 'wrong') } });
    expect(op.status).toBe(401);
    expect(((await op.json()) as ProblemBody).message).toContain('not accepted');
  });
});

describe('malformed XML', () => {
  it('says its error once', async () => {
    const res = await fetch(`${url}/sap/idoc-xml`, {
      method: 'POST',
      headers: {
        authorization: basic('SAPS4H', SECRETS.sapInboundPassword),
        'content-type': 'application/xml',
      },
      body: '<a><b></a>',
    });
    expect(res.status).toBe(400);
    const text = (await res.text()).trim();
    expect(text).toMatch(/^IDOC_NOT_WELL_FORMED_XML: Not well-formed XML: end tag <\/a>/);
    expect(text.split('end tag </a> does not match').length - 1).toBe(1);
  });
});
