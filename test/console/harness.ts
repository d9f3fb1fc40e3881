/**
 * Browser test set-up: the real gateway app (PGlite in a temp dir, BullMQ on the local Redis with
 * a prefix of its own, fake SAP and fake WMS webhook) with an operator and a viewer account, the
 * console built if needed, and Debian's Chromium driven by playwright-core (never a downloaded
 * browser).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { buildApp, type App } from '../../src/app.js';
import { hashPassword } from '../../src/api/credentials.js';
import { loadConfig } from '../../src/config/load.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import { createLogger } from '../../src/wiring/logging.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { basicAuth, deleteKeys, E2E_ENV, e2eConfig, OPERATOR, SAP_IN, uniquePrefix } from '../e2e/helpers.js';
import { captureLogs } from '../api/helpers.js';
import { startFakeSap, type FakeSap } from '../support/fake-sap.js';
import { seededDataDir } from '../support/pglite-template.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';

export const CHROMIUM = '/usr/bin/chromium';
export const VIEWER = { username: 'watcher', password: 'console-viewer-pw' } as const;
export { OPERATOR };
export const SCREENSHOTS = join(PROJECT_ROOT, 'test-artifacts', 'screenshots');

/** In CI the browser suite must run; elsewhere it is skipped when Chromium is not installed. */
export function browserAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Runs one step of a suite's tear-down, bounded: a step still closing after `limitMs` is named in
 * a warning and left behind (the test process ends with the suite), so one slow close on a loaded
 * CI machine neither fails the suite's hook nor hides which part was slow.
 */
export async function timedStep(label: string, step: () => Promise<void>, limitMs = 20_000): Promise<void> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'limit'>((resolve) => {
    timer = setTimeout(() => resolve('limit'), limitMs);
  });
  try {
    const outcome = await Promise.race([step().then(() => 'closed' as const), limit]);
    const ms = Date.now() - t0;
    if (outcome === 'limit') console.warn(`tear-down: ${label} still closing after ${ms} ms; left behind`);
    else if (ms > 2_000) console.warn(`tear-down: ${label} took ${ms} ms`);
  } finally {
    clearTimeout(timer);
  }
}

/** A browser suite's tear-down: Chromium, then the gateway and its fake receivers, each bounded. */
export async function closeSuite(
  label: string,
  browser: Browser | undefined,
  env: ConsoleEnv | undefined,
): Promise<void> {
  await timedStep(`${label}: chromium`, async () => browser?.close());
  await env?.close();
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds console/dist unless it is newer than the sources (console/build.mjs decides). */
export async function buildConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(PROJECT_ROOT, 'console', 'build.mjs')], {
    cwd: PROJECT_ROOT,
  });
}

export interface ConsoleEnv {
  readonly app: App;
  readonly url: string;
  readonly sap: FakeSap;
  readonly wms: FakeWebhook;
  close(): Promise<void>;
}

export interface ConsoleEnvOptions {
  /** More sweeper settings (the default: the ledger knows store S0124, the sweeper is off). */
  readonly sweeper?: Record<string, unknown>;
  /** More serial-ledger settings (merged over the default: store S0124, applied every 200 ms). */
  readonly ledger?: Record<string, unknown>;
}

