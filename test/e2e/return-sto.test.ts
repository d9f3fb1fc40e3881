/**
 * A store return on a returns stock transport order, end to end over real HTTP with the real
 * gateway (PGlite in memory, BullMQ on the local Redis under a prefix of its own, fake SAP, fake
 * WMS webhook): SAP sends the returns delivery (DELVRY07 WHSORD, delivery type NLR) to the DC's
 * WMS; the store's handheld posts the goods issue at the store (MBGMCR03 161 against the returns
 * STO item, with the returns delivery); the DC's WMS confirms the returns delivery's goods movement
 * (WHSCON PGI to SAP). The serials go S0124 -> in transit to DC01 -> in stock at DC01, and the
 * delivery ledger never takes the returns delivery for one a store must receive.
 * SAP sources: docs/movement-types.md "Return stock transport order".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { basicAuth, KEYS, OPERATOR, SAP_IN, startE2E, waitFor, type E2E } from './helpers.js';

const definitions = loadDefinitions();
const xmlOf = (fixture: string): string =>
  convertIdocs(readFileSync(`fixtures/mappings/${fixture}`), 'xml', definitions).output.toString();
/**
 * The returns delivery 84000071 (NLR) of returns STO 4500000779, to the DC's warehouse, with the
 * returning store as ship-to partner (as SAP's customer-returns sample names the returning
 * customer WE): still no delivery the store has to receive.
 */
const RETURNS_DELIVERY = xmlOf('delvry07-to-wms-delivery-order/returns-delivery-nlr.input.json').replace(
  '<E1EDL24 SEGMENT="1">',
  '<E1ADRM1 SEGMENT="1"><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>0000100201</PARTNER_ID></E1ADRM1><E1EDL24 SEGMENT="1">',
);
/** An ordinary outbound delivery 80001234 DC01 -> S0124 (the control). */
const OUTBOUND_DELIVERY = xmlOf('delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json');

const now = Date.now();
const at = (minutes: number): string => new Date(now - 120 * 60_000 + minutes * 60_000).toISOString();
/** The two units were received at the store before (so the return starts from stock there). */
const RECEIPT = {
  scanId: 'HH-RET-E2E-0001',
  site: 'S0124',
  movement: { kind: 'receipt-po', purchaseOrder: '4500000100' },
  items: [{ article: '4711', quantity: 2, unit: 'PCE', poItem: '10', serialNumbers: ['SN-3001', 'SN-3002'] }],
  device: 'TC52-0042',
  user: 'jdoe',
  scannedAt: at(0),
};
const RETURN_SCAN = {
  ...(JSON.parse(
    readFileSync('fixtures/mappings/handheld-to-mbgmcr03/return-sto.input.json', 'utf8'),
  ) as object),
  scanId: 'HH-RET-E2E-0002',
  scannedAt: at(30),
};
/** The DC WMS's confirmation of the returns delivery's goods movement (the DC's receipt). */
const DC_CONFIRMATION = {
  ...(JSON.parse(
    readFileSync(
      'fixtures/mappings/wms-confirmation-to-delvry07/returns-delivery-received.input.json',
      'utf8',
    ),
  ) as object),
  confirmedAt: at(90),
};

const ops = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };
let e: E2E;

beforeAll(async () => {
  e = await startE2E(
    'return-sto',
    { dataDir: 'memory://' },
    {
      configure(config) {
        const c = config as unknown as Record<string, unknown>;
        const wms = config.partners.wms as unknown as Record<string, unknown>;
        wms['sends'] = [
          {
            messageType: 'WHSCON',
            contract: 'wms-confirmation',
            mapping: 'wms-confirmation-to-delvry07',
            port: 'S4H',
          },
        ];
        c['ledger'] = { intervalMs: 150 };
        c['sweeper'] = { shipTo: { '100201': 'S0124' }, catchUp: { every: 150 } };
      },
    },
  );
}, 60_000);
afterAll(async () => {
  await e?.close();
});

const postSap = (xml: string) =>
  fetch(`${e.url}/sap/idoc-xml`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(SAP_IN.username, SAP_IN.password),
      'content-type': 'application/x-sap.idoc',
    },
    body: xml,
  });
