/**
 * The serial ledger fills from the end-to-end flows of the real app (buildApp: PGlite in a temp
 * dir, BullMQ on the local Redis with a prefix of its own, fake SAP and fake WMS): SAP sends a
 * DELVRY07 DESADV with serials (goods issue DC01 -> store S0124), the store's handheld posts the
 * goods receipt of the same serials; both are delivered, the scheduler's catch-up applies them,
 * and the serial API answers state + history and runs a recall (JSON and CSV).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { createLogger } from '../../src/wiring/logging.js';
import { captureLogs } from '../api/helpers.js';
import {
  basicAuth,
  deleteKeys,
  E2E_ENV,
  e2eConfig,
  KEYS,
  OPERATOR,
  SAP_IN,
  uniquePrefix,
  waitFor,
} from '../e2e/helpers.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { seededDataDir } from '../support/pglite-template.js';

/**
 * Two days ago (UTC): recent enough that the time-based rules (never received after 14 days) stay
 * quiet, and in the past whatever the hour and the configured time zone, so the shipment always
 * comes before the receipt scanned now (dated today, the test failed from midnight UTC on).
 */
const RECENT_DAY = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
const DESADV_XML = Buffer.from(
  convertIdocs(
    readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
    'xml',
    loadDefinitions(),
  ).output,
)
  .toString('utf8')
  .replace('<MESTYP>WHSORD</MESTYP>', '<MESTYP>DESADV</MESTYP>')
  .replaceAll(/2024030[24]/g, RECENT_DAY);

/** The store's goods receipt of delivery 80001234 with the same serials. */
const RECEIPT = JSON.stringify({
  scanId: 'HH-LEDGER-0001',
  site: 'S0124',
  movement: { kind: 'receipt-delivery', delivery: '80001234' },
  items: [
    { article: '4711', quantity: 2, unit: 'PCE', deliveryItem: '10', serialNumbers: ['SN-1001', 'SN-1002'] },
  ],
  device: 'TC52-0042',
  user: 'jdoe',
  scannedAt: new Date().toISOString(),
});

const ops = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };

interface Env {
  app: App;
  url: string;
  sap: FakeSap;
  wms: FakeWebhook;
  epcis: FakeWebhook;
  prefix: string;
  dir: string;
}
let e: Env;

