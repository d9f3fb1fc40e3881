/**
 * The rest of SAP's status loop, end to end over real HTTP (real gateway, fake SAP, fake WMS):
 *
 * - SAP's ALE audit arrives on every SAP edge: IDoc-SOAP and a flat file as well as XML-HTTP,
 *   authenticated as the SAP port; SYSTAT01 (STATUS) from SAP is read like ALEAUD01.
 * - A report naming a DOCNUM the gateway never sent is kept unmatched in the audit's own text.
 * - A progress report (64) on an in-doubt message says SAP has the IDoc: delivered, never resent.
 * - A port without feedback: `delivered` is final, never `unconfirmed`.
 * - ALEAUD01 back to SAP carries inbound codes (53 delivered, 51 dead) about SAP's own DOCNUM.
 * - SAP re-sends a DOCNUM with other content, or after a cancel: processed again, audited.
 * - Natural keys: a configured naturalKey dedupes; an empty one is 428, nothing stored.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs } from '../../src/idoc/codec.js';
import type { FakeSapAudit } from '../../src/demo/fake-sap.js';
import type { MessageRecord, StatusHistoryRecord } from '../../src/pipeline/store-port.js';
import { basicAuth, KEYS, OPERATOR, SAP_IN, startE2E, waitFor, type E2E, type E2EConfig } from './helpers.js';

// Each test starts its own gateway, fake SAP and WMS: 15-25 s on a loaded 2-core machine.
vi.setConfig({ testTimeout: 90_000 });

const definitions = loadDefinitions();
const SCAN = JSON.parse(
  readFileSync('fixtures/mappings/handheld-to-mbgmcr03/receipt-delivery-serials.input.json', 'utf8'),
) as Record<string, unknown>;
const scan = (scanId: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...SCAN, scanId, movement: { ...(SCAN['movement'] as object), ...extra } });

const DESADV = convertIdocs(
  readFileSync('fixtures/mappings/delvry07-to-wms-delivery-order/whsord-items-hus-serials.input.json'),
  'xml',
  definitions,
).output;

const ops = { authorization: basicAuth(OPERATOR.username, OPERATOR.password) };
const sapAuth = basicAuth(SAP_IN.username, SAP_IN.password);

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const feedback =
  (expect: 'ALEAUD' | 'STATUS' | 'any' = 'ALEAUD', more: (c: E2EConfig) => void = () => undefined) =>
  (c: E2EConfig): void => {
    (c.ports.S4H as Record<string, unknown>)['feedback'] = { expect, confirmWithin: '10m' };
    more(c);
  };

const start = (label: string, configure: (c: E2EConfig) => void, recoveryEveryMs?: number) =>
  startE2E(
    label,
    { dataDir: 'memory://' },
    { configure, ...(recoveryEveryMs !== undefined ? { recoveryEveryMs } : {}) },
  );

interface Detail {
  readonly message: MessageRecord;
  readonly timeline: StatusHistoryRecord[];
}
async function detail(g: E2E, id: string): Promise<Detail> {
  const res = await fetch(`${g.url}/api/messages/${id}`, { headers: ops });
  expect(res.status).toBe(200);
  return (await res.json()) as Detail;
}
const statusOf = async (g: E2E, id: string): Promise<string> => (await detail(g, id)).message.status;

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
async function scanId(g: E2E, body: string, key: string): Promise<string> {
  const res = await postScan(g, body, key);
  expect(res.status).toBe(202);
  return ((await res.json()) as { messages: { id: string }[] }).messages[0]!.id;
}

/** Posts to one of the gateway's SAP edges as SAP's port; the HTTP status. */
async function postEdge(
  g: E2E,
  edge: 'idoc-xml' | 'idoc-soap' | 'flat',
  body: string,
  auth = sapAuth,
): Promise<number> {
  const path = edge === 'flat' ? '/upload/flat' : `/sap/${edge}`;
  const type = edge === 'flat' ? 'text/plain' : edge === 'idoc-soap' ? 'text/xml' : 'application/xml';
  const res = await fetch(`${g.url}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': type },
    body,
  });
  await res.text();
  return res.status;
}

/** SAP's audit sent through another edge: the fake SAP's IDoc-XML converted by the codec. */
const auditVia = (
  g: E2E,
  edge: 'idoc-soap' | 'flat',
  kind: 'ALEAUD' | 'STATUS' = 'ALEAUD',
): FakeSapAudit => ({
  kind,
  send: (xml) => postEdge(g, edge, convertIdocs(xml, edge === 'flat' ? 'flat' : 'soap', definitions).output),
});

const auditMessages = async (g: E2E, type = 'ALEAUD'): Promise<MessageRecord[]> =>
  (
    (await (await fetch(`${g.url}/api/messages?messageType=${type}`, { headers: ops })).json()) as {
      items: MessageRecord[];
    }
  ).items;

/** A stuck message: in the filtered list, in the dashboard's and the list's counts, on /metrics. */
async function expectStuck(
  g: E2E,
  id: string,
  status: 'sap-error' | 'in-doubt' | 'unconfirmed',
): Promise<void> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${g.url}${path}`, { headers: ops });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const page = await get<{ items: { id: string }[]; countsByStatus: Record<string, number> }>(
    `/api/messages?status=${status}`,
  );
  expect(page.items.map((m) => m.id)).toEqual([id]);
  expect(page.countsByStatus[status]).toBe(1);
  const overview = await get<{ countsByStatus: Record<string, number> }>('/api/console/overview');
  expect(overview.countsByStatus[status]).toBe(1);
  const dead = await get<{ groups: { status: string; sampleIds: string[] }[] }>('/api/dead-letters');
  expect(dead.groups.filter((x) => x.status === status).flatMap((x) => x.sampleIds)).toEqual([id]);
  const metrics = await (await fetch(`${g.url}/metrics`)).text();
  expect(metrics).toContain(`idocgate_stuck_messages{status="${status}"} 1`);
  const counter = `idocgate_messages_${status.replace('-', '_')}_total`;
  expect(metrics).toMatch(new RegExp(`^${counter}\\{[^}]*partner="handheld"[^}]*\\} 1$`, 'm'));
}

