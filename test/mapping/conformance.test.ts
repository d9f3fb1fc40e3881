/**
 * Real DELVRY07 documents written by SAP systems (../shared/conformance, not part of this
 * project) go through the delivery-order mapping. Their plants are not in the example site
 * table, so each run gets a site table for its own plants (MappingContext.tables).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../src/contracts/registry.js';
import { parseXml } from '../../src/idoc/xml-reader.js';
import { walkSegments } from '../../src/idoc/model.js';
import { loadMappings } from '../../src/mapping/load.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const CONFORMANCE = join(PROJECT_ROOT, '..', 'shared', 'conformance');
const present = existsSync(join(CONFORMANCE, 'manifest.json'));
if (!present) console.warn(`conformance suite skipped: ${CONFORMANCE} is absent`);

interface Entry {
  file: string;
  idoctyp: string;
  mestyp: string;
  format: string;
  expect: string;
}

/** Samples that are valid IDocs but cannot be mapped, with the issues that say why. */
const EXPECTED_FAILURES: Record<string, string[]> = {
  // A delivery update carrying only changed fields: no DOCNUM, no quantities, a placeholder time.
  'samples/DELVRY07/sap-recipes-3pl-outbound-delivery-update-minimal-dc40.xml': [
    'REQUIRED_VALUE_MISSING /idocNumber',
    'CONVERSION_FAILED /plannedGoodsMovement',
    'REQUIRED_VALUE_MISSING /items/0/quantity',
    'REQUIRED_VALUE_MISSING /items/1/quantity',
    'REQUIRED_VALUE_MISSING /items/2/quantity',
    'REQUIRED_VALUE_MISSING /items/3/quantity',
  ],
};

describe.skipIf(!present)('conformance: real DELVRY07 samples -> WMS delivery order', () => {
  const entries = present
    ? (JSON.parse(readFileSync(join(CONFORMANCE, 'manifest.json'), 'utf8')) as Entry[]).filter(
        (e) => e.idoctyp === 'DELVRY07' && e.format === 'xml' && e.expect.startsWith('valid'),
      )
    : [];
  const mapping = loadMappings().get('delvry07-to-wms-delivery-order')!;
  const contract = CONTRACTS.get('wms-delivery-order')!;

  it('finds the samples', () => {
    expect(entries.length).toBeGreaterThanOrEqual(5);
  });

  for (const e of entries) {
    it(e.file, () => {
      const idoc = parseXml(readFileSync(join(CONFORMANCE, e.file), 'utf8')).idocs[0]!;
      const plants = new Set<string>();
      for (const { segment } of walkSegments(idoc.segments))
        if (segment.type === 'E1EDL24' && segment.fields['WERKS']) plants.add(segment.fields['WERKS']);
      const sites = { name: 'sites', columns: ['site', 'plant'], rows: [...plants].map((p) => [`P${p}`, p]) };
      const r = mapping.run(idoc, {
        now: new Date('2024-03-02T12:00:00Z'),
        timeZone: 'Europe/Berlin',
        tables: { sites },
      });
      const errors = r.issues.filter((i) => i.severity !== 'warning').map((i) => `${i.code} ${i.targetPath}`);
      expect(errors).toEqual(EXPECTED_FAILURES[e.file] ?? []);
      if (errors.length > 0) return;
      expect(contract.schema.safeParse(r.output).error?.issues).toBeUndefined();
      const out = r.output as { messageType: string; items: unknown[] };
      expect(out.messageType).toBe(e.mestyp);
      expect(out.items.length).toBeGreaterThan(0);
    });
  }
});
