/**
 * Only what cannot be derived is stored (issue 13, item 2): an IDoc from SAP is stored as its raw
 * input only — the IDoc model (the former `parsed` version) is read from the raw by the worker,
 * the ledgers and the support API. Rows stored before, with a parsed version, still process from
 * it. A resend compares IDoc models, not bytes. Real parts: the store (PostgreSQL, else PGlite),
 * BullMQ on Redis, the fake WMS over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeIdocs } from '../../src/idoc/codec.js';
import { decodePayload } from '../../src/ledger/movements/payload.js';
import { addJob } from '../../src/pipeline/enqueue.js';
import { inputVersion } from '../../src/pipeline/payload-version.js';
import { decodeIdoc } from '../../src/pipeline/prepare.js';
import { bodyText, idocToJson } from '../../src/pipeline/wire.js';
import { definitions, delvry07, delvry07Xml, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'derived' });
  await h.startWorkers();
});
afterAll(async () => {
  await h.close();
});

const fromSap = { kind: 'port', name: 'sap' } as const;
const WAIT = { timeout: 15_000 };

async function statusOf(id: string): Promise<string | undefined> {
  return (await h.store.get(id))?.status;
}

function deliveredTo(id: string): { delivery?: string }[] {
  return h.wms.received
    .filter((x) => x.headers['idempotency-key'] === id)
    .map((x) => x.json as { delivery?: string });
}

describe('the IDoc model is derived from the raw input, not stored', () => {
  it('IDoc-XML and flat: one payload copy stored; the worker and the ledgers read the model from it', async () => {
    const xml = delvry07Xml('910001', '0080009101');
    const flat = writeIdocs([delvry07('910002', '0080009102')], 'flat', definitions);
    for (const [body, docnum, delivery] of [
      [xml, '910001', '80009101'],
      [flat, '910002', '80009102'],
    ] as const) {
      const r = await h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body });
      const id = r.messages[0]!.id;
      await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), WAIT);
      expect(deliveredTo(id)).toMatchObject([{ delivery }]);
      const versions = await h.store.versions(id);
      expect(versions.map((v) => v.kind)).toEqual(['raw', 'mapped']);
      expect(bodyText(versions[0]!.content)).toBe(bodyText(body));
      // The model read back from the raw is what the edge read (what was stored as `parsed`).
      const model = decodeIdoc(h.deps, inputVersion(versions));
      expect(model.control.DOCNUM).toBe(docnum.padStart(16, '0'));
      expect(idocToJson(model)).toBe(idocToJson(delvry07(docnum, `00${delivery}`)));
      // The ledgers read the raw too (a flat file needs the definitions).
      const read = decodePayload(versions[0]!, definitions);
      expect(read.kind === 'idocs' && read.idocs[0]!.control.DOCNUM).toBe(docnum.padStart(16, '0'));
    }
  });

  it('a message stored before, with a parsed version, is still processed from that version', async () => {
    const parsed = delvry07('910003', '0080009199');
    const r = await h.store.receive({
      direction: 'in',
      partner: 'wms',
      channel: 'sap-xml-http',
      idocType: 'DELVRY07',
      messageType: 'WHSORD',
      docnum: '910003',
      sender: { prt: 'LS', prn: 'PRDCLNT100' },
      raw: { format: 'xml', content: delvry07Xml('910003', '0080009103') },
      parsed: { format: 'json', content: idocToJson(parsed), contentType: 'application/json' },
      by: 'test:legacy-row',
      queueToken: '1',
    });
    expect(r.duplicate).toBe(false);
    const id = r.message.id;
    expect((await h.store.versions(id)).map((v) => v.kind)).toEqual(['raw', 'parsed']);
    await addJob(h.deps, r.message, '1', 'test:legacy-row');
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), WAIT);
    // The delivery number of the parsed version, not of the raw: the stored model still governs.
    expect(deliveredTo(id)).toMatchObject([{ delivery: '80009199' }]);
  });

  it('SAP sends the IDoc again: same model in another layout is a duplicate; other content is processed again', async () => {
    const first = await h.runtime.ingest({
      channel: 'sap-xml-http',
      principal: fromSap,
      body: delvry07Xml('910004', '0080009104'),
    });
    const id = first.messages[0]!.id;
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), WAIT);

    const sameAsFlat = writeIdocs([delvry07('910004', '0080009104')], 'flat', definitions);
    const again = await h.runtime.ingest({ channel: 'sap-xml-http', principal: fromSap, body: sameAsFlat });
    expect(again.messages[0]).toMatchObject({ id, duplicate: true });
    expect((await h.store.versions(id)).map((v) => v.kind)).toEqual(['raw', 'mapped']);

    const changed = await h.runtime.ingest({
      channel: 'sap-xml-http',
      principal: fromSap,
      body: delvry07Xml('910004', '0080009204'),
    });
    expect(changed.messages[0]).toMatchObject({ id, duplicate: false });
    await vi.waitFor(() => expect(deliveredTo(id)).toHaveLength(2), WAIT);
    await vi.waitFor(async () => expect(await statusOf(id)).toBe('delivered'), WAIT);
    expect(deliveredTo(id).map((d) => d.delivery)).toEqual(['80009104', '80009204']);
    // One new raw version (no parsed copy), then the mapping of the new content.
    expect((await h.store.versions(id)).map((v) => v.kind)).toEqual(['raw', 'mapped', 'raw', 'mapped']);
  });
});
