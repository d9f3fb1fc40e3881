/**
 * End to end over real HTTP with the real gateway: SAP DELVRY07 over XML-HTTP -> WMS webhook
 * JSON; handheld JSON -> MBGMCR03 -> fake SAP XML-HTTP; duplicates answered with the original
 * and delivered once; receiver down -> dead letter -> replay by an operator -> delivered once.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { basicAuth, KEYS, OPERATOR, SAP_IN, startE2E, waitFor, type E2E } from './helpers.js';

// A DELVRY07 (WHSORD) the built-in mapping takes, sent by SAP as IDoc-XML.
const DELVRY07_XML = Buffer.from(
  convertIdocs(
    readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
    'xml',
    loadDefinitions(),
  ).output,
);
const SCAN = readFileSync(
  'fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json',
  'utf8',
);

let e: E2E;
beforeAll(async () => {
  e = await startE2E('gw');
});
afterAll(async () => {
  await e?.close();
});

const postSap = (body: Buffer | string) =>
  fetch(`${e.url}/sap/idoc-xml`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(SAP_IN.username, SAP_IN.password),
      'content-type': 'application/x-sap.idoc',
    },
    body,
  });
const postScan = (body: string, key?: string) =>
  fetch(`${e.url}/in/handheld-goods-movement`, {
    method: 'POST',
    headers: {
      'x-api-key': KEYS.handheld,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body,
  });

describe('end to end', () => {
  it('SAP DELVRY07 over the XML-HTTP port arrives at the WMS webhook as JSON, once', async () => {
    const res = await postSap(DELVRY07_XML);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^OK 1 IDoc\(s\) stored: 0000000000220931/);
    await waitFor(() => e.wms.received.length >= 1, 'the WMS delivery');
    const order = e.wms.received[0]!.json as Record<string, unknown>;
    expect(JSON.stringify(order)).toContain('80001234');
    expect(e.wms.received[0]!.headers['content-type']).toMatch(/^application\/json/);

    // the same IDoc again: 200, the original message, not processed again
    const again = await postSap(DELVRY07_XML);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-idocgate-duplicate')).toBe('true');
    // a later message on the same queue is delivered after the duplicate would have been
    const second = DELVRY07_XML.toString('utf8')
      .replace('0000000000220931', '0000000000220932')
      .replaceAll('0080001234', '0080001235');
    expect((await postSap(second)).status).toBe(200);
    await waitFor(() => e.wms.received.length >= 2, 'the second WMS delivery');
    const bodies = e.wms.received.map((r) => r.body.toString('utf8'));
    expect(bodies.filter((b) => b.includes('80001234'))).toHaveLength(1);
  });

  it('a handheld scan becomes an MBGMCR03 at SAP; a retried Idempotency-Key is answered with the original', async () => {
    const first = await postScan(SCAN, 'scan-e2e-1');
    expect(first.status).toBe(202);
    const { messages } = (await first.json()) as { messages: { id: string }[] };
    const again = await postScan(SCAN, 'scan-e2e-1');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { messages: { id: string }[]; duplicate: boolean }).messages[0]!.id).toBe(
      messages[0]!.id,
    );
    await waitFor(() => e.sap.received.length >= 1, 'the MBGMCR03 at SAP');
    const xml = e.sap.received[0]!.body.toString('utf8');
    expect(xml).toContain('<IDOCTYP>MBGMCR03</IDOCTYP>');
    expect(xml).toContain('SN-1001');
    const msg = await fetch(`${e.url}/api/messages/${messages[0]!.id}`, {
      headers: { authorization: basicAuth(OPERATOR.username, OPERATOR.password) },
    });
    await waitFor(
      async () => (await e.app.store.get(messages[0]!.id))?.status === 'delivered',
      'status delivered',
    );
    expect(msg.status).toBe(200);
    expect(e.sap.received).toHaveLength(1);
  });

  it('receiver down: retries, dead letter, operator replay, delivered exactly once', async () => {
    const before = e.sap.received.length;
    e.sap.setBehaviour({ failFirst: 3, status: 503 });
    const res = await postScan(SCAN.replace('HH-7F3A-000184', 'HH-7F3A-000185'), 'scan-e2e-2');
    const id = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
    await waitFor(async () => (await e.app.store.get(id))?.status === 'dead', 'the dead letter');
    expect(e.sap.received.length - before).toBe(3);
    const dead = await fetch(`${e.url}/api/dead-letters`, {
      headers: { authorization: basicAuth(OPERATOR.username, OPERATOR.password) },
    });
    expect(((await dead.json()) as { total: number }).total).toBe(1);
    const metrics = await (await fetch(`${e.url}/metrics`)).text();
    expect(metrics).toMatch(
      /idocgate_messages_dead_total\{partner="handheld",message_type="MBGMCR",direction="in"\} 1/,
    );
    const replay = await fetch(`${e.url}/api/messages/${id}/replay`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(OPERATOR.username, OPERATOR.password),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'SAP is back' }),
    });
    expect(replay.status).toBe(200);
    await waitFor(async () => (await e.app.store.get(id))?.status === 'delivered', 'delivery after replay');
    const ok = e.sap.received.slice(before).filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    // the dead letter was alerted in the log at error level, naming the message
    const alert = e.logs.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; messageId?: string })
      .find((l) => l.level === 50 && l.msg.startsWith('dead letter') && l.messageId === id);
    expect(alert).toBeDefined();
  });

  it('an IDoc for an unknown partner or message type is rejected with a 4xx text and nothing stored', async () => {
    const unknownPartner = DELVRY07_XML.toString('utf8')
      .replace('<RCVPRN>WMSEAST</RCVPRN>', '<RCVPRN>NOBODY</RCVPRN>')
      .replace('0000000000220931', '0000000000220991');
    const res = await postSap(unknownPartner);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await res.text()).toMatch(/^[A-Z_]+: /);
    const unknownType = DELVRY07_XML.toString('utf8')
      .replace('<MESTYP>WHSORD</MESTYP>', '<MESTYP>SHPMNT</MESTYP>')
      .replace('0000000000220931', '0000000000220992');
    const res2 = await postSap(unknownType);
    expect([403, 422]).toContain(res2.status);
    for (const docnum of ['0000000000220991', '0000000000220992']) {
      expect((await e.app.store.search({ docnum })).items).toHaveLength(0);
    }
  });
});
