/**
 * The HTTP edges through app.inject(): SAP XML-HTTP / SOAP / flat upload and partner JSON, with
 * authentication, content types, body limit, bad JSON and contract issues, and duplicates.
 * The gateway is the real one over a recording work queue (test/api/helpers.ts): what an edge
 * takes is stored in the real store and queued for its destination; no worker delivers it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { readIdocs } from '../../src/idoc/codec.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

const DELVRY07_XML = readFileSync('fixtures/xml/delvry07-serials.xml');
const DELVRY07_SOAP = readFileSync('fixtures/xml/delvry07-soap-request.xml');
/** The flat DELVRY07 as the WMS sends it: its own partner number as sender (SNDPRN). */
function wmsFlat(): string {
  const definitions = loadDefinitions();
  const [idoc] = readIdocs(readFileSync('fixtures/flat/delvry07-serials.idoc'), definitions).idocs;
  idoc!.control.SNDPRN = 'WMS01';
  return writeFlat([idoc!], definitions);
}
const DELVRY07_FLAT = wmsFlat();
const SCAN = readFileSync(
  'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
  'utf8',
);

let t: TestApp;
const sapAuth = (): string => basic('SAPS4H', SECRETS.sapInboundPassword);

/** The message last queued, with its raw payload as stored. */
async function lastQueued() {
  const job = t.queue.jobs.at(-1);
  if (job === undefined) throw new Error('nothing queued');
  const message = (await t.app.store.get(job.item.messageId))!;
  const raw = (await t.app.store.versions(message.id)).find((v) => v.kind === 'raw')!;
  return { job, message, raw };
}

const text = (content: string | Uint8Array): string =>
  typeof content === 'string' ? content : Buffer.from(content).toString('utf8');

const storedCount = (): Promise<number> => t.app.store.countByQuery({});

beforeAll(async () => {
  const config = await testConfig();
  // The WMS also uploads DESADV IDocs as they are (WE20 inbound: message type DESADV, no mapping).
  (config['partners'] as { wms: { sends: unknown[] } }).wms.sends.push({
    messageType: 'DESADV',
    contract: 'idoc',
    port: 'S4H',
  });
  t = await startTestApp(config);
});
afterAll(async () => {
  await t?.close();
});

describe('SAP XML-HTTP port endpoint', () => {
  it('stores the IDoc and answers 200 with a short text naming the DOCNUM', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'application/x-sap.idoc' },
      payload: DELVRY07_XML,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^OK 1 IDoc\(s\) stored: 0000000000481516/);
    const last = await lastQueued();
    expect(last.message).toMatchObject({
      direction: 'in',
      channel: 'port:S4H',
      docnum: '0000000000481516',
    });
    expect(last.message.status).toBe('queued');
    expect(last.job.destination).toBe(`partner.${last.message.partner}`);
    expect(text(last.raw.content)).toBe(DELVRY07_XML.toString('utf8'));
  });

  it('answers a duplicate DOCNUM with the original message (200, duplicate)', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'text/xml', accept: 'application/json' },
      payload: DELVRY07_XML,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ duplicate: boolean; messages: { id: string; docnum: string }[] }>();
    expect(body.duplicate).toBe(true);
    expect(body.messages[0]!.docnum).toBe('0000000000481516');
    expect(res.headers['x-idocgate-duplicate']).toBe('true');
  });

  it('accepts application/xml and rejects a JSON content type with 415 as text', async () => {
    const wrong = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(wrong.statusCode).toBe(415);
    expect(wrong.headers['content-type']).toMatch(/^text\/plain/);
    expect(wrong.body).toMatch(/^UNSUPPORTED_MEDIA_TYPE: /);
    const plain = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(plain.statusCode).toBe(415);
  });

  it('answers 401 with a basic challenge without credentials, and with wrong ones', async () => {
    const none = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { 'content-type': 'application/xml' },
      payload: DELVRY07_XML,
    });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="idocgate"/);
    expect(none.body).toMatch(/^AUTH_REQUIRED: /);
    const wrong = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: basic('SAPS4H', 'nope'), 'content-type': 'application/xml' },
      payload: DELVRY07_XML,
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('answers the codec error of a malformed IDoc as 400 text, storing nothing', async () => {
    const before = await storedCount();
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'application/xml' },
      payload: '<DELVRY07><IDOC><EDI_DC40>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^IDOC_NOT_WELL_FORMED_XML: .+\n$/);
    expect(await storedCount()).toBe(before);
  });

  it('rejects a body over server.bodyLimit with 413 before the gateway sees it', async () => {
    const before = await storedCount();
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-xml',
      headers: { authorization: sapAuth(), 'content-type': 'application/xml' },
      payload: Buffer.alloc(300 * 1024, 0x20),
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatch(/^REQUEST_BODY_TOO_LARGE: .*262144 bytes \(server.bodyLimit\)/);
    expect(await storedCount()).toBe(before);
  });
});

