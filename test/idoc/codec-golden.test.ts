/**
 * Golden files (fixtures/golden): a DELVRY07 with items, handling units and serial numbers and an
 * MBGMCR03 with serial numbers, each as flat (.idoc), IDoc-XML (.xml), IDoc-SOAP (.soap.xml) and
 * canonical JSON (.json). Every form converts into every form (itself included) byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { convertIdocs, readIdocs } from '../../src/idoc/codec.js';
import { IDOC_FORMATS, type IdocFormat } from '../../src/idoc/detect.js';
import { walkSegments, type Idoc } from '../../src/idoc/model.js';
import { validateIdocs } from '../../src/idoc/validate.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const DIR = join(PROJECT_ROOT, 'fixtures', 'golden');
const EXT: Record<IdocFormat, string> = { flat: 'idoc', xml: 'xml', soap: 'soap.xml', json: 'json' };
const NAMES = ['delvry07-serials', 'mbgmcr03-serials'] as const;
const registry = loadDefinitions();

const golden = (name: string, format: IdocFormat): Buffer =>
  readFileSync(join(DIR, `${name}.${EXT[format]}`));

function count(idoc: Idoc, type: string): number {
  return [...walkSegments(idoc.segments)].filter((w) => w.segment.type === type).length;
}

describe('golden files', () => {
  for (const name of NAMES) {
    describe(name, () => {
      for (const from of IDOC_FORMATS) {
        for (const to of IDOC_FORMATS) {
          it(`${from} -> ${to} is byte-identical to ${name}.${EXT[to]}`, () => {
            const r = convertIdocs(golden(name, from), to, registry);
            expect(r.format).toBe(from);
            expect(r.issues).toEqual([]);
            expect(Buffer.from(r.output, 'utf8').equals(golden(name, to))).toBe(true);
          });
        }
      }

      it('is valid against its definition', () => {
        const { idocs } = readIdocs(golden(name, 'flat'), registry);
        expect(validateIdocs(idocs, registry).filter((i) => i.severity !== 'warning')).toEqual([]);
      });
    });
  }

  it('DELVRY07 carries items, handling units and serial numbers at item and HU level', () => {
    const idoc = readIdocs(golden('delvry07-serials', 'json'), registry).idocs[0]!;
    expect(idoc.control).toMatchObject({ IDOCTYP: 'DELVRY07', MESTYP: 'DESADV' });
    expect(count(idoc, 'E1EDL24')).toBe(3);
    expect(count(idoc, 'E1EDL11')).toBe(6);
    expect(count(idoc, 'E1EDL37')).toBe(2);
    expect(count(idoc, 'E1EDL44')).toBe(6);
    expect(count(idoc, 'E1EDL46')).toBe(12);
  });

  it('MBGMCR03 carries items and serial numbers', () => {
    const idoc = readIdocs(golden('mbgmcr03-serials', 'xml'), registry).idocs[0]!;
    expect(idoc.control).toMatchObject({ IDOCTYP: 'MBGMCR03', MESTYP: 'MBGMCR' });
    expect(count(idoc, 'E1BP2017_GM_ITEM_CREATE')).toBe(2);
    expect(count(idoc, 'E1BP2017_GM_SERIALNUMBER')).toBe(6);
  });

  it('flat golden files use SAP file-port layout: HLEVEL from the definition, records padded to the segment', () => {
    const lines = golden('delvry07-serials', 'flat').toString('utf8').split('\n');
    const e1edl24 = lines.find((l) => l.startsWith('E2EDL24007'))!;
    expect(e1edl24.slice(61, 63)).toBe('03'); // HLEVEL of E1EDL24
    expect(e1edl24).toHaveLength(63 + 987); // header + E2EDL24007 SDATA
  });
});
