import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../../src/definitions/load.js';
import { writeIdocs } from '../../../src/idoc/codec.js';
import { readMessage } from '../../../src/ledger/deliveries/catch-up.js';
import { decodePayload } from '../../../src/ledger/movements/payload.js';
import {
  bestPayload,
  inputVersion,
  payloadsToRead,
  type PayloadVersion,
} from '../../../src/pipeline/payload-version.js';
import { extractFromMessage } from '../../../src/ledger/serials/extract-message.js';
import { buildSiteDirectory, loadSiteRows } from '../../../src/ledger/serials/sites.js';
import { defaultLedgerConfig } from '../../../src/config/ledger.js';
import type { VersionRecord } from '../../../src/pipeline/store-port.js';
import { delvry07, handheldReceipt, testSites } from '../../sweeper/support.js';

const definitions = loadDefinitions();
const idoc = delvry07('80000191', [{ posnr: '10', matnr: '4711', qty: '2.000', serials: ['SN-1'] }], {
  mestyp: 'WHSORD',
});

function version(n: number, kind: VersionRecord['kind'], format: VersionRecord['format'], content: string) {
  return {
    id: n,
    messageId: 'm1',
    version: n,
    kind,
    format,
    content,
    contentType: null,
    createdBy: 'test',
    note: null,
    createdAt: new Date(0),
  } satisfies VersionRecord;
}

describe('which payload version the ledgers read', () => {
  it('the newest input version (edited, raw, or a parsed model of older rows: whichever came last), then mapped: what the pipeline processes', () => {
    const v = (version: number, kind: PayloadVersion['kind']): PayloadVersion => ({
      version,
      kind,
      format: 'json',
      content: '{}',
    });
    const all = [v(1, 'raw'), v(2, 'parsed'), v(3, 'mapped'), v(4, 'edited'), v(5, 'parsed'), v(6, 'edited')];
    expect(payloadsToRead(all).map((x) => `${x.kind}${x.version}`)).toEqual([
      'edited6',
      'parsed5',
      'edited4',
      'parsed2',
      'raw1',
      'mapped3',
    ]);
    // SAP sent the DOCNUM again with other content after an operator's edit: the pipeline
    // processes the resend (raw + parsed after the edit), and the ledgers read that one too.
    const resent = [v(1, 'raw'), v(2, 'parsed'), v(3, 'edited'), v(4, 'raw'), v(5, 'parsed')];
    expect(bestPayload(resent)?.version).toBe(5);
    expect(inputVersion(resent)).toBe(bestPayload(resent));
    expect(inputVersion([v(1, 'raw'), v(2, 'mapped')]).kind).toBe('raw');
    expect(() => inputVersion([v(1, 'mapped')])).toThrow('no payload version');
    expect(bestPayload([v(1, 'raw'), v(3, 'mapped'), v(2, 'parsed')])?.version).toBe(2);
    // SAP sent the IDoc again with other content: its new raw wins over the old parsed model.
    expect(bestPayload([v(1, 'raw'), v(2, 'parsed'), v(3, 'raw')])?.version).toBe(3);
    // The gateway stores no parsed model any more: SAP's resend after an edit is a raw, and wins.
    expect(bestPayload([v(1, 'raw'), v(2, 'edited'), v(3, 'raw')])?.version).toBe(3);
    expect(bestPayload([v(1, 'raw'), v(2, 'raw'), v(3, 'edited')])?.version).toBe(3);
    expect(bestPayload([v(1, 'raw'), v(2, 'mapped')])?.kind).toBe('raw');
    expect(bestPayload([v(3, 'mapped'), v(1, 'raw')])?.kind).toBe('raw');
    expect(bestPayload([])).toBeUndefined();
  });

  it('both ledgers read an edited partner JSON instead of the raw one', () => {
    const raw = handheldReceipt('SCAN-1', '80000191', [
      { article: '4711', quantity: 1, serialNumbers: ['SN-1'] },
    ]);
    const edited = handheldReceipt('SCAN-1', '80000191', [
      { article: '4711', quantity: 2, serialNumbers: ['SN-2'] },
    ]);
    const versions = [
      version(1, 'raw', 'json', JSON.stringify(raw)),
      version(2, 'parsed', 'json', JSON.stringify(raw)),
      version(3, 'edited', 'json', JSON.stringify(edited)),
    ];
    const message = {
      id: 'm1',
      direction: 'in' as const,
      messageType: 'handheld-goods-movement',
      idocType: null,
      status: 'delivered' as const,
      idempotencyKey: null,
      createdAt: new Date(0),
    };
    const deliveries = readMessage(message, versions, { definitions, sites: testSites(), timeZone: 'UTC' });
    expect(
      deliveries.kind === 'receipt' && deliveries.lines.map((l) => [l.quantityMilli, l.serials]),
    ).toEqual([[2000, ['SN-2']]]);
    const best = bestPayload(versions)!;
    const serials = extractFromMessage(
      {
        id: 'm1',
        messageType: message.messageType,
        correlationKind: null,
        createdAt: new Date(0),
        payload: best,
      },
      buildSiteDirectory(loadSiteRows(), defaultLedgerConfig({})),
      () => undefined,
      'UTC',
    );
    expect(serials.outcome === 'events' && serials.extraction.events.map((e) => e.serial)).toEqual(['SN-2']);
  });

  it('a version that says nothing to the ledger is passed over for the next one', () => {
    const versions = [
      version(1, 'raw', 'json', JSON.stringify({ not: 'a contract of the ledger' })),
      version(2, 'parsed', 'text', 'plain text'),
      version(3, 'mapped', 'xml', writeIdocs([idoc], 'xml', definitions)),
    ];
    const r = readMessage(
      {
        id: 'm1',
        direction: 'out',
        messageType: 'WHSORD',
        idocType: 'DELVRY07',
        status: 'delivered',
        idempotencyKey: null,
        createdAt: new Date(0),
      },
      versions,
      { definitions, sites: testSites(), timeZone: 'UTC' },
    );
    expect(r.kind === 'expect' && r.deliveries.map((d) => d.delivery)).toEqual(['80000191']);
  });
});