export async function startConsoleEnv(label: string, options: ConsoleEnvOptions = {}): Promise<ConsoleEnv> {
  const sap = await startFakeSap();
  const wms = await startFakeWebhook();
  const prefix = uniquePrefix(label);
  const dir = await mkdtemp(join(tmpdir(), `idocgate-console-${label}-`));
  // PGlite from the migrated template (test/support/pglite-template.ts)
  const dataDir = await seededDataDir(join(dir, 'pglite'));
  const config = await e2eConfig(sap, wms, { prefix, dataDir });
  const wmsPartner = config.partners.wms;
  const withViewer = {
    ...config,
    // SAP reports back with its ALE audit (the fake SAP sends ALEAUD01, see below).
    ports: { S4H: { ...config.ports.S4H, feedback: { expect: 'ALEAUD', confirmWithin: '10m' } } },
    // SAP also sends DESADVs (goods issue with serials) to the WMS; the serial ledger knows store
    // S0124 by its ship-to number, so a DESADV to it is a transfer DC01 -> S0124.
    partners: {
      ...config.partners,
      wms: {
        ...wmsPartner,
        receives: [...wmsPartner.receives, { ...wmsPartner.receives[0]!, messageType: 'DESADV' }],
      },
    },
    ledger: { intervalMs: 200, sites: { S0124: { customers: ['0000100201'] } }, ...options.ledger },
    // ... and the delivery ledger knows the same ship-to as store S0124 (sweeper itself off)
    sweeper: { shipTo: { '0000100201': 'S0124' }, ...options.sweeper },
    operators: {
      ...config.operators,
      [VIEWER.username]: {
        role: 'viewer',
        passwordHash: await hashPassword(VIEWER.password, { N: 1024, r: 8, p: 1 }),
      },
    },
  };
  const file = join(dir, 'config.yaml');
  await writeFile(file, stringify(withViewer));
  const loaded = loadConfig({ file, env: E2E_ENV(sap) });
  const { stream, capture } = captureLogs();
  const app = await buildApp({
    loaded,
    logger: createLogger({ destination: stream, level: 'warn' }),
    tuning: { recoveryEveryMs: 500 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  sap.setAudit({ url: `${url}/sap/idoc-xml`, ...SAP_IN });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    app,
    url,
    sap,
    wms,
    async close() {
      await timedStep(`${label}: gateway`, () => app.close());
      // the gateway names a part that took more than 5 s to close (src/wiring/app.ts)
      for (const line of capture.lines)
        if (line.includes('still closing')) console.warn(`tear-down: ${line}`);
      await timedStep(`${label}: fake SAP`, () => sap.close());
      await timedStep(`${label}: fake WMS`, () => wms.close());
      await deleteKeys(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const definitions = loadDefinitions();
const SAMPLE = readFileSync(
  join(PROJECT_ROOT, 'fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
);
const BASE_XML = Buffer.from(convertIdocs(SAMPLE, 'xml', definitions).output).toString('utf8');

/**
 * The DELVRY07 (WHSORD) sample as IDoc-XML with its own DOCNUM, delivery and serials; `plant`
 * 9999 has no site in the mapping tables, so the mapping fails (a dead letter to fix by editing).
 */
export function delvry07Xml(n: number, options: { serialPrefix: string; plant?: string }): string {
  const docnum = String(330000 + n).padStart(16, '0');
  const delivery = String(80200000 + n).padStart(10, '0');
  let xml = BASE_XML.replaceAll('0000000000220931', docnum)
    .replaceAll('0080001234', delivery)
    .replaceAll('SN-1001', `${options.serialPrefix}-1`)
    .replaceAll('SN-1002', `${options.serialPrefix}-2`);
  if (options.plant) xml = xml.replaceAll('<WERKS>1000</WERKS>', `<WERKS>${options.plant}</WERKS>`);
  return xml;
}

/**
 * The same sample as a DESADV (goods issue DC01 -> store S0124, ship-to 0000100201) dated today,
 * with its own DOCNUM, delivery and serials: the serial ledger records the serials as shipped.
 */
export function desadvXml(n: number, serialPrefix: string): { xml: string; delivery: string } {
  // Two days ago: recent for the ledger's time rules, and before a receipt scanned now whatever
  // the hour and time zone (dated today, the shipment sorted after the receipt from midnight UTC on).
  const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const xml = delvry07Xml(n, { serialPrefix })
    .replace('<MESTYP>WHSORD</MESTYP>', '<MESTYP>DESADV</MESTYP>')
    .replaceAll(/2024030[24]/g, recent);
  return { xml, delivery: String(80200000 + n) };
}

/** Posts an IDoc-XML as SAP does (basic auth of the SAP inbound user); the stored message's id. */
export async function postSapIdoc(env: ConsoleEnv, xml: string): Promise<string> {
  const res = await fetch(`${env.url}/sap/idoc-xml`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(SAP_IN.username, SAP_IN.password),
      'content-type': 'application/xml',
    },
    body: xml,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`SAP inbound answered ${res.status}: ${text}`);
  const docnum = /stored: (\d{16})/.exec(text)?.[1];
  const id = (await env.app.store.search({ docnum: docnum ?? '' }, { limit: 1 })).items[0]?.id;
  if (!id) throw new Error(`message ${docnum} not stored`);
  return id;
}

/** A new browser context and page, signed in to the console as `user` (the operator by default). */
export async function signedInPage(
  browser: Browser,
  env: ConsoleEnv,
  options: { readonly user?: { username: string; password: string }; readonly height?: number } = {},
): Promise<Page> {
  const user = options.user ?? OPERATOR;
  const context = await browser.newContext({ viewport: { width: 1440, height: options.height ?? 900 } });
  const page = await context.newPage();
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('User').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('operator-name').waitFor();
  return page;
}
