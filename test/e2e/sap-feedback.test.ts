/**
 * SAP's application status flows back, end to end over real HTTP: the gateway sends MBGMCR03 to
 * the fake SAP's XML-HTTP port, the fake SAP posts it (53, with a material document) or rejects
 * it (51, with its message), and sends its ALE audit (ALEAUD01) back to the gateway's SAP edge as
 * SAP's report RBDSTATE would. The gateway's messages say what SAP says: posted, sap-error,
 * in-doubt (answer lost, never resent blindly), unconfirmed (SAP said nothing in time).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import type { MessageRecord, StatusHistoryRecord } from '../../src/pipeline/store-port.js';
import { basicAuth, KEYS, OPERATOR, SAP_IN, startE2E, waitFor, type E2E, type E2EConfig } from './helpers.js';

// Each test starts its own gateway, fake SAP and WMS: 15-25 s on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000 });

const SCAN = JSON.parse(
  readFileSync('fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json', 'utf8'),
) as Record<string, unknown>;

const scan = (scanId: string, delivery = '180000123'): string =>
  JSON.stringify({ ...SCAN, scanId, movement: { ...(SCAN['movement'] as object), delivery } });

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

/** Feedback on port S4H (ALE audit expected), and a handheld ordering key that waits for posting. */
function withFeedback(extra: { confirmWithin?: string; releaseOnPosted?: boolean } = {}) {
  return (c: E2EConfig): void => {
    const port = c.ports.S4H as Record<string, unknown>;
    port['feedback'] = { expect: 'ALEAUD', confirmWithin: extra.confirmWithin ?? '10m' };
    if (extra.releaseOnPosted === true) {
      const sends = c.partners.handheld.sends[0] as Record<string, unknown>;
      sends['orderingKey'] = 'delivery';
      sends['releaseOn'] = 'posted';
    }
  };
}

async function start(
  label: string,
  configure: (c: E2EConfig) => void,
  recoveryEveryMs?: number,
): Promise<E2E> {
  const started = await startE2E(
    label,
    undefined, // PGlite from the migrated template
    {
      configure,
      ...(recoveryEveryMs !== undefined ? { recoveryEveryMs } : {}),
    },
  );
  started.sap.setAudit({ url: `${started.url}/sap/idoc-xml`, ...SAP_IN });
  return started;
}

const ops = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };

const postScan = (g: E2E, body: string, key?: string) =>
  fetch(`${g.url}/in/handheld-goods-movement`, {
    method: 'POST',
    headers: {
      'x-api-key': KEYS.handheld,
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
    },
    body,
  });

interface Detail {
  readonly message: MessageRecord;
  readonly timeline: StatusHistoryRecord[];
}

async function detail(g: E2E, id: string): Promise<Detail> {
  const res = await fetch(`${g.url}/api/messages/${id}`, { headers: ops });
  expect(res.status).toBe(200);
  return (await res.json()) as Detail;
}

async function scanId(g: E2E, body: string, key?: string): Promise<string> {
  const res = await postScan(g, body, key);
  expect(res.status).toBe(202);
  const json = (await res.json()) as { messages: { id: string }[] };
  return json.messages[0]!.id;
}

const statusOf = async (g: E2E, id: string): Promise<string> => (await detail(g, id)).message.status;

