/**
 * Deliveries as pictures in Chromium (issue 16, item 3) against the real gateway with the pushback
 * sweeper on: a delivery goods-issued two days ago (E1EDT13 006 with its actual ISDD) of which the
 * store received one of two serials shows its items as expected/received bars and its serials as
 * a checklist (received, missing); "Run sweeper now" (shown because the sweeper is enabled) pushes
 * it back, and the timeline shows the receipt and the pushback postings with SAP's status (posted
 * · 53 once the fake SAP's ALE audit came back). The list shows readable states.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEpcis } from '../../src/ledger/serials/epcis/validate.js';
import { basicAuth, KEYS, waitFor } from '../e2e/helpers.js';
import {
  browserAvailable,
  buildConsole,
  closeSuite,
  desadvXml,
  launchChromium,
  OPERATOR,
  postSapIdoc,
  SCREENSHOTS,
  signedInPage,
  startConsoleEnv,
  type ConsoleEnv,
} from './harness.js';

const run = process.env.CI === 'true' || browserAvailable();
if (!run) console.warn('delivery browser tests SKIPPED: /usr/bin/chromium is not installed');

let env: ConsoleEnv;
let browser: Browser;
/** The delivery the first test pushes back (the recall downloads read its serials). */
let pictured = '';

const postIdoc = (xml: string): Promise<string> => postSapIdoc(env, xml);
const signedIn = (): Promise<Page> => signedInPage(browser, env, { height: 1000 });

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${env.url}${path}`, {
    headers: { authorization: basicAuth(OPERATOR.username, OPERATOR.password) },
  });
  return (await res.json()) as T;
};

describe.skipIf(!run)('deliveries as pictures in Chromium', () => {
  beforeAll(async () => {
    await buildConsole();
    env = await startConsoleEnv('deliveries', {
      sweeper: { enabled: true, gracePeriod: '1h', port: 'S4H', stores: ['S0124'], schedule: '0 0 1 1 *' },
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(() => closeSuite('deliveries', browser, env), 90_000);

  it(
    'expected vs received as bars and a checklist; the pushback on a timeline with SAP statuses',
    { timeout: 120_000 },
    async () => {
      const { xml, delivery } = desadvXml(700, 'SN-PIC');
      pictured = delivery;
      const recent = /<NTANF>(\d{8})<\/NTANF>/.exec(xml)?.[1];
      expect(recent).toBeDefined();
      // a replenishment delivery of STO 4500007000 (E1EDL24 VGBEL/VGPOS: the 101 quotes it);
      // the actual goods issue at the DC: the grace period (1 h) starts here, two days ago
      await postIdoc(
        xml
          .replace(
            /(<E1EDL24 SEGMENT="1">\s*<POSNR>(\d+)<\/POSNR>)/g,
            '$1<VGBEL>4500007000</VGBEL><VGPOS>$2</VGPOS>',
          )
          .replace('<NTENZ>140000</NTENZ>', `<NTENZ>140000</NTENZ><ISDD>${recent}</ISDD><ISDZ>080000</ISDZ>`),
      );
      const scan = await fetch(`${env.url}/in/handheld-goods-movement`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.handheld, 'content-type': 'application/json' },
        body: JSON.stringify({
          scanId: 'HH-PIC-1',
          site: 'S0124',
          movement: { kind: 'receipt-delivery', delivery },
          items: [
            { article: '4711', quantity: 1, unit: 'PCE', deliveryItem: '10', serialNumbers: ['SN-PIC-1'] },
          ],
          device: 'TC52-0042',
          user: 'jdoe',
          scannedAt: new Date().toISOString(),
        }),
      });
      expect(scan.status).toBe(202);
      await waitFor(
        async () => {
          const d = await api<{ delivery?: { state?: string } }>(`/api/deliveries/${delivery}`);
          return d.delivery?.state === 'partial';
        },
        'the receipt in the delivery ledger',
        30_000,
      );

      const page = await signedIn();
      await page.goto(`${env.url}/console/deliveries`);
      await page.locator('label[for$="-overdue"]').click();
      const row = page.getByTestId('deliveries-table').getByText(delivery);
      await row.waitFor();
      // readable states, not ledger words
      expect(
        await page.getByTestId('deliveries-table').getByText('overdue', { exact: true }).count(),
      ).toBeGreaterThan(0);
      await row.click();
      const detail = page.getByTestId('delivery-detail');
      await detail.waitFor();
      expect(await detail.getByText('partially received', { exact: true }).count()).toBeGreaterThan(0);
      // serials as a checklist: one received, one missing
      const checklist = page.getByTestId('serial-checklist');
      await checklist.locator('[data-mark="received"]').getByText('SN-PIC-1').waitFor();
      await checklist.locator('[data-mark="missing"]').getByText('SN-PIC-2').waitFor();
      // items as bars
      expect(await page.getByTestId('delivery-items').getByTestId('expected-bar').count()).toBeGreaterThan(0);
      expect(await detail.getByText(/1 received/).count()).toBeGreaterThan(0);
      expect(await detail.getByText(/1 outstanding/).count()).toBeGreaterThan(0);
      expect(
        await page
          .getByTestId('delivery-timeline')
          .getByText(/received .*handheld scan/)
          .count(),
      ).toBe(1);
      await page.screenshot({ path: join(SCREENSHOTS, 'delivery-partial.png'), fullPage: true });

      // the sweeper is enabled: the operator may run it; its dry run lists what it would post
      expect(await page.getByTestId('sweeper-status').textContent()).toContain('enabled');
      const plan = page.getByTestId('sweeper-preview');
      await plan.getByText(delivery).waitFor();
      expect(await plan.locator('th').allTextContents()).toEqual([
        'Delivery',
        'From → to',
        'Due',
        'Outstanding',
        'Missing serials',
        'Would post',
      ]);
      expect(await plan.textContent()).toContain('DC01 → S0124');
      expect(await plan.textContent()).toContain('2 posting(s): receipt, transfer');
      await page.getByRole('button', { name: 'Run sweeper now' }).click();
      await waitFor(
        async () => {
          const d = await api<{
            delivery?: { state?: string };
            pushback: { postings: { messageId: string | null }[] } | null;
          }>(`/api/deliveries/${delivery}`);
          if (!d.pushback || d.pushback.postings.some((p) => p.messageId === null)) return false;
          const statuses = await Promise.all(
            d.pushback.postings.map(
              async (p) =>
                (await api<{ message: { status: string } }>(`/api/messages/${p.messageId}`)).message.status,
            ),
          );
          return statuses.every((s) => s === 'posted');
        },
        'both pushback postings posted by SAP',
        60_000,
      ).catch(async (err: unknown) => {
        const d = await api<{ pushback: { postings: { messageId: string | null }[] } | null }>(
          `/api/deliveries/${delivery}`,
        );
        const msgs = await Promise.all(
          (d.pushback?.postings ?? []).map((p) => api<unknown>(`/api/messages/${p.messageId ?? ''}`)),
        );
        const runs = await api<unknown>('/api/sweeper/preview');
        throw new Error(
          `${(err as Error).message}\n${JSON.stringify({ d, runs, msgs: msgs.map((m) => (m as { message?: unknown }).message) }, null, 1).slice(0, 6000)}`,
        );
      });
      const postings = page.getByTestId('pushback-posting');
      await waitFor(async () => (await postings.count()) === 2, 'the two postings on the timeline', 20_000);
      await waitFor(
        async () => (await postings.locator('[data-status="posted"]').count()) === 2,
        "SAP's status (posted · 53) on both postings",
        20_000,
      );
      expect(await postings.first().textContent()).toMatch(/posted · 53/);
      expect(
        await page
          .getByTestId('delivery-timeline')
          .getByText(/Pushback decided/)
          .count(),
      ).toBe(1);
      // the discrepancy for the freight claim in words
      await page
        .getByTestId('discrepancy')
        .getByText(/item 10, article 4711: 1 of 2 PCE missing — serials SN-PIC-2/)
        .waitFor();
      // the sweeper's runs and the freight-claim list: plain headers and sentences, never JSON
      const runs = page.getByTestId('sweeper-runs');
      await expect.poll(() => runs.locator('tbody tr').count()).toBeGreaterThan(0);
      expect(await runs.locator('th').allTextContents()).toEqual([
        'Started',
        'Finished',
        'Outcome',
        'Deliveries looked at',
        'Pushed back',
        'Postings',
        'Closed',
        'Error',
      ]);
      const claims = page.getByTestId('discrepancies');
      await claims.getByText(delivery).waitFor();
      expect(await claims.locator('th').allTextContents()).toEqual([
        'Delivery',
        'From → to',
        'Missing',
        'What is missing',
        'Resolution',
        'Recorded',
      ]);
      const claimText = (await claims.textContent()) ?? '';
      expect(claimText).toContain('item 10, article 4711: 1 of 2 PCE missing — serials SN-PIC-2');
      expect(claimText).toContain('DC01 → S0124');
      expect(claimText).not.toMatch(/[{}[\]"]/);
      await page.screenshot({ path: join(SCREENSHOTS, 'delivery-pushed-back.png'), fullPage: true });
      await page.context().close();
    },
  );

  it('recall by that delivery: a table, a CSV and an EPCIS 2.0 download of the serials’ events', async () => {
    expect(pictured).not.toBe('');
    const page = await signedIn();
    await page.goto(`${env.url}/console/serials`);
    await page.getByText('by delivery').click();
    await page.getByLabel('Delivery', { exact: true }).fill(pictured);
    await page.getByRole('button', { name: 'Run recall' }).click();
    await expect.poll(() => page.getByTestId('recall-rows').textContent()).toContain('SN-PIC-2');
    const save = async (button: string) => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
    };
    const csv = await save('Download CSV');
    expect(csv.name).toBe('recall.csv');
    expect(
      csv.text
        .trim()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',').slice(0, 2).join(','))
        .sort(),
    ).toEqual(['4711,SN-PIC-1', '4711,SN-PIC-2']);
    const epcis = await save('Download EPCIS 2.0');
    expect(epcis.name).toBe('recall.epcis.jsonld');
    const doc = JSON.parse(epcis.text) as {
      type: string;
      schemaVersion: string;
      epcisBody: { eventList: Record<string, unknown>[] };
    };
    // a valid EPCIS 2.0 document (the JSON schema subset the ledger's export is checked against)
    expect(validateEpcis(doc)).toEqual([]);
    expect([doc.type, doc.schemaVersion]).toEqual(['EPCISDocument', '2.0']);
    const steps = (serial: string) =>
      doc.epcisBody.eventList.filter((e) => e['idocgate:serial'] === serial).map((e) => e['bizStep']);
    // both serials shipped from the DC; SN-PIC-1 received by the store's handheld, SN-PIC-2 only
    // by the pushback (101 into HOLD, then moved on), in event-time order
    expect(steps('SN-PIC-1')).toEqual(['shipping', 'receiving']);
    expect(steps('SN-PIC-2')).toEqual(['shipping', 'receiving', 'storing']);
    expect(doc.epcisBody.eventList.every((e) => e['idocgate:material'] === '4711')).toBe(true);
    // the same events the ledger's EPCIS query API gives for these serials
    const api2 = await api<{ epcisBody: { eventList: { eventID: string; 'idocgate:serial': string }[] } }>(
      '/api/serials/epcis/events?perPage=1000',
    );
    expect(doc.epcisBody.eventList.map((e) => e['eventID']).sort()).toEqual(
      api2.epcisBody.eventList
        .filter((e) => e['idocgate:serial'].startsWith('SN-PIC-'))
        .map((e) => e.eventID)
        .sort(),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'serials-recall.png'), fullPage: true });
    await page.context().close();
  });
});
