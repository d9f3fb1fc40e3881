/**
 * Forecasts & stock in Chromium (issue 15, item 3) against the real gateway: 70 days of serial
 * traffic (DC01 → three stores, sales, returns, repairs) go through the gateway's own serial
 * ledger, deliveries with measured lead times sit in the delivery ledger, and two forecast runs
 * are stored (one 28 days ago, so its horizon has observed days; one as of today). The screen
 * plots the forecast with its interval next to the observed demand (the numbers drawn are the
 * API's), the lead-time distribution per lane, and the projected stock with the order-up-to level;
 * each CSV download is the API's CSV.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf, addDays } from '../../src/forecast/demand.js';
import { runForecasts } from '../../src/forecast/run.js';
import { forecastPort } from '../../src/store/analytics/forecast-repo.js';
import { basicAuth, waitFor } from '../e2e/helpers.js';
import { deliverMessage } from '../ledger/support.js';
import { generateTraffic, TRAFFIC_LEDGER_CONFIG } from '../ledger/traffic.js';
import {
  browserAvailable,
  buildConsole,
  launchChromium,
  OPERATOR,
  SCREENSHOTS,
  startConsoleEnv,
  type ConsoleEnv,
} from './harness.js';

const run = process.env.CI === 'true' || browserAvailable();
if (!run) console.warn('forecast browser tests SKIPPED: /usr/bin/chromium is not installed');

let env: ConsoleEnv;
let browser: Browser;
const today = dayOf(new Date());
const start = new Date(`${addDays(today, -72)}T00:00:00Z`);
const firstAsOf = addDays(today, -30);

const api = async (path: string): Promise<Response> =>
  fetch(`${env.url}${path}`, { headers: { authorization: basicAuth(OPERATOR.username, OPERATOR.password) } });

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1100 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('User').fill(OPERATOR.username);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('operator-name').waitFor();
  return page;
}

async function downloaded(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  const path = await download.path();
  return readFile(path, 'utf8');
}

describe.skipIf(!run)('forecasts and stock in Chromium', () => {
  beforeAll(async () => {
    await buildConsole();
    env = await startConsoleEnv('forecast', { ledger: { ...TRAFFIC_LEDGER_CONFIG, rules: {} } });
    browser = await launchChromium();
    const traffic = generateTraffic({ serials: 90, days: 70, seed: 15, start });
    const ids: string[] = [];
    for (const m of traffic) ids.push(await deliverMessage(env.app.store, m));
    const db = env.app.store.db;
    // the gateway's serial ledger applies them (every 200 ms)
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM serial_ledger_applied WHERE message_id = ANY($1::uuid[])',
          [ids],
        );
        return rows[0]?.n === ids.length;
      },
      'the serial ledger to apply the traffic',
      60_000,
    );
    // deliveries DC01 -> S0123 received after 1, 1.5, 2, 3 and 6 days (goods issue 8:00)
    const lead = [1, 1.5, 2, 3, 6];
    for (const [i, days] of lead.entries()) {
      const gi = new Date(start.getTime() + (10 + i) * 86_400_000 + 8 * 3_600_000);
      await db.query(
        `INSERT INTO delivery_ledger (delivery, sap_delivery, origin_site, dest_site, goods_issue_at, due_at, state,
                                      created_at, updated_at)
         VALUES ($1, $1, 'DC01', 'S0123', $2, 'infinity', 'closed', now(), now())`,
        [`LT${i}`, gi],
      );
      await db.query(
        `INSERT INTO delivery_ledger_receipts (delivery, message_id, line, source, quantity, event_at, recorded_at, late)
         VALUES ($1, gen_random_uuid(), 1, 'handheld', 1, $2, now(), false)`,
        [`LT${i}`, new Date(gi.getTime() + days * 86_400_000)],
      );
    }
    await runForecasts(forecastPort(db), { asOf: firstAsOf, horizon: 28 });
    await runForecasts(forecastPort(db), { asOf: today, horizon: 28 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('plots the forecast of a run with its interval next to the observed demand, and downloads both as CSV', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: /Forecasts & stock/ }).click();
    const runs = (await (await api('/api/forecast-runs')).json()) as {
      items: { id: number; asOf: string }[];
    };
    expect(runs.items.map((r) => r.asOf)).toEqual([today, firstAsOf]);
    // the older run, article 4711 at S0123: its horizon lies in the observed traffic
    await page.getByTestId('run-select').click();
    await page.getByRole('option', { name: new RegExp(`as of ${firstAsOf}`) }).click();
    await page.getByTestId('series-select').click();
    await page.getByRole('option', { name: /^4711 @ S0123/ }).click();
    const chart = page.getByTestId('forecast-chart');
    await chart.waitFor();
    await expect.poll(() => chart.textContent()).toContain(`as of ${firstAsOf}`);

    const first = runs.items[1]!.id;
    const fc = (await (await api(`/api/forecasts?article=4711&site=S0123&run=${first}`)).json()) as {
      items: { day: string; mean: number; lower: number; upper: number }[];
    };
    const to = addDays(firstAsOf, 27);
    const demand = (await (
      await api(`/api/demand?article=4711&site=S0123&from=${addDays(firstAsOf, -56)}&to=${to}`)
    ).json()) as { items: { day: string; issued: number; censored: boolean }[] };
    expect(fc.items).toHaveLength(28);
    expect(demand.items).toHaveLength(84);
    // what is drawn: 28 forecast points, one observed point per observed day, the censored days apart
    const observed = demand.items.filter((d) => !d.censored).length;
    expect(await page.getByTestId('layer-forecast').getAttribute('data-points')).toBe('28');
    expect(await page.getByTestId('layer-actual').getAttribute('data-points')).toBe(String(observed));
    expect(await page.getByTestId('layer-censored').getAttribute('data-points')).toBe(
      String(demand.items.length - observed),
    );
    expect(await page.getByTestId('layer-interval').getAttribute('d')).toMatch(/^M.*Z$/);
    // the fit sentence counts the observed horizon days inside the interval
    const inHorizon = demand.items.filter((d) => d.day >= firstAsOf && !d.censored);
    const inside = inHorizon.filter((d) => {
      const f = fc.items.find((x) => x.day === d.day)!;
      return d.issued >= f.lower && d.issued <= f.upper;
    }).length;
    await expect
      .poll(() => page.getByTestId('forecast-fit').textContent())
      .toContain(`${inside} of ${inHorizon.length} observed days in the horizon inside the 90 % interval`);
    await page.screenshot({ path: join(SCREENSHOTS, 'forecast-vs-actuals.png'), fullPage: true });

    const csv = await downloaded(page, 'Forecast CSV');
    expect(csv).toBe(
      await (await api(`/api/forecasts?article=4711&site=S0123&run=${first}&format=csv`)).text(),
    );
    const demandCsv = await downloaded(page, 'Observed demand CSV');
    expect(demandCsv.split('\r\n')[0]).toBe('material,site,day,issued,onHand,censored');
    expect(demandCsv.trim().split('\r\n')).toHaveLength(85);

    // weekly: the run's weekly forecasts (fitted on 7-day buckets) next to the observed weeks
    await page.getByText('Weekly', { exact: true }).click();
    await expect.poll(() => chart.textContent()).toContain('weekly');
    const wk = (await (
      await api(`/api/forecasts?article=4711&site=S0123&run=${first}&grain=week`)
    ).json()) as {
      items: { day: string; mean: number; lower: number; upper: number }[];
    };
    expect(wk.items.map((w) => w.day)).toEqual([0, 7, 14, 21].map((d) => addDays(firstAsOf, d)));
    await expect.poll(() => page.getByTestId('layer-forecast').getAttribute('data-points')).toBe('4');
    // observed weeks: 8 before the as-of day and 4 in the horizon; a week with fewer than 4 days
    // with stock is censored, one with more is scaled to 7 days
    const byDay = new Map(demand.items.map((d) => [d.day, d]));
    const weeks = Array.from({ length: 12 }, (_, w) => {
      const days = Array.from({ length: 7 }, (_, k) => byDay.get(addDays(firstAsOf, (w - 8) * 7 + k))!);
      const seen = days.filter((d) => !d.censored);
      const sum = seen.reduce((a, d) => a + d.issued, 0);
      return {
        start: addDays(firstAsOf, (w - 8) * 7),
        value: seen.length < 4 ? null : (sum * 7) / seen.length,
      };
    });
    const observedWeeks = weeks.filter((w) => w.value !== null);
    expect(await page.getByTestId('layer-actual').getAttribute('data-points')).toBe(
      String(observedWeeks.length),
    );
    const wInside = observedWeeks.filter((w) => {
      const f = wk.items.find((x) => x.day === w.start);
      return f !== undefined && w.value! >= f.lower && w.value! <= f.upper;
    }).length;
    const wInHorizon = observedWeeks.filter((w) => w.start >= firstAsOf).length;
    await expect
      .poll(() => page.getByTestId('forecast-fit').textContent())
      .toContain(`${wInside} of ${wInHorizon} observed weeks in the horizon inside the 90 % interval`);
    await page.screenshot({ path: join(SCREENSHOTS, 'forecast-vs-actuals-weekly.png'), fullPage: true });
    const weeklyCsv = await downloaded(page, 'Forecast CSV');
    expect(weeklyCsv).toBe(
      await (await api(`/api/forecasts?article=4711&site=S0123&run=${first}&grain=week&format=csv`)).text(),
    );
    expect(weeklyCsv.trim().split('\r\n')).toHaveLength(5);
    await page.context().close();
  });

  it('shows the lead-time distribution of a lane with p50 and p90, and its CSV', async () => {
    const page = await signedIn();
    await page.goto(`${env.url}/console/forecasts`);
    await page.getByRole('tab', { name: 'Lead times' }).click();
    const table = page.getByTestId('lead-time-table');
    await table.waitFor();
    // 1, 1.5, 2, 3, 6 days: p50 2, p90 = 3 + 0.6 · 3 = 4.8 (type 7), max 6
    await expect.poll(() => table.textContent()).toContain('DC01 → S0123524.86');
    const bars = page.getByTestId('layer-deliveries').locator('rect');
    const counts = await bars.evaluateAll((els) => els.length);
    expect(counts).toBeGreaterThanOrEqual(4); // 1, 1.5, 2, 3 and 6 days fall in different buckets
    await page.getByTestId('layer-p90').waitFor({ state: 'attached' });
    await page.screenshot({ path: join(SCREENSHOTS, 'forecast-lead-times.png'), fullPage: true });
    const csv = await downloaded(page, 'Download CSV');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('delivery,originSite,destSite,goodsIssueAt,firstReceiptAt,days');
    expect(lines.slice(1).map((l) => Number(l.split(',')[5]))).toEqual([1, 1.5, 2, 3, 6]);
    await page.context().close();
  });

  it('projects the stock at a site with the order-up-to level and the stock-out day, and its CSV', async () => {
    const page = await signedIn();
    await page.goto(`${env.url}/console/forecasts`);
    await page.getByTestId('series-select').click();
    await page.getByRole('option', { name: /^4711 @ S0123/ }).click();
    await page.getByRole('tab', { name: 'Stock projection' }).click();
    await page.getByTestId('projection-chart').waitFor();
    const body = (await (await api('/api/stock-projection?article=4711&site=S0123')).json()) as {
      signal: {
        onHand: number;
        inTransit: number;
        orderUpTo: number;
        stockOutDay: string | null;
        leadTimeDays: number;
      };
      items: { projected: number; mean: number }[];
    };
    expect(body.items).toHaveLength(28);
    expect(body.signal.leadTimeDays).toBeCloseTo(4.8, 9);
    // projected stock = on hand + in transit − cumulative mean, day by day
    let cum = 0;
    for (const d of body.items) {
      cum += d.mean;
      expect(d.projected).toBeCloseTo(body.signal.onHand + body.signal.inTransit - cum, 9);
    }
    expect(await page.getByTestId('layer-projected').getAttribute('data-points')).toBe('28');
    await page.getByTestId('layer-order-up-to').waitFor({ state: 'attached' });
    const summary = (await page.getByTestId('projection-summary').textContent()) ?? '';
    expect(summary).toContain(`order-up-to ${body.signal.orderUpTo}`);
    expect(summary).toContain('4.8 days (p90)');
    if (body.signal.stockOutDay !== null) {
      expect(summary).toContain(`stock-out projected on ${body.signal.stockOutDay}`);
      await page.getByTestId('layer-stock-out').waitFor({ state: 'attached' });
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'forecast-stock-projection.png'), fullPage: true });
    const csv = await downloaded(page, 'Download CSV');
    expect(csv).toBe(await (await api('/api/stock-projection?article=4711&site=S0123&format=csv')).text());
    await page.context().close();
  });
});