describe("SAP's application status flows back", () => {
  it('53 from the ALE audit makes the message posted, with the material document in its timeline', async () => {
    e = await start('fb-posted', withFeedback());
    const g = e;
    const id = await scanId(g, scan('FB-POST-1'), 'fb-post-1');
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    const d = await detail(g, id);
    const idoc = g.sap.idocs[0]!;
    expect(d.message).toMatchObject({ status: 'posted', sapStatus: '53', sapDocnum: idoc.sapDocnum });
    expect(d.message.sapDocument).toBe(`BUS2017 ${idoc.document!}`);
    expect(d.timeline.map((h) => h.to)).toEqual(['received', 'queued', 'processing', 'delivered', 'posted']);
    // SAP's port took it (03, "passed to port"); only SAP's own report says 53
    expect(d.timeline.find((h) => h.to === 'delivered')?.sapStatus).toBe('03');
    expect(d.timeline.at(-1)!.text).toContain(`Document ${idoc.document!.slice(0, 10)} posted`);
    // SAP's audit is itself stored and applied
    const audits = await fetch(`${g.url}/api/messages?messageType=ALEAUD`, { headers: ops });
    const list = (await audits.json()) as { items: MessageRecord[] };
    expect(list.items[0]?.statusText).toMatch(/1 SAP status report\(s\): 1 applied/);
    // the list counts posted
    const counts = (await (await fetch(`${g.url}/api/messages`, { headers: ops })).json()) as {
      countsByStatus: Record<string, number>;
    };
    expect(counts.countsByStatus['posted']).toBe(1);
  });

  it('51 blocks the ordering key; fix + replay posts it (53) and then the next one goes', async () => {
    e = await start('fb-blocked', withFeedback({ releaseOnPosted: true }));
    const g = e;
    let rejectFirst = true;
    g.sap.setBehaviour({
      reject: () => {
        if (!rejectFirst) return undefined;
        rejectFirst = false;
        return {
          text: 'Deficit of SL Unrestricted-use stock &1 &2',
          id: 'M7',
          number: '021',
          params: ['4711', '0001'],
        };
      },
    });
    const first = await scanId(g, scan('FB-ORD-1', '180000777'), 'fb-ord-1');
    const second = await scanId(g, scan('FB-ORD-2', '180000777'), 'fb-ord-2');
    await waitFor(async () => (await statusOf(g, first)) === 'sap-error', 'sap-error');
    const failed = await detail(g, first);
    expect(failed.message.lastError).toEqual({
      code: 'SAP/M7/021',
      text: expect.stringContaining('Deficit of SL Unrestricted-use stock 4711 0001') as unknown as string,
    });
    // the second scan of the same delivery waits; SAP got only the first
    expect(await statusOf(g, second)).toBe('blocked');
    expect(g.sap.idocs).toHaveLength(1);
    // the dead-letters screen groups SAP errors by SAP message
    const dl = (await (await fetch(`${g.url}/api/dead-letters`, { headers: ops })).json()) as {
      groups: { status: string; errorCode: string; count: number }[];
    };
    expect(dl.groups).toContainEqual(
      expect.objectContaining({ status: 'sap-error', errorCode: 'SAP/M7/021', count: 1 }),
    );
    // stock fixed in SAP: the operator replays; SAP posts it, and the second one follows
    const replay = await fetch(`${g.url}/api/messages/${first}/replay`, {
      method: 'POST',
      headers: { ...ops, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stock corrected in SAP' }),
    });
    expect(replay.status).toBe(200);
    await waitFor(async () => (await statusOf(g, second)) === 'posted', 'the second posted');
    expect(await statusOf(g, first)).toBe('posted');
    expect(g.sap.idocs.map((i) => i.status)).toEqual(['51', '53', '53']);
  });

  it('edit + replay of an SAP error sends a corrected IDoc under a new DOCNUM; a later 68 on the old one is history', async () => {
    e = await start('fb-edit', withFeedback());
    const g = e;
    g.sap.setBehaviour({
      reject: (idoc) =>
        /<MATERIAL>0*4797</.test(idoc.xml)
          ? { text: 'Material &1 does not exist', id: 'M3', number: '305', params: ['4797'] }
          : undefined,
    });
    const wrong = JSON.parse(scan('FB-EDIT')) as { items: { article: string }[] };
    wrong.items[0]!.article = '4797';
    const id = await scanId(g, JSON.stringify(wrong), 'fb-edit');
    await waitFor(async () => (await statusOf(g, id)) === 'sap-error', 'sap-error');
    const fixed = { ...wrong, items: wrong.items.map((i, n) => (n === 0 ? { ...i, article: '4711' } : i)) };
    const replay = await fetch(`${g.url}/api/messages/${id}/replay`, {
      method: 'POST',
      headers: { ...ops, 'content-type': 'application/json' },
      body: JSON.stringify({
        reason: 'article corrected',
        edited: { format: 'json', content: JSON.stringify(fixed) },
      }),
    });
    expect(replay.status).toBe(200);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    const [first, second] = g.sap.idocs;
    expect(second!.senderDocnum).not.toBe(first!.senderDocnum);
    // the SAP user sets the old 51 IDoc to "no further processing": reported, recorded only
    await g.sap.noFurtherProcessing(first!.senderDocnum);
    await waitFor(
      async () =>
        (await detail(g, id)).timeline.some(
          (h) =>
            h.text?.includes('SAP status 68') === true && h.text.includes('an earlier IDoc of this message'),
        ),
      'the 68 in the timeline',
    );
    expect(await statusOf(g, id)).toBe('posted');
  });

  it('SAP reprocesses a 51 itself (BD87): the next audit posts the message', async () => {
    e = await start('fb-bd87', withFeedback());
    const g = e;
    g.sap.setBehaviour({
      reject: () => ({ text: 'Posting period 012 2026 is not open', id: 'M7', number: '053' }),
    });
    const id = await scanId(g, scan('FB-BD87'), 'fb-bd87');
    await waitFor(async () => (await statusOf(g, id)) === 'sap-error', 'sap-error');
    await g.sap.reprocess(g.sap.idocs[0]!.senderDocnum);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted after BD87');
    expect(g.sap.idocs).toHaveLength(1);
  });

  it('an answer lost after the body went out: in-doubt, never resent; the ALE audit resolves it', async () => {
    e = await start('fb-doubt', withFeedback());
    const g = e;
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, auto: false });
    g.sap.setBehaviour({ dropAfterBody: 1 });
    const id = await scanId(g, scan('FB-DOUBT'), 'fb-doubt');
    await waitFor(async () => (await statusOf(g, id)) === 'in-doubt', 'in-doubt');
    const d = await detail(g, id);
    expect(d.message.lastError?.code).toMatch(/^TRANSPORT_/);
    // no second request reached SAP (XML-HTTP does not drop duplicates: it would post twice)
    await new Promise((r) => setTimeout(r, 300));
    expect(g.sap.received).toHaveLength(1);
    expect(g.sap.idocs).toHaveLength(1);
    // RBDSTATE runs: the audit names the DOCNUM, the message is posted
    expect(await g.sap.sendAudit()).toBe(1);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    expect(g.sap.received).toHaveLength(1);
  });

  it('in-doubt on a port that drops duplicates (dropsDuplicates: true) is simply retried', async () => {
    e = await start('fb-dedup', (c) => {
      withFeedback()(c);
      (c.ports.S4H as Record<string, unknown>)['dropsDuplicates'] = true;
    });
    const g = e;
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, auto: false });
    g.sap.setBehaviour({ dropAfterBody: 1, dedupXml: true });
    const id = await scanId(g, scan('FB-DEDUP'), 'fb-dedup');
    await waitFor(async () => (await statusOf(g, id)) === 'delivered', 'delivered by the retry');
    expect(g.sap.received).toHaveLength(2);
    expect(g.sap.idocs).toHaveLength(1);
    await g.sap.sendAudit();
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
  });

  it('no status from SAP within the window: unconfirmed, then confirmed by an operator', async () => {
    e = await start('fb-unconf', withFeedback({ confirmWithin: '200ms' }), 100);
    const g = e;
    g.sap.setAudit(undefined);
    const id = await scanId(g, scan('FB-UNCONF'), 'fb-unconf');
    await waitFor(async () => (await statusOf(g, id)) === 'unconfirmed', 'unconfirmed');
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(metrics).toMatch(/idocgate_stuck_messages\{status="unconfirmed"\} 1/);
    const confirm = await fetch(`${g.url}/api/messages/${id}/confirm-posted`, {
      method: 'POST',
      headers: { ...ops, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'checked in WE02: status 53', document: '4900000123 2026' }),
    });
    expect(confirm.status).toBe(200);
    expect(((await confirm.json()) as { message: MessageRecord }).message).toMatchObject({
      status: 'posted',
      sapDocument: '4900000123 2026',
    });
  });

  it('a resent scan without Idempotency-Key posts once (natural key scanId)', async () => {
    e = await start('fb-natural', withFeedback());
    const g = e;
    const a = await postScan(g, scan('FB-NATURAL'));
    expect(a.status).toBe(202);
    const b = await postScan(g, scan('FB-NATURAL'));
    expect(b.status).toBe(200);
    expect(((await b.json()) as { duplicate: boolean }).duplicate).toBe(true);
    const id = ((await a.json()) as { messages: { id: string }[] }).messages[0]!.id;
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    expect(g.sap.idocs).toHaveLength(1);
  });
});

