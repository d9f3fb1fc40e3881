/**
 * Free-text search covers what is in a message, not only its business keys (issue 16, item 4):
 * an item text of a DELVRY07 and the device of a handheld scan are found, over real HTTP against
 * the app with the real gateway on PGlite and the local Redis. A word that is in neither finds nothing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realGatewayFactory } from '../../src/wiring/gateway.js';
import { payloadText, PAYLOAD_TEXT_WORDS } from '../../src/pipeline/search-keys.js';
import { basic, SECRETS, startTestApp, testConfig, type TestApp } from './helpers.js';

let t: TestApp;
let url: string;
let idocId: string;
let scanId: string;

beforeAll(async () => {
  // the real gateway on BullMQ (its ingest builds the search text)
  t = await startTestApp(await testConfig(), { createGateway: realGatewayFactory() });
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const a = await fetch(`${url}/sap/idoc-xml`, {
    method: 'POST',
    headers: {
      authorization: basic('SAPS4H', SECRETS.sapInboundPassword),
      'content-type': 'application/xml',
      accept: 'application/json',
    },
    body: readFileSync('fixtures/xml/delvry07-serials.xml'),
  });
  idocId = ((await a.json()) as { messages: { id: string }[] }).messages[0]!.id;
  const b = await fetch(`${url}/in/handheld-goods-movement`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRETS.handheldKey}`, 'content-type': 'application/json' },
    body: readFileSync('fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json', 'utf8'),
  });
  scanId = ((await b.json()) as { messages: { id: string }[] }).messages[0]!.id;
});
afterAll(async () => {
  await t?.close();
});

async function search(text: string): Promise<string[]> {
  const res = await fetch(`${url}/api/messages?text=${encodeURIComponent(text)}`, {
    headers: { authorization: basic('alice', SECRETS.operatorPassword) },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((m) => m.id);
}

describe('free-text search', () => {
  it('finds an IDoc by a text in its segments (item text ARKTX "Seal kit")', async () => {
    expect(await search('seal kit')).toEqual([idocId]);
    expect(await search('housing')).toEqual([idocId]);
  });

  it('finds a partner JSON message by a value in its body (the device)', async () => {
    expect(await search('TC52-0042')).toEqual([scanId]);
  });

  it('finds nothing for a word in neither', async () => {
    expect(await search('Zanzibar')).toEqual([]);
  });

  it('DOCNUM finds the IDoc the gateway made from a partner JSON message (the MBGMCR03 of a scan)', async () => {
    const detail = async () => {
      const res = await fetch(`${url}/api/messages/${scanId}`, {
        headers: { authorization: basic('alice', SECRETS.operatorPassword) },
      });
      return (await res.json()) as { searchKeys: { kind: string; value: string }[] };
    };
    let docnum: string | undefined;
    for (let i = 0; i < 200 && docnum === undefined; i++) {
      docnum = (await detail()).searchKeys.find((k) => k.kind === 'docnum')?.value;
      if (docnum === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(docnum).toMatch(/^\d{16}$/);
    const res = await fetch(`${url}/api/messages?docnum=${Number(docnum)}`, {
      headers: { authorization: basic('alice', SECRETS.operatorPassword) },
    });
    const found = ((await res.json()) as { items: { id: string }[] }).items.map((m) => m.id);
    expect(found).toEqual([scanId]);
  });

  it('payloadText: distinct words, capped', () => {
    expect(payloadText({ a: 'x y', b: ['y', 3], c: { d: 'z' } })).toBe('x y 3 z');
    const many = Array.from({ length: PAYLOAD_TEXT_WORDS + 50 }, (_, i) => `w${i}`);
    expect(payloadText(many).split(' ')).toHaveLength(PAYLOAD_TEXT_WORDS);
  });
});