describe('IDoc-SOAP endpoint and flat upload', () => {
  it('answers SOAP with an empty SOAP response once stored', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-soap',
      headers: { authorization: sapAuth(), 'content-type': 'text/xml; charset=utf-8' },
      payload: DELVRY07_SOAP,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toMatch(/<soap:Body>\s*<\/soap:Body>/);
    expect(res.body).not.toContain('Fault');
  });

  it('answers SOAP errors with a SOAP fault naming the code', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/sap/idoc-soap',
      headers: { authorization: sapAuth(), 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(res.body).toContain('<idocgate:code>IDOC_NO_IDOC_ELEMENT</idocgate:code>');
  });

  it('takes a flat file as text/plain or application/octet-stream', async () => {
    const res = await t.app.fastify.inject({
      method: 'POST',
      url: '/upload/flat',
      headers: {
        authorization: `Bearer ${SECRETS.wmsKey}`,
        'content-type': 'application/octet-stream',
        accept: 'application/json',
      },
      payload: DELVRY07_FLAT,
    });
    expect(res.statusCode).toBe(200);
    const last = await lastQueued();
    expect(last.message).toMatchObject({ partner: 'wms', messageType: 'DESADV', status: 'queued' });
    expect(last.job.destination).toBe('partner.wms');
    expect(last.raw.format).toBe('flat');
  });
});

describe('partner JSON endpoints', () => {
  const post = (payload: string, headers: Record<string, string> = {}) =>
    t.app.fastify.inject({
      method: 'POST',
      url: '/in/handheld-goods-movement',
      headers: { 'x-api-key': SECRETS.handheldKey, 'content-type': 'application/json', ...headers },
      payload,
    });

  it('stores a valid scan: 202 with the message, Location to the support API', async () => {
    const res = await post(SCAN, { 'idempotency-key': 'scan-1' });
    expect(res.statusCode).toBe(202);
    const body = res.json<{ duplicate: boolean; messages: { id: string }[] }>();
    expect(body.duplicate).toBe(false);
    expect(res.headers.location).toBe(`/api/messages/${body.messages[0]!.id}`);
    const last = await lastQueued();
    expect(last.message).toMatchObject({
      id: body.messages[0]!.id,
      direction: 'in',
      partner: 'handheld',
      idempotencyKey: 'scan-1',
    });
    expect(last.job.destination).toBe('partner.handheld');
    expect(text(last.raw.content)).toBe(SCAN);
  });

  it('answers the same Idempotency-Key with the original (200, duplicate: true)', async () => {
    const first = await post(SCAN, { 'idempotency-key': 'scan-2' });
    const again = await post(SCAN, { 'idempotency-key': 'scan-2' });
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ duplicate: boolean }>().duplicate).toBe(true);
    expect(again.json<{ messages: { id: string }[] }>().messages[0]!.id).toBe(
      first.json<{ messages: { id: string }[] }>().messages[0]!.id,
    );
  });

  it('answers bad JSON with 400 JSON_INVALID and nothing stored', async () => {
    const before = await storedCount();
    const res = await post('{"scanId": ');
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('JSON_INVALID');
    expect(await storedCount()).toBe(before);
  });

  it('answers a contract violation with 400 and the zod issues with JSON pointers', async () => {
    const scan = JSON.parse(SCAN) as { items: { quantity: number }[]; site?: string };
    scan.items[0]!.quantity = -1;
    delete scan.site;
    const res = await post(JSON.stringify(scan));
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; issues: { path: string }[] }>();
    expect(body.code).toBe('PAYLOAD_INVALID');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['/items/0/quantity', '/site']);
  });

  it('rejects other content types with 415 JSON', async () => {
    const res = await post(SCAN, { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.json<{ code: string }>().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('lets a partner post only the contracts it sends (403), and needs credentials (401)', async () => {
    const wrongPartner = await t.app.fastify.inject({
      method: 'POST',
      url: '/in/handheld-goods-movement',
      headers: { authorization: `Bearer ${SECRETS.wmsKey}`, 'content-type': 'application/json' },
      payload: SCAN,
    });
    expect(wrongPartner.statusCode).toBe(403);
    expect(wrongPartner.json<{ code: string }>().code).toBe('FORBIDDEN');
    const port = await post(SCAN, { 'x-api-key': '', authorization: sapAuth() });
    expect(port.statusCode).toBe(403);
    const none = await t.app.fastify.inject({
      method: 'POST',
      url: '/in/handheld-goods-movement',
      headers: { 'content-type': 'application/json' },
      payload: SCAN,
    });
    expect(none.statusCode).toBe(401);
    const badKey = await post(SCAN, { 'x-api-key': 'igk_not-a-key' });
    expect(badKey.statusCode).toBe(401);
  });

  it('rejects a body over the limit with 413 JSON', async () => {
    const res = await post(JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json<{ code: string }>().code).toBe('REQUEST_BODY_TOO_LARGE');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.app.fastify.inject({ method: 'POST', url: '/in/no-such-contract' });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
  });
});