describe("SAP's feedback on every SAP edge", () => {
  it('the ALE audit as IDoc-SOAP and as a flat file is applied like XML-HTTP: posted, with the document', async () => {
    e = await start('fbe-edges', feedback());
    const g = e;
    g.sap.setAudit(auditVia(g, 'idoc-soap'));
    const viaSoap = await scanId(g, scan('FBE-SOAP'), 'fbe-soap');
    await waitFor(async () => (await statusOf(g, viaSoap)) === 'posted', 'posted by the SOAP audit');
    expect(g.sap.audits.map((a) => a.status)).toEqual([200]);
    g.sap.setAudit(auditVia(g, 'flat'));
    const viaFlat = await scanId(g, scan('FBE-FLAT'), 'fbe-flat');
    await waitFor(async () => (await statusOf(g, viaFlat)) === 'posted', 'posted by the flat audit');
    expect(g.sap.audits.map((a) => a.status)).toEqual([200, 200]);
    for (const [id, idoc] of [
      [viaSoap, g.sap.idocs[0]!],
      [viaFlat, g.sap.idocs[1]!],
    ] as const) {
      const d = await detail(g, id);
      expect(d.message).toMatchObject({ sapStatus: '53', sapDocnum: idoc.sapDocnum });
      expect(d.message.sapDocument).toBe(`BUS2017 ${idoc.document!}`);
      // found by what SAP names, as in WE02: SAP's IDoc number, the object key, the document number
      for (const query of [
        `text=${idoc.sapDocnum}`,
        `text=${idoc.document!}`,
        `text=${idoc.document!.slice(0, 10)}`,
      ]) {
        const found = (await (await fetch(`${g.url}/api/messages?${query}`, { headers: ops })).json()) as {
          items: { id: string }[];
        };
        expect(found.items.map((m) => m.id)).toContain(id);
      }
    }
    const audits = await auditMessages(g);
    expect(audits.map((a) => a.statusText)).toEqual([
      expect.stringMatching(/1 SAP status report\(s\): 1 applied/),
      expect.stringMatching(/1 SAP status report\(s\): 1 applied/),
    ]);
  });

  it('SYSTAT01 (STATUS) from SAP: 51 with SAP message makes sap-error, BD87 then 53 makes posted', async () => {
    e = await start('fbe-systat', feedback('STATUS'));
    const g = e;
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, kind: 'STATUS' });
    g.sap.setBehaviour({
      reject: () => ({ text: 'Material &1 does not exist', id: 'M3', number: '305', params: ['4797'] }),
    });
    const id = await scanId(g, scan('FBE-SYSTAT'), 'fbe-systat');
    await waitFor(async () => (await statusOf(g, id)) === 'sap-error', 'sap-error from SYSTAT01');
    expect((await detail(g, id)).message.lastError).toEqual({
      code: 'SAP/M3/305',
      text: expect.stringContaining('SAP status 51: Material 4797 does not exist') as unknown as string,
    });
    expect(g.sap.audits[0]!.xml).toContain('<SYSTAT01>');
    // listed, counted, searchable and on the metrics like a dead letter
    await expectStuck(g, id, 'sap-error');
    await g.sap.reprocess(g.sap.idocs[0]!.senderDocnum);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted after BD87');
    expect(g.sap.idocs).toHaveLength(1);
  });

  it('a port that expects ALEAUD does not take a STATUS IDoc as feedback', async () => {
    e = await start('fbe-kind', feedback('ALEAUD'));
    const g = e;
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, kind: 'STATUS' });
    const id = await scanId(g, scan('FBE-KIND'), 'fbe-kind');
    await waitFor(() => g.sap.audits.length === 1, 'the STATUS IDoc sent');
    // no partner receives STATUS: refused, and the message still waits for SAP's ALE audit
    expect(g.sap.audits[0]!.status).toBeGreaterThanOrEqual(400);
    expect(await statusOf(g, id)).toBe('delivered');
  });

  it('feedback with credentials that are not the SAP port is refused; a report on an unknown DOCNUM stays unmatched', async () => {
    e = await start('fbe-auth', feedback());
    const g = e;
    let audit = '';
    g.sap.setAudit({ send: (xml) => ((audit = xml), Promise.resolve(200)), auto: false });
    const id = await scanId(g, scan('FBE-AUTH'), 'fbe-auth');
    await waitFor(async () => (await statusOf(g, id)) === 'delivered', 'delivered');
    await g.sap.sendAudit();
    expect(audit).toContain('<STATUS>53</STATUS>');
    // a partner's API key on SAP's edge, or a wrong password: nothing applied
    expect(await postEdge(g, 'idoc-xml', audit, `Bearer ${KEYS.handheld}`)).toBeGreaterThanOrEqual(400);
    expect(await postEdge(g, 'idoc-xml', audit, basicAuth(SAP_IN.username, 'wrong'))).toBe(401);
    expect(await statusOf(g, id)).toBe('delivered');
    // an audit naming a DOCNUM the gateway never sent: stored, applied to nothing, said so
    const sent = g.sap.idocs[0]!.senderDocnum;
    const foreign = audit
      .replace(/(<E1STATE SEGMENT="1"><DOCNUM>)\d+/, '$10000000000999999')
      .replace(
        /(<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40<\/TABNAM><MANDT>100<\/MANDT><DOCNUM>)\d+/,
        '$10000000000888888',
      );
    expect(foreign).not.toContain(`<DOCNUM>${sent}</DOCNUM>`);
    expect(await postEdge(g, 'idoc-xml', foreign)).toBe(200);
    await waitFor(
      async () =>
        (await auditMessages(g)).some((m) => /1 unmatched \(0000000000999999 53/.test(m.statusText ?? '')),
      'the unmatched report in the audit message',
    );
    expect(await statusOf(g, id)).toBe('delivered');
    // SAP's own audit, with SAP's credentials, posts it
    expect(await postEdge(g, 'idoc-xml', audit)).toBe(200);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
  });
});

