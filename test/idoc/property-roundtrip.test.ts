/**
 * Property-based round trips over random valid IDocs of EVERY loaded definition
 * (./property-arbitraries.ts): flat -> model -> flat, model -> XML -> model, and
 * model -> flat -> model -> XML -> model give back exactly what went in (values and their order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { readIdocs, writeIdocs } from '../../src/idoc/codec.js';
import { toCanonical } from '../../src/idoc/codec-json.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import { countSegments, type Idoc } from '../../src/idoc/model.js';
import { validateIdocs } from '../../src/idoc/validate.js';
import { parseXml } from '../../src/idoc/xml-reader.js';
import { writeXml } from '../../src/idoc/xml-writer.js';
import { idocArb } from './property-arbitraries.js';

const registry = loadDefinitions();
const definitions = registry.list();
const RUNS = 60;

/** Canonical JSON text: equal text = same values in the same order. */
const canon = (idocs: readonly Idoc[]): string => JSON.stringify(idocs.map(toCanonical));

describe('random valid IDocs', () => {
  it('cover every shipped definition', () => {
    expect(definitions.map((d) => d.key).sort()).toEqual([
      'ALEAUD01',
      'DELVRY03',
      'DELVRY07',
      'MBGMCR03',
      'SYSTAT01',
    ]);
  });

  for (const def of definitions) {
    describe(def.key, () => {
      const idocs = fc.array(idocArb(def), { minLength: 1, maxLength: 2 });

      it('are valid against their definition (the generator is right)', () => {
        fc.assert(
          fc.property(idocs, (list) => {
            const errors = validateIdocs(list, registry).filter((i) => i.severity !== 'warning');
            expect(errors).toEqual([]);
          }),
          { numRuns: RUNS },
        );
      });

      it('flat -> model -> flat is identical, and the model is what was written', () => {
        fc.assert(
          fc.property(idocs, (list) => {
            const flat = writeFlat(list, registry);
            const read = parseFlat(flat, registry);
            expect(read.issues).toEqual([]);
            expect(canon(read.idocs)).toBe(canon(list));
            expect(writeFlat(read.idocs, registry)).toBe(flat);
          }),
          { numRuns: RUNS },
        );
      });

      it('model -> XML -> model is identical', () => {
        fc.assert(
          fc.property(idocs, (list) => {
            const read = parseXml(writeXml(list));
            expect(read.issues).toEqual([]);
            expect(canon(read.idocs)).toBe(canon(list));
          }),
          { numRuns: RUNS },
        );
      });

      it('model -> flat -> model -> XML -> model is identical (through the codec facade)', () => {
        fc.assert(
          fc.property(idocs, (list) => {
            const viaFlat = readIdocs(writeIdocs(list, 'flat', registry), registry);
            const viaXml = readIdocs(writeIdocs(viaFlat.idocs, 'xml', registry), registry);
            expect([viaFlat.format, viaXml.format]).toEqual(['flat', 'xml']);
            expect(canon(viaXml.idocs)).toBe(canon(list));
            const viaJson = readIdocs(writeIdocs(viaXml.idocs, 'json', registry), registry);
            expect(canon(viaJson.idocs)).toBe(canon(list));
          }),
          { numRuns: RUNS },
        );
      });
    });
  }

  it('generate trees of some size (not only the mandatory segments)', () => {
    const delvry = registry.get('DELVRY07')!;
    const sizes = fc.sample(idocArb(delvry), { numRuns: 50, seed: 7 }).map(countSegments);
    expect(Math.max(...sizes)).toBeGreaterThan(20);
  });
});
