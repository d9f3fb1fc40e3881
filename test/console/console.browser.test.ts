/**
 * The operations console in a real browser (Debian's Chromium via playwright-core) against the
 * real gateway: sign in; find a dead message by serial, open it, fix a segment field, replay it
 * and see it delivered; bulk replay by filter with a dry-run count and progress; a viewer sees no
 * operator actions and the API refuses them (403). Screenshots of the main screens go to
 * test-artifacts/screenshots/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlerts } from '../../src/store/serials/repo.js';
import { basicAuth, KEYS, waitFor } from '../e2e/helpers.js';
import {
  browserAvailable,
  buildConsole,
  closeSuite,
  delvry07Xml,
  desadvXml,
  launchChromium,
  OPERATOR,
  postSapIdoc,
  SCREENSHOTS,
  startConsoleEnv,
  VIEWER,
  type ConsoleEnv,
} from './harness.js';

const inCi = process.env.CI === 'true';
const run = inCi || browserAvailable();
if (!run)
  console.warn(
    'console browser tests SKIPPED: /usr/bin/chromium is not installed (apt-get install chromium); in CI they always run',
  );

let env: ConsoleEnv;
let browser: Browser;
const foreignRequests: string[] = [];

const postIdoc = (xml: string): Promise<string> => postSapIdoc(env, xml);

const status = async (id: string) => (await env.app.store.get(id))?.status;

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(env.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreignRequests.push(u);
  });
  return page;
}

async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('User').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('operator-name').waitFor();
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe.skipIf(!run)('operations console in Chromium', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    await buildConsole();
    const t1 = Date.now();
    env = await startConsoleEnv('console');
    const t2 = Date.now();
    browser = await launchChromium();
    console.log(
      `console suite set-up: build ${t1 - t0} ms, app ${t2 - t1} ms, chromium ${Date.now() - t2} ms`,
    );
  }, 120_000);

  afterAll(() => closeSuite('console', browser, env), 90_000);

  it('serves the app with long-cached hashed assets, a deep-link fallback and a same-origin-only policy', async () => {
    const index = await fetch(`${env.url}/console/messages/some-id`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${env.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    expect((await fetch(`${env.url}/console/assets/missing-abc.js`)).status).toBe(404);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('sign-in: a wrong password is refused, the operator gets in', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await newPage(context);
    await page.goto(`${env.url}/console/`);
    await page.getByLabel('User').fill(OPERATOR.username);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toContain('AUTH_REQUIRED');
    await shot(page, '01-sign-in');
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('operator-role').textContent()).toBe('operator');
    await context.close();
  });

  it('finds a dead message by serial, fixes a segment field, replays it and sees it delivered', async () => {
    const id = await postIdoc(delvry07Xml(1, { serialPrefix: 'SN-CONSOLE-A', plant: '9999' }));
    await waitFor(async () => (await status(id)) === 'dead', 'the mapping failure dead letter');
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await newPage(context);
    await signIn(page, OPERATOR);

    await page.getByLabel('Serial number').fill('SN-CONSOLE-A-1');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`tr[data-message-id="${id}"]`);
    await row.waitFor();
    expect(await page.locator('[data-testid="messages-table"] tbody tr').count()).toBe(1);
    expect(await row.locator('[data-status]').textContent()).toBe('dead · 68');
    await expect
      .poll(() => page.locator('[data-status-count="dead"]').first().textContent())
      .toMatch(/dead 1/);
    await shot(page, '02-messages-by-serial');

    await row.click();
    await expect.poll(() => page.getByTestId('last-error').textContent()).toContain('MAPPING_FAILED');
    await shot(page, '03-message-control-record');
    await page.getByRole('tab', { name: /Status timeline/ }).click();
    await page.getByTestId('timeline').waitFor();
    await shot(page, '04-message-timeline');
    await page.getByRole('tab', { name: 'Segments' }).click();
    await page.getByTestId('segment-tree').waitFor();
    // field descriptions from the definition beside the values
    await expect.poll(() => page.getByTestId('segment-tree').textContent()).toMatch(/Plant/i);
    await shot(page, '05-message-segment-tree');
    await page.getByRole('tab', { name: 'Raw payload' }).click();
    await page.locator('label', { hasText: /^flat$/ }).click();
    await expect.poll(() => page.getByTestId('payload-view').textContent()).toMatch(/^EDI_DC40/);

    await page.getByTestId('edit-button').click();
    const plants = page.locator('input[data-field="WERKS"]');
    await plants.first().waitFor();
    const n = await plants.count();
    expect(n).toBe(2);
    for (let i = 0; i < n; i++) await plants.nth(i).fill('1000');
    await shot(page, '06-message-edit-fields');
    await page.getByTestId('replay-edited-button').click();
    await page.getByLabel(/Reason/).fill('plant 9999 corrected to 1000');
    await page.getByRole('button', { name: 'Store version and replay' }).click();

    await waitFor(async () => (await status(id)) === 'delivered', 'delivery after the edited replay');
    await expect
      .poll(() => page.locator('[data-status]').first().getAttribute('data-status'), { timeout: 15_000 })
      .toBe('delivered');
    const kinds = (await env.app.store.versions(id)).map((v) => v.kind);
    expect(kinds).toContain('edited');
    expect(env.wms.received.some((r) => r.body.toString('utf8').includes('80200001'))).toBe(true);
    const edited = (await env.app.store.versions(id)).find((v) => v.kind === 'edited');
    expect(String(edited?.content)).not.toContain('9999');

    await page.getByRole('tab', { name: /Diff versions/ }).click();
    await expect.poll(() => page.getByTestId('version-diff').textContent()).toContain('- ');
    expect(await page.locator('.diff-add').count()).toBeGreaterThan(0);
    await shot(page, '07-message-diff');
    await page.getByRole('tab', { name: /Audit/ }).click();
    await expect.poll(() => page.getByTestId('audit-table').textContent()).toContain('plant 9999 corrected');
    await context.close();
  });

  it('bulk replay by filter: dry-run count, throttled job with progress, all delivered', async () => {
    env.wms.setBehaviour({ failFirst: 3, status: 400 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await postIdoc(delvry07Xml(10 + i, { serialPrefix: `SN-BULK-${i}` })));
    await waitFor(
      async () => (await Promise.all(ids.map(status))).every((s) => s === 'dead'),
      'three dead letters',
    );

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await newPage(context);
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: /Dead letters/ }).click();
    await expect
      .poll(() => page.getByTestId('dead-letter-groups').textContent())
      .toContain('TRANSPORT_HTTP_4XX');
    await shot(page, '08-dead-letters');

    await page.goto(`${env.url}/console/messages?status=dead&errorCode=TRANSPORT_HTTP_4XX`);
    await expect.poll(() => page.locator('[data-testid="messages-table"] tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: 'Bulk replay…' }).click();
    await page.getByRole('button', { name: 'Count (dry run)' }).click();
    await expect.poll(() => page.getByTestId('bulk-dry-run-count').textContent()).toContain('3 message(s)');
    await page.getByLabel('Throttle (messages per second)').fill('5');
    await page.getByLabel(/Reason/).fill('WMS accepted the orders again');
    await page.getByRole('button', { name: 'Start bulk replay' }).click();
    await expect.poll(() => page.getByTestId('bulk-state').textContent(), { timeout: 15_000 }).toBe('done');
    expect(await page.getByTestId('bulk-counts').textContent()).toContain('3 of 3');
    await shot(page, '09-bulk-replay-done');
    await waitFor(
      async () => (await Promise.all(ids.map(status))).every((s) => s === 'delivered'),
      'all delivered',
    );
    const audit = await env.app.store.audit({ action: 'bulk-replay' });
    expect(audit.length).toBeGreaterThanOrEqual(1);
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: /Audit log/ }).click();
    await expect
      .poll(() => page.getByTestId('audit-table').textContent())
      .toContain('WMS accepted the orders again');
    await shot(page, '10-audit-log');
    await page.getByRole('link', { name: /Overview/ }).click();
    await expect.poll(() => page.getByTestId('partners').textContent()).toContain('WMSEAST');
    await page.waitForSelector('.uplot');
    await shot(page, '11-overview');
    await page.getByRole('link', { name: /Deliveries/ }).click();
    await page.getByRole('heading', { name: 'Deliveries & pushback' }).waitFor();
    await shot(page, '12-deliveries');
    await page.getByRole('link', { name: /Serials/ }).click();
    await page.getByRole('heading', { name: 'Serials', exact: true }).waitFor();
    await shot(page, '13-serials');
    await context.close();
  });

  it('a viewer sees no operator actions, and the API refuses them with 403', async () => {
    const id = (await env.app.store.search({ serial: 'SN-CONSOLE-A-1' }, { limit: 1 })).items[0]?.id;
    expect(id).toBeDefined();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await newPage(context);
    await signIn(page, VIEWER);
    expect(await page.getByTestId('operator-role').textContent()).toBe('viewer');
    await page.locator('[data-testid="messages-table"] tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Bulk replay…' }).count()).toBe(0);
    await page.goto(`${env.url}/console/messages/${id}`);
    await page.getByTestId('search-keys').waitFor();
    expect(await page.getByTestId('replay-button').count()).toBe(0);
    expect(await page.getByTestId('edit-button').count()).toBe(0);
    expect(await page.getByTestId('cancel-button').count()).toBe(0);
    await shot(page, '14-viewer-message');

    // the same session token the browser holds
    const token = await page.evaluate("sessionStorage.getItem('idocgate.session')");
    expect(token).toMatch(/^igs_/);
    const replay = await fetch(`${env.url}/api/messages/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'viewer tries' }),
    });
    expect(replay.status).toBe(403);
    expect(((await replay.json()) as { code: string }).code).toBe('FORBIDDEN');
    const bulk = await fetch(`${env.url}/api/bulk-replays`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: {}, reason: 'viewer tries', dryRun: true }),
    });
    expect(bulk.status).toBe(403);
    const read = await fetch(`${env.url}/api/console/meta`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.status).toBe(200);
    await context.close();
  });

  it('serials: a serial’s history, a recall with CSV download; deliveries: expected vs received', async () => {
    const { xml, delivery } = desadvXml(900, 'SN-LEDGER');
    const id = await postIdoc(xml);
    await waitFor(async () => (await status(id)) === 'delivered', 'the DESADV delivered');
    const scan = await fetch(`${env.url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
      body: JSON.stringify({
        scanId: 'HH-CONSOLE-LEDGER-1',
        site: 'S0124',
        movement: { kind: 'receipt-delivery', delivery },
        items: [
          { article: '4711', quantity: 1, unit: 'PCE', deliveryItem: '10', serialNumbers: ['SN-LEDGER-1'] },
        ],
        device: 'TC52-0042',
        user: 'jdoe',
        scannedAt: new Date().toISOString(),
      }),
    });
    expect(scan.status).toBe(202);
    const auth = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };
    await waitFor(async () => {
      const r = await fetch(`${env.url}/api/serials/SN-LEDGER-1`, { headers: auth });
      return (
        r.status === 200 && ((await r.json()) as { state: { state: string } }).state.state === 'in-stock'
      );
    }, 'SN-LEDGER-1 received in the serial ledger');

    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    const page = await newPage(context);
    await signIn(page, OPERATOR);
    // a custody-path alert on the serial, as the ledger's sweep raises it
    await insertAlerts(
      env.app.store.db,
      [
        {
          rule: 'custodyPath',
          severity: 'warning',
          material: '4711',
          serial: 'SN-LEDGER-1',
          summary: 'Serial SN-LEDGER-1 (material 4711): its path as one unit has probability 1.0e-4',
          dedupeKey: 'path',
          evidence: { events: [], details: { probability: 1e-4, threshold: 0.003, modelVersion: 1 } },
          at: new Date(),
        },
      ],
      new Date(),
    );
    await page.getByRole('link', { name: /^Serials/ }).click();
    // the alert list names the rule in words, with what it means as the tooltip
    const rule = page.locator('[data-testid="alert-rule"][data-rule="custodyPath"]');
    await expect.poll(() => rule.textContent()).toBe('Custody path');
    expect(await rule.getAttribute('title')).toMatch(
      /improbable as one unit whose scans are sometimes missed/,
    );
    await page.getByLabel('Serial number').fill('SN-LEDGER-1');
    await page.getByRole('button', { name: 'Look up' }).click();
    const history = page.getByTestId('serial-history');
    await expect.poll(() => history.textContent()).toContain('received');
    const historyText = (await history.textContent()) ?? '';
    expect(historyText).toContain('shipped');
    expect(historyText).toContain('S0124');
    // the current state in words, and the journey as a picture: DC01 -> (shipped) -> S0124 (received)
    expect(await page.getByTestId('serial-state').textContent()).toContain('in stock at S0124');
    const journey = page.getByTestId('serial-journey');
    expect(
      await journey
        .locator('[data-place]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-place'))),
    ).toEqual(['DC01', 'S0124']);
    expect(await journey.textContent()).toContain('shipped');
    // the serial's own alerts name the rule in words too
    await expect.poll(() => page.getByTestId('serial-alerts').textContent()).toContain('Custody path');

    await page.getByText('by delivery').click();
    await page.getByLabel('Delivery', { exact: true }).fill(delivery);
    await page.getByRole('button', { name: 'Run recall' }).click();
    const recallRows = page.getByTestId('recall-rows');
    await expect.poll(() => recallRows.textContent()).toContain('SN-LEDGER-2');
    const recallText = (await recallRows.textContent()) ?? '';
    expect(recallText).toContain('in stock');
    expect(recallText).toContain('in transit');
    // human headers, not field names
    expect(await recallRows.locator('th').allTextContents()).toEqual([
      'Article',
      'Serial number',
      'State',
      'Where',
      'Delivery',
      'Handling unit',
      'Last movement',
    ]);
    await shot(page, '08-serials');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('recall.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^material,serial,state,site/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^4711,SN-LEDGER-1,in-stock,S0124,/),
      expect.stringMatching(/^4711,SN-LEDGER-2,in-transit,/),
    ]);

    // the same delivery on the Deliveries screen: expected vs received per serial — once the
    // delivery ledger's own catch-up (a periodic job, independent of the serial ledger) has it
    await waitFor(async () => {
      const r = await fetch(`${env.url}/api/deliveries/${delivery}`, { headers: auth });
      if (r.status !== 200) return false;
      const body = (await r.json()) as { delivery: { view: string }; totals: { received: number } };
      return body.delivery.view === 'partially-received' && body.totals.received === 1;
    }, 'the delivery ledger has the delivery, partially received');
    await page.getByRole('link', { name: /^Deliveries/ }).click();
    // one of its two serials received: partially received
    await page.getByText(/^partially received \(/).click();
    const table = page.getByTestId('deliveries-table');
    await expect.poll(() => table.textContent()).toContain(delivery);
    await table.getByText(delivery).click();
    const detail = page.getByTestId('delivery-detail');
    await expect.poll(() => detail.textContent()).toContain('SN-LEDGER-2');
    const detailText = (await detail.textContent()) ?? '';
    expect(detailText).toContain('expected vs received');
    expect(detailText).toContain('SN-LEDGER-1');
    await shot(page, '09-delivery-expected-vs-received');
    await context.close();
  });

  it("SAP's feedback: a rejection (51) with SAP's message on the message and the dead-letters screen; fix, replay, posted", async () => {
    let reject = true;
    env.sap.setBehaviour({
      reject: (idoc) =>
        reject && /<MATERIAL>0*4798</.test(idoc.xml)
          ? {
              text: 'Deficit of SL Unrestricted-use stock &1 &2 &3',
              id: 'M7',
              number: '021',
              params: ['4798', 'S0124', '0001'],
            }
          : undefined,
    });
    const res = await fetch(`${env.url}/in/handheld-goods-movement`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
      body: JSON.stringify({
        scanId: 'HH-CONSOLE-SAP-51',
        site: 'S0124',
        movement: { kind: 'receipt-delivery', delivery: '180000951' },
        items: [
          { article: '4798', quantity: 1, unit: 'PCE', deliveryItem: '10', serialNumbers: ['SN-SAP51-1'] },
        ],
        device: 'TC52-0042',
        user: 'jdoe',
        scannedAt: new Date().toISOString(),
      }),
    });
    expect(res.status).toBe(202);
    const id = ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
    await waitFor(async () => (await status(id)) === 'sap-error', 'SAP rejected it (51)');

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await newPage(context);
    await signIn(page, OPERATOR);
    await page.getByRole('link', { name: /^Dead letters/ }).click();
    const groups = page.getByTestId('dead-letter-groups');
    await expect.poll(() => groups.textContent()).toContain('SAP/M7/021');
    expect(await groups.textContent()).toContain('Deficit of SL Unrestricted-use stock 4798 S0124 0001');
    expect(await groups.textContent()).toContain('sap-error');
    await shot(page, '10-sap-errors');

    await page.goto(`${env.url}/console/messages/${id}`);
    await expect.poll(() => page.getByTestId('last-error').textContent()).toContain('SAP/M7/021');
    await page.getByRole('tab', { name: /Status timeline/ }).click();
    await expect.poll(() => page.locator('body').textContent()).toContain('SAP status 51');
    await shot(page, '11-message-sap-error');
    // the stock is corrected in SAP: replay from the console
    reject = false;
    await page.getByTestId('replay-button').click();
    await page.getByLabel(/Reason/).fill('stock corrected in SAP (MIGO 561)');
    await page.getByRole('dialog').getByRole('button', { name: 'Replay', exact: true }).click();
    await waitFor(async () => (await status(id)) === 'posted', 'posted after the replay');
    await expect
      .poll(() => page.getByTestId('sap-feedback').textContent(), { timeout: 15_000 })
      .toContain('BUS2017');
    await shot(page, '12-message-posted');
    await context.close();
  });

  it('loaded nothing from any other origin', () => {
    expect(foreignRequests).toEqual([]);
  });
});