describe('in doubt, resolved by a progress report', () => {
  it('64 (ready for the application) on an in-doubt message: SAP has it, delivered, never sent again; then 53', async () => {
    e = await start('fbe-progress', feedback());
    const g = e;
    let audit = '';
    g.sap.setAudit({ send: (xml) => ((audit = xml), Promise.resolve(200)), auto: false });
    g.sap.setBehaviour({ dropAfterBody: 1 });
    const id = await scanId(g, scan('FBE-64'), 'fbe-64');
    await waitFor(async () => (await statusOf(g, id)) === 'in-doubt', 'in-doubt');
    await expectStuck(g, id, 'in-doubt');
    await g.sap.sendAudit();
    // RBDSTATE ran while SAP's application had not yet posted it: status 64, no document
    const waiting = audit
      .replace('<STATUS>53</STATUS>', '<STATUS>64</STATUS>')
      .replace(/<E1PRTOB SEGMENT="1">.*?<\/E1PRTOB>/, '')
      .replace(
        /(<EDI_DC40 SEGMENT="1"><TABNAM>EDI_DC40<\/TABNAM><MANDT>100<\/MANDT><DOCNUM>)\d+/,
        '$10000000000777777',
      );
    expect(await postEdge(g, 'idoc-xml', waiting)).toBe(200);
    await waitFor(async () => (await statusOf(g, id)) === 'delivered', 'delivered: SAP has it');
    const d = await detail(g, id);
    expect(d.timeline.at(-1)).toMatchObject({ from: 'in-doubt', to: 'delivered', sapStatus: '64' });
    expect(d.timeline.at(-1)!.text).toContain('SAP has the IDoc: not sent again');
    await new Promise((r) => setTimeout(r, 600));
    expect(g.sap.received).toHaveLength(1);
    // the application posts it; the next audit says 53
    expect(await postEdge(g, 'idoc-xml', audit)).toBe(200);
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    expect(g.sap.received).toHaveLength(1);
  });
});