describe('packets to SAP (ports.<name>.packSize)', () => {
  const burst = async (g: E2E, n: number, prefix: string): Promise<string[]> => {
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => postScan(g, scan(`${prefix}-${i}`), `${prefix}-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    return Promise.all(
      answers.map(async (a) => ((await a.json()) as { messages: { id: string }[] }).messages[0]!.id),
    );
  };
  const allPosted = async (g: E2E, ids: readonly string[]): Promise<boolean> => {
    const res = await fetch(`${g.url}/api/messages?messageType=MBGMCR&status=posted&limit=500`, {
      headers: ops,
    });
    const page = (await res.json()) as { items: { id: string }[] };
    const posted = new Set(page.items.map((m) => m.id));
    return ids.every((id) => posted.has(id));
  };

  it(
    'a burst of goods movements goes to SAP in a few IDoc-XML packets; the ALE audit posts them IDoc by IDoc',
    { timeout: 90_000 },
    async () => {
      e = await start('fb-packets', (c) => {
        withFeedback()(c);
        (c.ports.S4H as Record<string, unknown>)['packSize'] = 50;
      });
      const g = e;
      // SAP is busy while the burst arrives (its first answers wait): the scans pile up meanwhile
      let release = (): void => undefined;
      g.sap.setBehaviour({ hold: new Promise<void>((r) => (release = r)) });
      const ids = await burst(g, 120, 'PK');
      release();
      g.sap.setBehaviour({});
      await waitFor(() => allPosted(g, ids), 'all 120 posted', 60_000);
      const requests = g.sap.received.length;
      // the requests SAP held (one per worker, concurrency 4), then each worker's next claim takes
      // what piled up in packets of up to 50: at most a tenth of the messages as requests
      expect(requests).toBeLessThanOrEqual(12);
      const sizes = g.sap.received.map((r) => (r.body.toString('utf8').match(/<IDOC /g) ?? []).length);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
      expect(g.sap.received.some((r) => (r.body.toString('utf8').match(/<IDOC /g) ?? []).length > 1)).toBe(
        true,
      );
      // every movement reached SAP exactly once
      expect(g.sap.idocs).toHaveLength(120);
      expect(new Set(g.sap.idocs.map((i) => i.senderDocnum)).size).toBe(120);
      console.log(`packets: 120 goods movements in ${requests} requests`);
    },
  );

  it('a packet SAP refused (503) goes again message by message: nothing lost, nothing doubled', async () => {
    e = await start('fb-packet-fail', (c) => {
      withFeedback()(c);
      (c.ports.S4H as Record<string, unknown>)['packSize'] = 20;
    });
    const g = e;
    g.sap.setBehaviour({ failFirst: 1, status: 503 });
    const ids = await burst(g, 30, 'PF');
    await waitFor(() => allPosted(g, ids), 'all 30 posted', 60_000);
    expect(g.sap.idocs).toHaveLength(30);
    expect(new Set(g.sap.idocs.map((i) => i.senderDocnum)).size).toBe(30);
  });
});

describe('SAP sends a DOCNUM again', () => {
  const DESADV = Buffer.from(
    convertIdocs(
      readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
      'xml',
      loadDefinitions(),
    ).output,
  );
  const postSap = (g: E2E, body: Buffer | string) =>
    fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: {
        authorization: basicAuth(SAP_IN.username, SAP_IN.password),
        'content-type': 'application/xml',
      },
      body,
    });

  it('after the gateway reported 11 (dead), the same DOCNUM is processed again as a new attempt', async () => {
    e = await start('fb-resend', (c) => {
      c.partners.wms.receives[0] = { ...c.partners.wms.receives[0]!, statusToSap: 'SYSTAT01' } as never;
    });
    const g = e;
    g.wms.setBehaviour({ failFirst: 100, status: 400 });
    const first = await postSap(g, DESADV);
    expect(first.status).toBe(200);
    const list = async (): Promise<MessageRecord[]> =>
      (
        (await (await fetch(`${g.url}/api/messages?messageType=WHSORD`, { headers: ops })).json()) as {
          items: MessageRecord[];
        }
      ).items;
    await waitFor(async () => (await list())[0]?.status === 'dead', 'dead');
    // the STATUS 11 went to SAP
    await waitFor(
      () => g.sap.received.some((r) => r.body.toString('utf8').includes('<STATUS>11</STATUS>')),
      'status 11',
    );
    // SAP's error workflow sends the same IDoc (same DOCNUM) again; the WMS is back
    g.wms.setBehaviour({});
    const again = await postSap(g, DESADV);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-idocgate-duplicate')).toBeNull();
    await waitFor(async () => (await list())[0]?.status === 'delivered', 'delivered on the second attempt');
    const items = await list();
    expect(items).toHaveLength(1);
    const audit = (await (
      await fetch(`${g.url}/api/audit?messageId=${items[0]!.id}`, { headers: ops })
    ).json()) as {
      entries: { action: string }[];
    };
    expect(audit.entries.map((a) => a.action)).toContain('sent-again');
    // an identical repeat of a delivered message stays a duplicate
    const third = await postSap(g, DESADV);
    expect(third.headers.get('x-idocgate-duplicate')).toBe('true');
    expect(g.wms.received.filter((r) => r.status === 200)).toHaveLength(1);
  });
});
