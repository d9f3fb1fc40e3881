/**
 * End to end on real parts: SAP DELVRY07 (IDoc-XML) -> WMS webhook JSON through the built-in
 * mapping; handheld JSON -> MBGMCR03 -> fake SAP XML-HTTP; duplicates; SYSTAT01 back to SAP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTRACTS, checkPayload } from '../../src/contracts/registry.js';
import { IdocgateError } from '../../src/errors.js';
import { emitOutboundIdoc } from '../../src/pipeline/outbound-idoc.js';
import { delvry07Xml, handheldScan, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'e2e', statusToSap: 'SYSTAT01' });
  await h.startWorkers();
});
afterAll(async () => {
  await h.close();
});

const fromSap = { kind: 'port', name: 'sap' } as const;
const handheld = { kind: 'partner', name: 'handheld' } as const;

async function statusOf(id: string): Promise<string | undefined> {
  return (await h.store.get(id))?.status;
}

describe('SAP DELVRY07 over IDoc-XML -> WMS webhook', () => {
  it('maps, delivers once, records the attempt and sends SYSTAT01 12 back to the port', async () => {
    const r = await h.runtime.ingest({
      channel: 'sap-xml-http',
      principal: fromSap,
      body: delvry07Xml('900001'),
    });
    expect(r.messages).toHaveLength(1);
    const id = r.messages[0]!.id;
    expect(r.messages[0]!.duplicate).toBe(false);
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), { timeout: 10_000 });
    const got = h.wms.received.filter((x) => x.headers['idempotency-key'] === id);
    expect(got).toHaveLength(1);
    expect(got[0]!.json).toMatchObject({ messageType: 'WHSORD', idocNumber: '900001', delivery: '80001234' });
    const versions = await h.store.versions(id);
    expect(versions.map((v) => v.kind)).toEqual(['raw', 'mapped']);
    const attempts = await h.store.attempts(id);
    expect(attempts.map((a) => [a.transport, a.outcome])).toEqual([['webhook', 'ok']]);
    const history = (await h.store.history(id)).map((x) => x.to);
    expect(history).toEqual(['received', 'queued', 'processing', 'delivered']);
    // Business keys for search: delivery with and without leading zeros, serials.
    const found = await h.store.search({ key: { kind: 'delivery', value: '80001234' } });
    expect(found.items.map((m) => m.id)).toContain(id);

    // SYSTAT01 to the SAP port: E1STATS with SAP's DOCNUM and status 12.
    await vi.waitFor(
      () => expect(h.sap.received.some((x) => x.body.toString('utf8').includes('SYSTAT01'))).toBe(true),
      { timeout: 10_000 },
    );
    const status = h.sap.received
      .find((x) => x.body.toString('utf8').includes('SYSTAT01'))!
      .body.toString('utf8');
    expect(status).toContain('<DOCNUM>0000000000900001</DOCNUM>');
    expect(status).toContain('<STATUS>12</STATUS>');
    expect(status).toContain('<MESTYP>STATUS</MESTYP>');
    expect(status).toContain('<RCVPRN>PRDCLNT100</RCVPRN>');
    const statusMsg = await h.store.search({ messageType: 'STATUS' });
    expect(statusMsg.items[0]?.correlation).toEqual({ messageId: id, kind: 'status-of' });
    expect(h.metrics.total('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('answers a duplicate (same sender and DOCNUM) with the original and does not process it again', async () => {
    const body = delvry07Xml('900002');
    const a = await h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body });
    const id = a.messages[0]!.id;
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), { timeout: 10_000 });
    const b = await h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body });
    expect(b.messages[0]).toMatchObject({ id, duplicate: true, status: 'delivered' });
    expect(h.wms.received.filter((x) => x.headers['idempotency-key'] === id)).toHaveLength(1);
    expect((await h.store.history(id)).filter((x) => x.to === 'queued')).toHaveLength(1);
  });

  it('rejects IDocs for unknown partners or message types and stores nothing', async () => {
    const unknown = delvry07Xml('900003').replace('<RCVPRN>WMSEAST</RCVPRN>', '<RCVPRN>NOBODY</RCVPRN>');
    const err = await h.runtime
      .ingest({ channel: 'sap-xml-http', principal: fromSap, body: unknown })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdocgateError);
    expect((err as IdocgateError).code).toBe('PARTNER_UNKNOWN');
    const wrongType = delvry07Xml('900004').replace('<MESTYP>WHSORD</MESTYP>', '<MESTYP>SHPORD</MESTYP>');
    await expect(
      h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body: wrongType }),
    ).rejects.toMatchObject({ code: 'MESSAGE_TYPE_NOT_ALLOWED' });
    expect((await h.store.search({ docnum: '900003' })).items).toHaveLength(0);
    expect((await h.store.search({ docnum: '900004' })).items).toHaveLength(0);
  });
});

describe('handheld JSON -> MBGMCR03 -> SAP XML-HTTP', () => {
  it('maps with a new DOCNUM and the port defaults, delivers once', async () => {
    const r = await h.runtime.ingest({
      channel: 'partner-json',
      principal: handheld,
      contract: 'handheld-goods-movement',
      body: handheldScan('HH-E2E-1'),
      contentType: 'application/json',
      idempotencyKey: 'scan-HH-E2E-1',
    });
    const id = r.messages[0]!.id;
    expect(r.messages[0]).toMatchObject({ duplicate: false, messageType: 'MBGMCR' });
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), { timeout: 10_000 });
    const posted = h.sap.received.filter((x) => x.body.toString('utf8').includes('HH-E2E-1'));
    expect(posted).toHaveLength(1);
    const xml = posted[0]!.body.toString('utf8');
    expect(xml).toContain('<IDOCTYP>MBGMCR03</IDOCTYP>');
    expect(xml).toContain('<MESTYP>MBGMCR</MESTYP>');
    expect(xml).toContain('<SNDPRN>IDOCGATE</SNDPRN>');
    expect(xml).toContain('<RCVPRN>PRDCLNT100</RCVPRN>');
    expect(xml).toContain('<MANDT>100</MANDT>');
    expect(xml).toContain('<SERIALNO>SN-1001</SERIALNO>');
    const docnum = /<DOCNUM>(\d{16})<\/DOCNUM>/.exec(xml)?.[1];
    expect(docnum).toBeDefined();
    // The DOCNUM it got is searchable; the same scan again is a duplicate.
    expect(
      (await h.store.search({ key: { kind: 'docnum', value: docnum! } })).items.map((m) => m.id),
    ).toEqual([id]);
    const again = await h.runtime.ingest({
      channel: 'partner-json',
      principal: handheld,
      contract: 'handheld-goods-movement',
      body: handheldScan('HH-E2E-1'),
      idempotencyKey: 'scan-HH-E2E-1',
    });
    expect(again.messages[0]).toMatchObject({ id, duplicate: true });
  });

  it('rejects payloads that break the contract, unknown contracts and foreign senders (4xx, nothing stored)', async () => {
    await expect(
      h.runtime.ingest({
        channel: 'partner-json',
        principal: handheld,
        contract: 'handheld-goods-movement',
        body: '{"scanId":1}',
      }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
    await expect(
      h.runtime.ingest({
        channel: 'partner-json',
        principal: handheld,
        contract: 'no-such-contract',
        body: '{}',
      }),
    ).rejects.toMatchObject({ code: 'CONTRACT_UNKNOWN' });
    await expect(
      h.runtime.ingest({
        channel: 'partner-json',
        principal: handheld,
        contract: 'wms-confirmation',
        body: '{}',
      }),
    ).rejects.toMatchObject({ code: 'MESSAGE_TYPE_NOT_ALLOWED' });
    await expect(
      h.runtime.ingest({
        channel: 'partner-json',
        principal: { kind: 'partner', name: 'wms' },
        contract: 'handheld-goods-movement',
        body: handheldScan('HH-E2E-X'),
      }),
    ).rejects.toMatchObject({ code: 'MESSAGE_TYPE_NOT_ALLOWED' });
    expect((await h.store.search({ text: 'HH-E2E-X' })).items).toHaveLength(0);
  });

  it('works from the payload the edge already checked, and checks again one made for another contract', async () => {
    const contract = CONTRACTS.get('handheld-goods-movement')!;
    const checked = checkPayload(contract, JSON.parse(handheldScan('HH-E2E-VALUE')) as unknown);
    if (!checked.ok) throw new Error('the fixture breaks its contract');
    // The use case works from the checked value, not from a second parse of the body: the
    // message's keys are the value's (a body and value this different never come from the edge).
    const r = await h.runtime.ingest({
      channel: 'partner-json',
      principal: handheld,
      contract: contract.name,
      body: handheldScan('HH-E2E-BODY'),
      checked: checked.checked,
    });
    const id = r.messages[0]!.id;
    const scanKey = (value: string) => h.store.search({ key: { kind: 'scan', value } });
    expect((await scanKey('HH-E2E-VALUE')).items.map((m) => m.id)).toEqual([id]);
    expect((await scanKey('HH-E2E-BODY')).items).toEqual([]);
    const wmsFixture = readFileSync(
      'fixtures/mappings/wms-confirmation-to-delvry07/picked-partial.input.json',
      'utf8',
    );
    const other = checkPayload(CONTRACTS.get('wms-confirmation')!, JSON.parse(wmsFixture) as unknown);
    if (!other.ok) throw new Error('the WMS fixture breaks its contract');
    // A CheckedPayload of another contract does not vouch for this body: it is checked and refused.
    await expect(
      h.runtime.ingest({
        channel: 'partner-json',
        principal: handheld,
        contract: contract.name,
        body: '{"scanId":1}',
        checked: other.checked,
      }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
  });
});

describe('emitting an outbound IDoc (src/pipeline/outbound-idoc.ts)', () => {
  it('stores it on gateway:<port> with a new DOCNUM and the port defaults, queues it, and emits a key once', async () => {
    const input = {
      port: 'sap',
      idocType: 'SYSTAT01',
      messageType: 'STATUS',
      segments: [
        {
          type: 'E1STATS',
          fields: { TABNAM: 'EDI_DS40', DOCNUM: '0000000000123456', STATUS: '12' },
          children: [],
        },
      ],
      idempotencyKey: `emit-test-${Date.now()}`,
      by: 'test:emit',
      text: 'emit test',
    };
    const first = await emitOutboundIdoc(h.deps, input);
    expect(first.duplicate).toBe(false);
    const m = first.message;
    expect([m.direction, m.channel, m.idocType, m.messageType]).toEqual([
      'out',
      'gateway:sap',
      'SYSTAT01',
      'STATUS',
    ]);
    expect(m.receiver).toEqual({ prt: 'LS', prn: 'PRDCLNT100' });
    expect(m.docnum).toMatch(/^\d{16}$/);
    await vi.waitFor(async () => expect(await statusOf(m.id)).toBe('delivered'), { timeout: 10_000 });
    const sent = h.sap.received.filter((x) =>
      x.body.toString('utf8').includes(`<DOCNUM>${m.docnum}</DOCNUM>`),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.toString('utf8')).toContain('<SNDPRN>IDOCGATE</SNDPRN>');

    // The same key again: the stored message, no new DOCNUM, nothing sent again.
    const before = await h.deps.store.nextIdocNumber();
    const again = await emitOutboundIdoc(h.deps, input);
    expect([again.duplicate, again.message.id]).toEqual([true, m.id]);
    const after = await h.deps.store.nextIdocNumber();
    expect(BigInt(after) - BigInt(before)).toBe(1n);
  });

  it('refuses a port that is not configured', async () => {
    await expect(
      emitOutboundIdoc(h.deps, {
        port: 'nowhere',
        idocType: 'SYSTAT01',
        messageType: 'STATUS',
        segments: [],
        idempotencyKey: 'emit-nowhere',
        by: 'test:emit',
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