describe('in doubt, decided by an operator', () => {
  it('no word from SAP: the operator sees the lost answer, checks WE02 and confirms it posted; nothing was resent', async () => {
    e = await start('fbe-doubt-op', feedback());
    const g = e;
    g.sap.setAudit(undefined);
    g.sap.setBehaviour({ dropAfterBody: 1 });
    const id = await scanId(g, scan('FBE-DOUBT-OP'), 'fbe-doubt-op');
    await waitFor(async () => (await statusOf(g, id)) === 'in-doubt', 'in-doubt');
    // the evidence: the attempt and why it is in doubt
    const d = (await detail(g, id)) as Detail & {
      attempts: { outcome: string; errorCode?: string | null }[];
    };
    expect(d.attempts.map((a) => a.outcome)).toEqual(['error']);
    expect(d.message.lastError?.code).toMatch(/^TRANSPORT_/);
    expect(d.timeline.at(-1)!.text).toContain('answer lost: not resent');
    const confirm = await fetch(`${g.url}/api/messages/${id}/confirm-posted`, {
      method: 'POST',
      headers: { ...ops, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'WE02: IDoc 900000 in status 53', document: '4900000000 2026' }),
    });
    expect(confirm.status).toBe(200);
    expect(await statusOf(g, id)).toBe('posted');
    expect(g.sap.received).toHaveLength(1);
    const audit = (await (await fetch(`${g.url}/api/audit?messageId=${id}`, { headers: ops })).json()) as {
      entries: { action: string; reason: string }[];
    };
    expect(audit.entries.map((a) => [a.action, a.reason])).toContainEqual([
      'confirm-posted',
      'WE02: IDoc 900000 in status 53',
    ]);
  });
});

describe('IDoc-SOAP (SAP drops a repeated ARCKEY message id)', () => {
  /** Port S4H sends IDoc-SOAP to the fake SAP's /sap/bc/srt/idoc, and expects SAP's ALE audit. */
  const soap = (c: E2EConfig): void => {
    feedback()(c);
    const port = c.ports.S4H as Record<string, unknown>;
    const t = port['transport'] as { url: string };
    port['transport'] = {
      ...t,
      kind: 'sap-soap',
      url: t.url.replace('/sap/bc/idoc_xml', '/sap/bc/srt/idoc'),
    };
  };

  it('an answer lost after the body went out is simply retried with the same message id: SAP keeps one IDoc', async () => {
    e = await start('fbe-soap-retry', soap);
    const g = e;
    // SAP's audit waits until the retry went out: sent at once, it could post the message before
    // the retry (then there is nothing to retry, which is right, but not what this test is about).
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, auto: false });
    g.sap.setBehaviour({ dropAfterBody: 1 });
    const id = await scanId(g, scan('FBE-SOAP-RETRY'), 'fbe-soap-retry');
    await waitFor(
      async () => g.sap.received.length >= 2 && (await statusOf(g, id)) === 'delivered',
      'the retry',
    );
    await g.sap.sendAudit();
    await waitFor(async () => (await statusOf(g, id)) === 'posted', 'posted');
    const [first, second] = g.sap.received;
    expect(g.sap.received).toHaveLength(2);
    expect(second!.msgid).toBe(first!.msgid);
    expect(second!.duplicate).toBe(true);
    expect(g.sap.idocs).toHaveLength(1);
    expect((await detail(g, id)).timeline.some((h) => h.to === 'in-doubt')).toBe(false);
  });

  it(
    'an edited replay of an SAP error is a new IDoc with a new message id: SAP takes it and posts it',
    { timeout: 90_000 },
    async () => {
      e = await start('fbe-soap-edit', soap);
      const g = e;
      g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN });
      g.sap.setBehaviour({
        reject: (idoc) =>
          /<MATERIAL>0*4797</.test(idoc.xml)
            ? { text: 'Material &1 does not exist', id: 'M3', number: '305', params: ['4797'] }
            : undefined,
      });
      const wrong = JSON.parse(scan('FBE-SOAP-EDIT')) as { items: { article: string }[] };
      wrong.items[0]!.article = '4797';
      const id = await scanId(g, JSON.stringify(wrong), 'fbe-soap-edit');
      await waitFor(async () => (await statusOf(g, id)) === 'sap-error', 'sap-error');
      expect(g.sap.received.map((r) => r.path)).toEqual(['/sap/bc/srt/idoc']);
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
      await waitFor(async () => (await statusOf(g, id)) === 'posted', 'the corrected IDoc posted');
      const [first, second] = g.sap.received;
      expect(second!.msgid).toBeDefined();
      expect(second!.msgid).not.toBe(first!.msgid);
      expect(second!.duplicate).toBe(false);
      expect(g.sap.idocs.map((i) => i.status)).toEqual(['51', '53']);
    },
  );
});

