/**
 * The at-risk score on the console's Deliveries screen (issue 14, item 2) in Chromium against the
 * real gateway: a DESADV goods-issued two days ago to store S0124 (grace period 72 h: in transit)
 * gets its score and reason codes in the Risk column; "at risk only" keeps it while the model in
 * use scores it at or above sweeper.atRisk.threshold and hides it once a newer model scores it
 * below. The models are trained from hand-made ledger facts and stored as the CLI stores them.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures } from '../../src/intelligence/risk/features.js';
import { trainRiskModel } from '../../src/intelligence/risk/model.js';
import type { DeliveryFacts } from '../../src/intelligence/risk/types.js';
import { loadDeliveryFacts, saveRiskModel } from '../../src/store/analytics/intelligence-repo.js';
import { basicAuth, SAP_IN, waitFor } from '../e2e/helpers.js';
import {
  browserAvailable,
  buildConsole,
  desadvXml,
  launchChromium,
  OPERATOR,
  SCREENSHOTS,
  startConsoleEnv,
  type ConsoleEnv,
} from './harness.js';

const run = process.env.CI === 'true' || browserAvailable();
if (!run) console.warn('risk browser tests SKIPPED: /usr/bin/chromium is not installed');

let env: ConsoleEnv;
let browser: Browser;

/**
 * 80 past deliveries like `like` (same lane, quantities, confirmations) of which a share
 * `partialShare` came short (deterministic): the model learns a base rate, nothing else.
 */
function history(like: DeliveryFacts, partialShare: number): DeliveryFacts[] {
  const t0 = like.goodsIssueAt.getTime() - 80 * 86_400_000;
  const pick = like.pickedAt === null ? null : like.goodsIssueAt.getTime() - like.pickedAt.getTime();
  return Array.from({ length: 80 }, (_, i) => {
    const gi = t0 + i * 12 * 3_600_000;
    const partial = (i * partialShare) % 1 >= 1 - partialShare;
    return {
      ...like,
      delivery: String(81000000 + i),
      goodsIssueAt: new Date(gi),
      pickedAt: pick === null ? null : new Date(gi - pick),
      dueAt: new Date(gi + (like.dueAt.getTime() - like.goodsIssueAt.getTime())),
      receivedByDue: partial ? like.expectedQuantity - 1 : like.expectedQuantity,
      handlingUnitsMissingByDue: 0,
    };
  });
}

async function storeModel(delivery: string, partialShare: number): Promise<void> {
  const [like] = await loadDeliveryFacts(env.app.store.db, { deliveries: [delivery] });
  if (like === undefined) throw new Error(`${delivery} is not goods-issued in the ledger`);
  const model = trainRiskModel(buildFeatures(history(like, partialShare)));
  await saveRiskModel(env.app.store.db, {
    kind: model.kind,
    model,
    metrics: {},
    trainedAt: new Date(),
    trainedBy: 'test',
  });
}

async function signedIn(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('User').fill(OPERATOR.username);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('operator-name').waitFor();
  return page;
}

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${env.url}${path}`, {
    headers: { authorization: basicAuth(OPERATOR.username, OPERATOR.password) },
  });
  return (await res.json()) as T;
};

describe.skipIf(!run)('at-risk deliveries on the Deliveries screen in Chromium', () => {
  beforeAll(async () => {
    await buildConsole();
    env = await startConsoleEnv('risk', { sweeper: { stores: ['S0124'] } });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('risk column with reasons, and the at-risk filter', { timeout: 120_000 }, async () => {
    const { xml, delivery } = desadvXml(710, 'SN-RISK');
    const recent = /<NTANF>(\d{8})<\/NTANF>/.exec(xml)?.[1];
    expect(recent).toBeDefined();
    const res = await fetch(`${env.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(SAP_IN.username, SAP_IN.password),
        'content-type': 'application/xml',
      },
      body: xml.replace(
        '<NTENZ>140000</NTENZ>',
        `<NTENZ>140000</NTENZ><ISDD>${recent}</ISDD><ISDZ>080000</ISDZ>`,
      ),
    });
    expect(res.status).toBe(200);
    await waitFor(
      async () => {
        const d = await api<{ delivery?: { goodsIssueAt?: string | null } }>(`/api/deliveries/${delivery}`);
        return typeof d.delivery?.goodsIssueAt === 'string';
      },
      'the goods issue in the delivery ledger',
      30_000,
    );
    // no model yet: nothing scored, the screen says so
    expect(await api<{ modelVersion: number | null }>('/api/deliveries/at-risk')).toMatchObject({
      modelVersion: null,
      threshold: 0.3,
    });

    await storeModel(delivery, 0.8); // most past deliveries came short: a high score
    const scored = await api<{ deliveries: { delivery: string; probability: number; atRisk: boolean }[] }>(
      '/api/deliveries/at-risk',
    );
    const mine = scored.deliveries.find((d) => d.delivery === delivery);
    expect(mine?.probability, JSON.stringify(mine)).toBeGreaterThan(0.3);
    expect(mine?.atRisk).toBe(true);
    // the running gateway recorded what it scored (migration 0070)
    const recorded = await env.app.store.db.query<{ probability: number; scored_by: string }>(
      'SELECT probability, scored_by FROM risk_scores WHERE delivery = $1',
      [delivery],
    );
    expect(recorded.rows).toEqual([{ probability: mine!.probability, scored_by: 'at-risk-api' }]);

    const page = await signedIn();
    await page.goto(`${env.url}/console/deliveries`);
    const table = page.getByTestId('deliveries-table');
    const row = table.locator('tr', { hasText: delivery });
    await row.waitFor();
    const cell = row.getByTestId('risk-cell');
    await cell.waitFor();
    expect(await cell.getAttribute('data-risk')).toBe('at-risk');
    expect(await cell.textContent()).toContain(`${Math.round(mine!.probability * 100)} %`);
    expect((await row.getByTestId('risk-reasons').textContent())?.length ?? 0).toBeGreaterThan(3);
    await page.getByTestId('at-risk-only').check();
    await row.waitFor();
    // the sweeper's preview: likely to need a pushback
    await page.getByTestId('sweeper-at-risk').getByText(delivery).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'deliveries-risk.png'), fullPage: true });

    await storeModel(delivery, 0.05); // a newer model: hardly any delivery came short
    const after = await api<{ deliveries: { delivery: string; probability: number; atRisk: boolean }[] }>(
      '/api/deliveries/at-risk',
    );
    const now = after.deliveries.find((d) => d.delivery === delivery);
    expect(now?.atRisk, JSON.stringify(now)).toBe(false);
    await page.reload();
    await page.getByTestId('deliveries-table').locator('tr', { hasText: delivery }).waitFor();
    await page.getByTestId('at-risk-only').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'deliveries-risk-filtered.png'), fullPage: true });
    await page.getByText(/no at-risk in transit deliveries/i).waitFor();
    expect(await table.locator('tr', { hasText: delivery }).count()).toBe(0);
    await page.getByTestId('at-risk-only').uncheck();
    const again = page.getByTestId('deliveries-table').locator('tr', { hasText: delivery });
    await again.getByTestId('risk-cell').waitFor();
    expect(await again.getByTestId('risk-cell').getAttribute('data-risk')).toBe('ok');
  });
});
