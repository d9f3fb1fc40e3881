/**
 * Every XML sample of the shared conformance corpus (../shared/conformance, third-party files,
 * never copied here) behaves as its manifest entry and SOURCES.md say, and every sample that
 * parses survives XML -> model -> XML -> model unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import { countSegments } from '../../src/idoc/model.js';
import { parseXml } from '../../src/idoc/xml-reader.js';
import { writeXml } from '../../src/idoc/xml-writer.js';

const CONFORMANCE = resolve(import.meta.dirname, '../../../shared/conformance');
const present = existsSync(join(CONFORMANCE, 'manifest.json'));
if (!present) console.warn(`The conformance suite was skipped: ${CONFORMANCE} is absent.`);

interface Entry {
  file: string;
  format: string;
  expect: string;
  idocs: number;
  idoctyp: string;
}

const entries: Entry[] = present
  ? (JSON.parse(readFileSync(join(CONFORMANCE, 'manifest.json'), 'utf8')) as Entry[]).filter((e) =>
      e.format.startsWith('xml'),
    )
  : [];
const parses = new Set([
  'valid',
  'valid-with-warning',
  'template',
  'anomalous',
  'invalid-values',
  'unknown-type',
]);

function errorOf(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

describe.skipIf(!present)('IDoc-XML conformance samples', () => {
  const bytes = (file: string) => readFileSync(join(CONFORMANCE, file));

  it('covers the XML part of the corpus', () => {
    expect(entries.length).toBeGreaterThanOrEqual(30);
  });

  for (const e of entries.filter((x) => parses.has(x.expect))) {
    it(`parses ${e.expect} ${e.file} and round-trips it`, () => {
      const { idocs, issues } = parseXml(bytes(e.file));
      expect(idocs).toHaveLength(e.idocs);
      const first = idocs[0]!;
      expect((first.control.IDOCTYP ?? '').trim()).toBe(e.idoctyp);
      expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
      // XML -> model -> XML -> model keeps every value and order.
      const again = parseXml(writeXml(idocs));
      expect(again.idocs).toEqual(idocs);
      expect(Object.keys(again.idocs[0]!.control)).toEqual(Object.keys(first.control));
    });
  }

  it('rejects a document without <IDOC> (DELVRY03 root only)', () => {
    const err = errorOf(() =>
      parseXml(bytes('samples/DELVRY03/ballerina-test-missing-idoc-element-invalid.xml')),
    );
    expect(err.code).toBe('IDOC_NO_IDOC_ELEMENT');
    expect(err.message).toContain('<DELVRY03>');
  });

  it('rejects EDI_DC40 directly under the root and says why', () => {
    const err = errorOf(() =>
      parseXml(bytes('samples/MBGMCR03/esg-carbon-ledger-generated-mbgmcr03-no-idoc-wrapper-invalid.xml')),
    );
    expect(err.code).toBe('IDOC_NO_IDOC_ELEMENT');
    expect(err.message).toContain('EDI_DC40');
  });

  it('recognises the camel-sap EMF document as a foreign format', () => {
    const err = errorOf(() =>
      parseXml(bytes('samples/DELVRY03/gaya3patta-fusesource-camel-sap-document-whscon-foreign-format.xml')),
    );
    expect(err.code).toBe('IDOC_FOREIGN_FORMAT');
    expect(err.message).toMatch(/camel-sap/);
    expect(err.httpStatus).toBe(415);
  });

  it('rejects the mangled tree-view copy as not well-formed, with a position', () => {
    const err = errorOf(() =>
      parseXml(bytes('samples/ORDERS01/theobald-docs-orders01-mangled-xml-invalid.xml')),
    );
    expect(err.code).toBe('IDOC_NOT_WELL_FORMED_XML');
    expect(err.message).toMatch(/line \d+, column \d+/);
  });

  it('keeps the odd root of the ZIMLOIMSO sample and warns', () => {
    const { idocs, issues } = parseXml(bytes('samples/ZIMLOIMSO/nocbot-sdi-root-differs-from-idoctyp.xml'));
    expect(idocs[0]!.xml).toEqual({ root: 'ZIM_LOISMO' });
    expect(issues.map((i) => i.code)).toEqual(['XML_ROOT_NAME_MISMATCH']);
    expect(writeXml(idocs)).toContain('<ZIM_LOISMO>');
  });

  it('reads values exactly: blanks, entities, CDATA, UTF-8, default namespace', () => {
    const s4 = parseXml(bytes('samples/DELVRY07/cpi-snapshot-s4-desadv-mescod-tis-utf8.xml')).idocs[0]!;
    expect(countSegments(s4)).toBe(99); // 100 SEGMENT="1" elements, one of them EDI_DC40
    const text = JSON.stringify(s4);
    expect(text).toContain('"ORMNG":"       500.000"');
    expect(text).toContain('GMM F&B');
    const tabs = parseXml(bytes('samples/DELVRY07/sap-recipes-o2c-soap-desadv-tabs-no-xmldecl.xml'))
      .idocs[0]!;
    expect(JSON.stringify(tabs)).toContain('"KDMAT":"TG-D120_AU "');
    const cz = parseXml(bytes('samples/DELVRY07/sap-recipes-o2c-desadv-x12-7010-utf8-czech.xml')).idocs[0]!;
    expect(cz.control.SNDPRT).toBe('');
    expect(JSON.stringify(cz)).toContain('Exped.střed.- 0001');
    const cdata = parseXml(bytes('samples/MBGMCR03/nocbot-sdi-gmcode06-inventory-701-template-cdata.xml'))
      .idocs[0]!;
    expect(cdata.control.TABNAM).toBe('EDI_DC40');
    expect(cdata.control.MESTYP).toBe('ZWIM_MBGMCR');
    const ns = parseXml(bytes('samples/DELVRY07/cpi-snapshot-tpm-desadv-soap-default-namespace.xml'))
      .idocs[0]!;
    expect(ns.xml).toEqual({ root: 'DELVRY07', namespace: 'urn:sap-com:document:sap:idoc:soap:messages' });
    expect(ns.segments[0]!.type).toBe('E1EDL20');
    expect(writeXml(ns)).toContain('<DELVRY07 xmlns="urn:sap-com:document:sap:idoc:soap:messages">');
  });

  it('keeps the shuffled control field order of the eskadia sample', () => {
    const { idocs } = parseXml(
      bytes('samples/ORDERS05/eskadia-idoc-guard-smoke-dc40-field-order-shuffled.xml'),
    );
    const keys = Object.keys(idocs[0]!.control);
    const written = Object.keys(parseXml(writeXml(idocs)).idocs[0]!.control);
    expect(written).toEqual(keys);
  });

  it('keeps empty segments as segments', () => {
    const { idocs } = parseXml(
      bytes('samples/MBGMCR03/nocbot-sdi-gmcode03-gi-costcenter-template-empty-segment.xml'),
    );
    const item = idocs[0]!.segments[0]!.children.find((s) => s.type === 'E1BP2017_GM_ITEM_CREATE')!;
    expect(item.children).toEqual([{ type: 'E1BP2017_GM_ITEM_CREATE1', fields: {}, children: [] }]);
  });
});