describe('unconfirmed, then SAP speaks late', () => {
  it("SAP's audit after the window still posts an unconfirmed message and releases its key", async () => {
    e = await start(
      'fbe-late',
      (c) => {
        (c.ports.S4H as Record<string, unknown>)['feedback'] = { expect: 'ALEAUD', confirmWithin: '200ms' };
        const sends = c.partners.handheld.sends[0] as Record<string, unknown>;
        sends['orderingKey'] = 'delivery';
        sends['releaseOn'] = 'posted';
      },
      100,
    );
    const g = e;
    g.sap.setAudit({ url: `${g.url}/sap/idoc-xml`, ...SAP_IN, auto: false });
    const first = await scanId(g, scan('FBE-LATE-1'), 'fbe-late-1');
    const second = await scanId(g, scan('FBE-LATE-2'), 'fbe-late-2');
    await waitFor(async () => (await statusOf(g, first)) === 'unconfirmed', 'unconfirmed');
    await expectStuck(g, first, 'unconfirmed');
    // never assumed posted: the next scan of the delivery still waits
    expect(await statusOf(g, second)).toBe('blocked');
    expect(g.sap.idocs).toHaveLength(1);
    await g.sap.sendAudit();
    await waitFor(async () => (await statusOf(g, first)) === 'posted', 'posted by the late audit');
    await waitFor(() => g.sap.idocs.length === 2, 'the second scan sent');
    await g.sap.sendAudit();
    await waitFor(async () => (await statusOf(g, second)) === 'posted', 'the second posted');
  });
});

describe('a port without feedback', () => {
  it('delivered is final: no wait for SAP, never unconfirmed', async () => {
    e = await start('fbe-none', () => undefined, 100);
    const g = e;
    const id = await scanId(g, scan('FBE-NONE'), 'fbe-none');
    await waitFor(async () => (await statusOf(g, id)) === 'delivered', 'delivered');
    const d = await detail(g, id);
    expect(d.timeline.at(-1)!.text).not.toContain("waits for SAP's application status");
    expect(d.timeline.at(-1)!.sapStatus).toBe('03');
    // several recovery runs later it is still delivered, and nothing is stuck
    await new Promise((r) => setTimeout(r, 800));
    expect(await statusOf(g, id)).toBe('delivered');
    const metrics = await (await fetch(`${g.url}/metrics`)).text();
    expect(metrics).not.toMatch(/idocgate_stuck_messages\{status="unconfirmed"\} [1-9]/);
  });
});