beforeAll(async () => {
  const sap = await startFakeSap();
  const wms = await startFakeWebhook();
  const epcis = await startFakeWebhook({ path: '/epcis/capture' });
  const prefix = uniquePrefix('ledger-flow');
  const dir = await mkdtemp(join(tmpdir(), 'idocgate-ledger-flow-'));
  const base = await e2eConfig(sap, wms, { prefix, dataDir: await seededDataDir(join(dir, 'pglite')) });
  const wmsPartner = base.partners.wms;
  const config = {
    ...base,
    partners: {
      ...base.partners,
      wms: {
        ...wmsPartner,
        receives: [...wmsPartner.receives, { ...wmsPartner.receives[0]!, messageType: 'DESADV' }],
      },
    },
    ledger: {
      intervalMs: 150,
      sites: { S0124: { customers: ['0000100201'] } },
      epcisCapture: { url: epcis.url.replace(/\/capture$/, ''), timeout: 5000 },
    },
  };
  const file = join(dir, 'config.yaml');
  await writeFile(file, stringify(config));
  const loaded = loadConfig({ file, env: E2E_ENV(sap) });
  const { stream } = captureLogs();
  const app = await buildApp({
    loaded,
    logger: createLogger({ destination: stream, level: 'warn' }),
    tuning: { recoveryEveryMs: 500 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  e = { app, url, sap, wms, epcis, prefix, dir };
}, 60_000);

afterAll(async () => {
  if (!e) return;
  await e.app.close();
  await e.sap.close();
  await e.wms.close();
  await e.epcis.close();
  await deleteKeys(e.prefix);
  await rm(e.dir, { recursive: true, force: true });
});

interface SerialAnswer {
  state: { material: string; serial: string; state: string; site: string | null; delivery: string | null };
  history: { movement: string; fromSite: string | null; toSite: string | null; messageId: string | null }[];
  alerts: unknown[];
}

async function serial(serialNo: string): Promise<{ status: number; body: SerialAnswer }> {
  const res = await fetch(`${e.url}/api/serials/${serialNo}`, { headers: ops });
  return { status: res.status, body: (await res.json()) as SerialAnswer };
}

describe('serial ledger through the real app', () => {
  it('a DESADV from SAP and the handheld receipt become the serials’ history and state', async () => {
    const sapRes = await fetch(`${e.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(SAP_IN.username, SAP_IN.password),
        'content-type': 'application/x-sap.idoc',
      },
      body: DESADV_XML,
    });
    expect(sapRes.status).toBe(200);
    await waitFor(() => e.wms.received.length >= 1, 'the DESADV at the WMS');

    // shipped, not yet received: in transit to the store
    await waitFor(async () => (await serial('SN-1001')).status === 200, 'SN-1001 in the ledger');
    const shipped = await serial('SN-1001');
    expect(shipped.body.state).toMatchObject({ material: '4711', state: 'in-transit', delivery: '80001234' });

    const scan = await fetch(`${e.url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
      body: RECEIPT,
    });
    expect(scan.status).toBe(202);
    const scanId = ((await scan.json()) as { messages: { id: string }[] }).messages[0]!.id;
    await waitFor(() => e.sap.received.length >= 1, 'the MBGMCR03 at SAP');
    await waitFor(
      async () => (await serial('SN-1002')).body.state.state === 'in-stock',
      'SN-1002 received at the store',
    );
    for (const s of ['SN-1001', 'SN-1002']) {
      const { body } = await serial(s);
      expect(body.state).toMatchObject({ material: '4711', serial: s, state: 'in-stock', site: 'S0124' });
      const moves = body.history.map((h) => h.movement);
      expect(moves).toContain('shipped');
      expect(moves[moves.length - 1]).toBe('received');
      // the receipt is counted once: from the scan, not again from the MBGMCR03 built from it
      expect(moves.filter((m) => m === 'received')).toHaveLength(1);
      expect(body.history.find((h) => h.movement === 'received')!.messageId).toBe(scanId);
      expect(body.history.find((h) => h.movement === 'shipped')).toMatchObject({
        fromSite: 'DC01',
        toSite: 'S0124',
      });
      expect(body.alerts).toEqual([]);
    }
  });

  it('recall by delivery answers JSON and CSV with the serials’ current place', async () => {
    const post = (format: string) =>
      fetch(`${e.url}/api/serials/recall${format}`, {
        method: 'POST',
        headers: { ...ops, 'content-type': 'application/json' },
        body: JSON.stringify({ delivery: '0080001234' }),
      });
    const json = (await (await post('')).json()) as {
      total: number;
      rows: { serial: string; state: string; site: string }[];
    };
    expect(json.total).toBe(2);
    expect(json.rows.map((i) => [i.serial, i.state, i.site])).toEqual([
      ['SN-1001', 'in-stock', 'S0124'],
      ['SN-1002', 'in-stock', 'S0124'],
    ]);
    const csv = await post('?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^"?4711"?,"?SN-1001"?,"?in-stock"?,"?S0124"?/);

    const byRange = (await (
      await fetch(`${e.url}/api/serials/recall`, {
        method: 'POST',
        headers: { ...ops, 'content-type': 'application/json' },
        body: JSON.stringify({ material: '000000000000004711', range: { from: 'SN-1001', to: 'SN-1009' } }),
      })
    ).json()) as { total: number };
    expect(byRange.total).toBe(2);
  });

  it('captures the ledger events to the EPCIS repository', async () => {
    const eventsFor = (serialNo: string) =>
      e.epcis.received
        .flatMap(
          (r) => (r.json as { epcisBody: { eventList: Record<string, unknown>[] } }).epcisBody.eventList,
        )
        .filter((ev) => ev['idocgate:serial'] === serialNo);
    await waitFor(() => eventsFor('SN-1001').length >= 2, 'SN-1001 events at the EPCIS repository');
    expect(eventsFor('SN-1001').map((ev) => ev['bizStep'])).toEqual(['shipping', 'receiving']);
    expect(e.epcis.received[0]!.headers['content-type']).toBe('application/ld+json');
  });

  it('open alerts are counted in /metrics by rule and severity', async () => {
    const metrics = async () => (await fetch(`${e.url}/metrics`)).text();
    expect(await metrics()).toMatch(
      /idocgate_serial_alerts_open\{rule="receivedTwice",severity="warning"\} 0/,
    );
    // the same serial received again at the store where it already is: receivedTwice
    const again = await fetch(`${e.url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
      body: RECEIPT.replace('HH-LEDGER-0001', 'HH-LEDGER-0002').replace(
        /"scannedAt":"[^"]+"/,
        `"scannedAt":"${new Date(Date.now() + 60_000).toISOString()}"`,
      ),
    });
    expect(again.status).toBe(202);
    await waitFor(
      async () =>
        /idocgate_serial_alerts_open\{rule="receivedTwice",severity="warning"\} 2/.test(await metrics()),
      'two receivedTwice alerts in /metrics',
    );
    expect(await metrics()).toMatch(
      /idocgate_serial_alerts_acknowledged\{rule="twoPlaces",severity="critical"\} 0/,
    );
  });
});