describe('what a payload holds', () => {
  it('canonical IDoc JSON, IDoc-XML and (with definitions) flat files are IDocs; other JSON is partner JSON', () => {
    const json = decodePayload({ format: 'json', content: JSON.stringify({ ...idoc, layout: 'hint' }) });
    expect(json.kind === 'idocs' && json.idocs[0]?.control.DOCNUM).toBe(idoc.control.DOCNUM);
    const xml = decodePayload({ format: 'xml', content: writeIdocs([idoc], 'xml', definitions) });
    expect(xml.kind === 'idocs' && xml.idocs[0]?.segments[0]?.fields['VBELN']).toBe('0080000191');
    const flatText = writeIdocs([idoc], 'flat', definitions);
    const flat = decodePayload({ format: 'flat', content: new TextEncoder().encode(flatText) }, definitions);
    expect(flat.kind === 'idocs' && flat.idocs[0]?.segments[0]?.fields['VBELN']).toBe('0080000191');
    expect(decodePayload({ format: 'flat', content: flatText })).toEqual({
      kind: 'not-read',
      reason: 'payload format flat is not read by the ledger',
    });
    expect(decodePayload({ format: 'json', content: '[{"scanId":"S1"}]' })).toEqual({
      kind: 'partner-json',
      value: [{ scanId: 'S1' }],
    });
  });

  it('throws on a payload that looks like JSON or an IDoc but cannot be read', () => {
    expect(() => decodePayload({ format: 'json', content: '{"control": ' })).toThrow(SyntaxError);
    expect(() => decodePayload({ format: 'json', content: '{"control": {}, "segments": 5}' })).toThrow(
      /segments/,
    );
  });
});

describe('no parsed version: the serial ledger reads the raw input', () => {
  const message = (content: string | Uint8Array, format: string) => ({
    id: 'm1',
    messageType: 'WHSORD',
    correlationKind: null,
    createdAt: new Date(0),
    payload: { kind: 'raw' as const, format, content },
  });
  const sites = buildSiteDirectory(loadSiteRows(), defaultLedgerConfig({}));

  it('reads a raw flat IDoc file (and IDoc-XML as bytes) with the definitions, as it read the parsed model', () => {
    const fromModel = extractFromMessage(
      message(JSON.stringify({ control: idoc.control, segments: idoc.segments }), 'json'),
      sites,
      () => undefined,
      'UTC',
    );
    expect(fromModel.outcome === 'events' && fromModel.extraction.events.map((e) => e.serial)).toEqual([
      'SN-1',
    ]);
    const flat = writeIdocs([idoc], 'flat', definitions);
    const xmlBytes = Buffer.from(writeIdocs([idoc], 'xml', definitions));
    // Without the definitions a flat file is not read at all.
    expect(extractFromMessage(message(flat, 'flat'), sites, () => undefined, 'UTC')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('not read'),
    });
    for (const [content, format] of [
      [flat, 'flat'],
      [xmlBytes, 'xml'],
    ] as const) {
      expect(
        extractFromMessage(message(content, format), sites, () => undefined, 'UTC', definitions),
      ).toEqual(fromModel);
    }
  });
});