describe('ALEAUD01 back to SAP (receives[].statusToSap: ALEAUD01)', () => {
  it("53 for an IDoc delivered to the partner, 51 for a dead one, each about SAP's own DOCNUM", async () => {
    e = await start('fbe-aleaud-out', (c) => {
      c.partners.wms.receives[0] = { ...c.partners.wms.receives[0]!, statusToSap: 'ALEAUD01' } as never;
    });
    const g = e;
    const sapDocnum = /<DOCNUM>(\d+)<\/DOCNUM>/.exec(DESADV)![1]!;
    expect(await postEdge(g, 'idoc-xml', DESADV)).toBe(200);
    const audits = () =>
      g.sap.idocs.filter((i) => i.idocType === 'ALEAUD01').map((i) => i.xml.replace(/\s+/g, ''));
    await waitFor(() => audits().length === 1, 'the ALEAUD01 for the delivered IDoc');
    const ok = audits()[0]!;
    expect(ok).toContain('<MESTYP>ALEAUD</MESTYP>');
    expect(ok).toMatch(new RegExp(`<E1STATESEGMENT="1"><DOCNUM>${sapDocnum}</DOCNUM>.*?<STATUS>53</STATUS>`));
    // the next delivery the WMS refuses for good: dead, and SAP hears 51
    g.wms.setBehaviour({ failFirst: 100, status: 400 });
    const other = DESADV.replace(`<DOCNUM>${sapDocnum}</DOCNUM>`, '<DOCNUM>0000000000771234</DOCNUM>');
    expect(await postEdge(g, 'idoc-xml', other)).toBe(200);
    await waitFor(() => audits().length === 2, 'the ALEAUD01 for the dead IDoc');
    expect(audits()[1]!).toMatch(
      /<E1STATESEGMENT="1"><DOCNUM>0000000000771234<\/DOCNUM>.*?<STATUS>51<\/STATUS>/,
    );
    // never an outbound code in ALEAUD01 (SAP help: "valid SAP status value for inbound IDocs")
    expect(audits().join('')).not.toMatch(/<E1STATE[^]*?<STATUS>(12|11|3\d|4\d)<\/STATUS>/);
  });
});

