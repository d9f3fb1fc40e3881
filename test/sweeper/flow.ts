/**
 * The stock-transport flow the pushback tests drive on the pipeline harness: SAP announces the
 * replenishment delivery of STO 4500000777 (DELVRY07 WHSORD), the DC confirms the goods issue
 * (WHSCON E1EDL18 PGI with the actual goods-issue date), the store scans one of its serials.
 */
import { expect, vi } from 'vitest';
import { writeXml } from '../../src/idoc/xml-writer.js';
import type { MessageStatus } from '../../src/pipeline/store-port.js';
import { startPushback, type PushbackRuntime } from '../../src/wiring/pushback.js';
import { definitions, delvry07, mappings, startHarness, type Harness } from '../pipeline/harness.js';
import { idocToCanonicalJson } from './json.js';
import { handheldReceipt, testSweeperConfig, type TestClock } from './support.js';

/** The pipeline harness with its workers and the pushback sweeper on port `sap`, at `clock`. */
export async function startPushbackHarness(
  label: string,
  clock: TestClock,
  options: { readonly feedback?: boolean } = {},
): Promise<{ h: Harness; pushback: PushbackRuntime }> {
  const h = await startHarness({
    label,
    retry: { attempts: 5, backoff: 20, maxBackoff: 100, jitter: 0 },
    ...options,
  });
  await h.startWorkers();
  const pushback = await startPushback({
    config: h.config,
    sweeper: testSweeperConfig({ port: 'sap' }),
    store: h.store,
    definitions,
    tables: mappings.tables,
    queue: h.queue,
    now: clock.now,
  });
  return { h, pushback };
}

export const WAIT = { timeout: 15_000, interval: 50 };
const fromSap = { kind: 'port', name: 'sap' } as const;
const handheld = { kind: 'partner', name: 'handheld' } as const;

/** MBGMCR03 bodies the fake SAP received for a delivery's pushback, in arrival order. */
export function pushbacksAt(h: Harness, delivery: string): { status: number; move: string }[] {
  return h.sap.received
    .map((r) => ({ status: r.status, xml: r.body.toString('utf8') }))
    .filter((r) => r.xml.includes('<MESTYP>MBGMCR</MESTYP>') && r.xml.includes(`PUSHBACK ${delivery}`))
    .map((r) => ({ status: r.status, move: /<MOVE_TYPE>(\d+)<\/MOVE_TYPE>/.exec(r.xml)?.[1] ?? '?' }));
}

/** The WHSORD sample as the replenishment delivery of STO 4500000777 (E1EDL24-VGBEL/VGPOS). */
function stoDeliveryXml(docnum: string, delivery: string): string {
  const idoc = delvry07(docnum, delivery);
  for (const item of idoc.segments[0]!.children.filter((c) => c.type === 'E1EDL24')) {
    item.fields['VGBEL'] = '4500000777';
    item.fields['VGPOS'] = item.fields['POSNR'] ?? '';
  }
  return writeXml(idoc);
}

/** The DC's goods-issue confirmation (WHSCON, E1EDL18 PGI, actual goods issue), delivered to SAP. */
async function goodsIssuedAtDc(h: Harness, delivery: string, isdd: string, isdz: string): Promise<void> {
  const json = idocToCanonicalJson({
    control: { IDOCTYP: 'DELVRY07', MESTYP: 'WHSCON', CREDAT: isdd, CRETIM: isdz },
    segments: [
      {
        type: 'E1EDL20',
        fields: { VBELN: delivery },
        children: [
          { type: 'E1EDL18', fields: { QUALF: 'PGI' }, children: [] },
          { type: 'E1EDT13', fields: { QUALF: '006', ISDD: isdd, ISDZ: isdz }, children: [] },
        ],
      },
    ],
  });
  const r = await h.store.receive({
    direction: 'out',
    channel: 'gateway:sap',
    idocType: 'DELVRY07',
    messageType: 'WHSCON',
    idempotencyKey: `whscon-pgi-${delivery}`,
    raw: { format: 'json', content: json },
    parsed: { format: 'json', content: json },
    by: 'test:dc-wms',
  });
  await h.store.transition(r.message.id, 'delivered', { by: 'test' });
}

/**
 * SAP's delivery, the DC's goods issue (unless `goodsIssue: false`) and a partial receipt scan of
 * SN-1001, each waited for until it is `settled` (the scan: delivered, or posted where SAP reports).
 */
export async function partialStoDelivery(
  h: Harness,
  docnum: string,
  delivery: string,
  options: { goodsIssue?: boolean; scanSettled?: MessageStatus } = {},
): Promise<void> {
  const statusOf = async (id: string): Promise<string | undefined> => (await h.store.get(id))?.status;
  const r = await h.runtime.ingest({
    channel: 'sap-xml-http',
    principal: fromSap,
    body: stoDeliveryXml(docnum, `00${delivery}`),
  });
  await vi.waitFor(async () => expect(await statusOf(r.messages[0]!.id)).toBe('delivered'), WAIT);
  if (options.goodsIssue !== false) await goodsIssuedAtDc(h, `00${delivery}`, '20240304', '140000');
  const scan = await h.runtime.ingest({
    channel: 'partner-json',
    principal: handheld,
    contract: 'handheld-goods-movement',
    body: JSON.stringify(
      handheldReceipt(`HH-${delivery}`, delivery, [
        { article: '4711', quantity: 1, deliveryItem: '10', serialNumbers: ['SN-1001'] },
      ]),
    ),
    contentType: 'application/json',
    idempotencyKey: `HH-${delivery}`,
  });
  const settled = options.scanSettled ?? 'delivered';
  await vi.waitFor(async () => expect(await statusOf(scan.messages[0]!.id)).toBe(settled), WAIT);
}