const postPartner = (path: string, key: string, body: unknown) =>
  fetch(`${e.url}/in/${path}`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
async function serial(
  s: string,
): Promise<{ state: string; site: string | null; delivery: string | null } | undefined> {
  const res = await fetch(`${e.url}/api/serials/${s}`, { headers: ops });
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { state: { state: string; site: string | null; delivery: string | null } })
    .state;
}
const sapBodies = (): string[] => e.sap.received.map((r) => r.body.toString('utf8'));

describe('return stock transport order end to end', () => {
  it('store -> in transit -> DC: 161 at SAP with the returns STO and delivery, then the DC’s PGI; never a store delivery', async () => {
    // SAP: the returns delivery to the DC's WMS, which learns its delivery type
    expect((await postSap(RETURNS_DELIVERY)).status).toBe(200);
    await waitFor(() => e.wms.received.length >= 1, 'the returns delivery at the WMS');
    expect(e.wms.received[0]!.json).toMatchObject({ delivery: '84000071', deliveryType: 'NLR' });

    expect((await postPartner('handheld-goods-movement', KEYS.handheld, RECEIPT)).status).toBe(202);
    await waitFor(async () => (await serial('SN-3001'))?.state === 'in-stock', 'SN-3001 in stock at S0124');

    // the store's goods issue on the returns STO
    expect((await postPartner('handheld-goods-movement', KEYS.handheld, RETURN_SCAN)).status).toBe(202);
    await waitFor(() => sapBodies().some((b) => b.includes('<MOVE_TYPE>161</MOVE_TYPE>')), 'the 161 at SAP');
    const posting = sapBodies().find((b) => b.includes('<MOVE_TYPE>161</MOVE_TYPE>'))!;
    expect(posting).toContain('<GM_CODE>01</GM_CODE>');
    expect(posting).toContain('<PLANT>0124</PLANT>');
    expect(posting).toContain('<PO_NUMBER>4500000779</PO_NUMBER>');
    expect(posting).toContain('<PO_ITEM>00010</PO_ITEM>');
    expect(posting).toContain('<MVT_IND>B</MVT_IND>');
    expect(posting).toMatch(
      /<E1BP2017_GM_ITEM_CREATE1 SEGMENT="1">\s*<DELIV_NUMB>0084000071<\/DELIV_NUMB>\s*<DELIV_ITEM>000010<\/DELIV_ITEM>/,
    );
    expect(posting).not.toContain('DELIV_NUMB_TO_SEARCH');
    await waitFor(async () => (await serial('SN-3001'))?.state === 'in-transit', 'SN-3001 in transit');
    expect(await serial('SN-3002')).toMatchObject({
      state: 'in-transit',
      site: 'DC01',
      delivery: '84000071',
    });

    // the DC's WMS confirms the returns delivery's goods movement: the receipt at DC01
    expect((await postPartner('wms-confirmation', KEYS.wms, DC_CONFIRMATION)).status).toBe(202);
    await waitFor(() => sapBodies().some((b) => b.includes('<MESTYP>WHSCON</MESTYP>')), 'the WHSCON at SAP');
    const whscon = sapBodies().find((b) => b.includes('<MESTYP>WHSCON</MESTYP>'))!;
    expect(whscon).toContain('<VBELN>0084000071</VBELN>');
    expect(whscon).toMatch(/<QUALF>PGI<\/QUALF>/);
    await waitFor(async () => (await serial('SN-3002'))?.state === 'in-stock', 'SN-3002 received at DC01');
    for (const s of ['SN-3001', 'SN-3002'])
      expect(await serial(s)).toMatchObject({ state: 'in-stock', site: 'DC01' });

    // the delivery ledger: an ordinary delivery to S0124 is recorded; the returns delivery never is
    expect((await postSap(OUTBOUND_DELIVERY)).status).toBe(200);
    await waitFor(
      async () => (await fetch(`${e.url}/api/deliveries/80001234`, { headers: ops })).status === 200,
      'the outbound delivery in the delivery ledger',
    );
    expect((await fetch(`${e.url}/api/deliveries/84000071`, { headers: ops })).status).toBe(404);
    const open = (await (await fetch(`${e.url}/api/deliveries`, { headers: ops })).json()) as {
      deliveries?: { delivery: string }[];
      items?: { delivery: string }[];
    };
    expect(JSON.stringify(open)).not.toContain('84000071');
  });
});