describe('SAP re-sends a DOCNUM', () => {
  const list = async (g: E2E): Promise<MessageRecord[]> =>
    (
      (await (await fetch(`${g.url}/api/messages?messageType=WHSORD`, { headers: ops })).json()) as {
        items: MessageRecord[];
      }
    ).items;
  const auditOf = async (g: E2E, id: string) =>
    (
      (await (await fetch(`${g.url}/api/audit?messageId=${id}`, { headers: ops })).json()) as {
        entries: { action: string; details?: Record<string, unknown> }[];
      }
    ).entries.filter((a) => a.action === 'sent-again');

  it('with other content (edited in SAP) it is processed again as a new version of the same message', async () => {
    e = await start('fbe-resend-edit', () => undefined);
    const g = e;
    expect(await postEdge(g, 'idoc-xml', DESADV)).toBe(200);
    await waitFor(async () => (await list(g))[0]?.status === 'delivered', 'delivered');
    const [m] = await list(g);
    const edited = DESADV.replace(/<BTGEW>[^<]*<\/BTGEW>/, '<BTGEW>13.100</BTGEW>');
    expect(edited).not.toBe(DESADV);
    const res = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: sapAuth, 'content-type': 'application/xml' },
      body: edited,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-idocgate-duplicate')).toBeNull();
    await waitFor(() => g.wms.received.filter((r) => r.status === 200).length === 2, 'delivered twice');
    expect(await list(g)).toHaveLength(1);
    expect((await auditOf(g, m!.id)).map((a) => a.details?.['changed'])).toEqual([true]);
    const versions = (await detail(g, m!.id)) as unknown as { versions: { note?: string }[] };
    expect(versions.versions.some((v) => v.note === 'sent again by the sender with other content')).toBe(
      true,
    );
  });

  it('after an operator cancelled it, the same IDoc is processed again; an identical repeat of a delivered one is a duplicate', async () => {
    e = await start('fbe-resend-cancel', () => undefined);
    const g = e;
    g.wms.setBehaviour({ failFirst: 100, status: 503 });
    expect(await postEdge(g, 'idoc-xml', DESADV)).toBe(200);
    await waitFor(async () => (await list(g))[0]?.status === 'failed', 'failed, retrying');
    const [m] = await list(g);
    const cancel = await fetch(`${g.url}/api/messages/${m!.id}/cancel`, {
      method: 'POST',
      headers: { ...ops, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'WMS down for the weekend' }),
    });
    expect(cancel.status).toBe(200);
    g.wms.setBehaviour({});
    expect(await postEdge(g, 'idoc-xml', DESADV)).toBe(200);
    await waitFor(async () => (await list(g))[0]?.status === 'delivered', 'delivered after the resend');
    expect((await auditOf(g, m!.id)).map((a) => a.details?.['from'])).toEqual(['cancelled']);
    const again = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: sapAuth, 'content-type': 'application/xml' },
      body: DESADV,
    });
    expect(again.headers.get('x-idocgate-duplicate')).toBe('true');
    expect(g.wms.received.filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe("SAP's packets (WE20 pack size: several IDocs in one XML-HTTP call)", () => {
  const idoc = /<IDOC BEGIN="1">[\s\S]*<\/IDOC>/.exec(DESADV)![0];
  const sapDocnum = /<DOCNUM>(\d+)<\/DOCNUM>/.exec(idoc)![1]!;
  const packet = (...idocs: string[]): string =>
    `<?xml version="1.0" encoding="UTF-8"?><DELVRY07>${idocs.join('')}</DELVRY07>`;
  const numbered = (docnum: string, rcvprn = 'WMSEAST'): string =>
    idoc
      .replace(`<DOCNUM>${sapDocnum}</DOCNUM>`, `<DOCNUM>${docnum}</DOCNUM>`)
      .replace('<RCVPRN>WMSEAST</RCVPRN>', `<RCVPRN>${rcvprn}</RCVPRN>`);

  it('each IDoc is its own message, answered once; a resent packet is all duplicates; one unroutable IDoc stores none', async () => {
    e = await start('fbe-packet-in', () => undefined);
    const g = e;
    const count = async (): Promise<number> =>
      (
        (await (await fetch(`${g.url}/api/messages?messageType=WHSORD`, { headers: ops })).json()) as {
          items: unknown[];
        }
      ).items.length;
    // one IDoc of the packet is for no configured partner: the whole request is refused, nothing kept
    const bad = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: sapAuth, 'content-type': 'application/xml' },
      body: packet(numbered('0000000000660001'), numbered('0000000000660002', 'NOBODY')),
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(await count()).toBe(0);
    const body = packet(
      numbered('0000000000660001'),
      numbered('0000000000660002'),
      numbered('0000000000660003'),
    );
    const first = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: sapAuth, 'content-type': 'application/xml' },
      body,
    });
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(
      /^OK 3 IDoc\(s\) stored: 0000000000660001 0000000000660002 0000000000660003\n$/,
    );
    await waitFor(() => g.wms.received.filter((r) => r.status === 200).length === 3, 'three deliveries');
    // SAP did not get the answer and sends the packet again: all three are duplicates
    const again = await fetch(`${g.url}/sap/idoc-xml`, {
      method: 'POST',
      headers: { authorization: sapAuth, 'content-type': 'application/xml' },
      body,
    });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('3 duplicate(s) of earlier messages');
    await new Promise((r) => setTimeout(r, 300));
    expect(g.wms.received.filter((r) => r.status === 200)).toHaveLength(3);
    expect(await count()).toBe(3);
  });
});

describe('natural keys of partner JSON', () => {
  it('a configured naturalKey is the idempotency key without the header; empty, it is 428 and nothing is stored', async () => {
    e = await start('fbe-natural', (c) => {
      (c.partners.handheld.sends[0] as Record<string, unknown>)['naturalKey'] = 'movement.purchaseOrder';
    });
    const g = e;
    const first = await postScan(g, scan('FBE-NK-1', { purchaseOrder: '4500000017' }));
    expect(first.status).toBe(202);
    // another scan id, the same purchase order: the configured key says it is the same event
    const second = await postScan(g, scan('FBE-NK-2', { purchaseOrder: '4500000017' }));
    expect(second.status).toBe(200);
    expect(((await second.json()) as { duplicate: boolean }).duplicate).toBe(true);
    const before = (await (await fetch(`${g.url}/api/messages`, { headers: ops })).json()) as {
      items: unknown[];
    };
    const none = await postScan(g, scan('FBE-NK-3'));
    expect(none.status).toBe(428);
    const problem = (await none.json()) as { code: string; issues?: { path: string }[] };
    expect(problem.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(problem.issues?.map((i) => i.path)).toEqual(['/movement/purchaseOrder']);
    const after = (await (await fetch(`${g.url}/api/messages`, { headers: ops })).json()) as {
      items: unknown[];
    };
    expect(after.items).toHaveLength(before.items.length);
    // with the header it goes
    expect((await postScan(g, scan('FBE-NK-3'), 'fbe-nk-3')).status).toBe(202);
  });
});
