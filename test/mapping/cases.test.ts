/** Tests as data: every case under fixtures/mappings/<mapping>/ runs against its mapping. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../src/contracts/registry.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import type { Idoc } from '../../src/idoc/model.js';
import { validateIdoc } from '../../src/idoc/validate.js';
import { listCases, runCase } from '../../src/mapping/cases.js';
import { loadMappings } from '../../src/mapping/load.js';

const definitions = loadDefinitions();
const registry = loadMappings(undefined, { definitions });

describe('built-in mappings', () => {
  it('are the four of issue 3', () => {
    expect(
      registry
        .list()
        .map((m) => m.name)
        .sort(),
    ).toEqual([
      'delvry07-to-wms-delivery-order',
      'handheld-to-mbgmcr03',
      'mbgmcr03-to-peoplesoft',
      'wms-confirmation-to-delvry07',
    ]);
  });
});

for (const mapping of registry.list()) {
  const cases = listCases(mapping.name);
  describe(`mapping ${mapping.name}`, () => {
    it('has at least three cases, one of them failing with expected issues', () => {
      expect(cases.length).toBeGreaterThanOrEqual(3);
      expect(cases.some((c) => c.issuesFile)).toBe(true);
      expect(cases.some((c) => c.expectedFile)).toBe(true);
    });

    for (const c of cases) {
      it(`case ${c.name}`, () => {
        const outcome = runCase(mapping, c, definitions);
        expect(outcome.problems).toEqual([]);
        if (!c.expectedFile) return;
        const expected = JSON.parse(readFileSync(c.expectedFile, 'utf8')) as unknown;
        if (mapping.direction === 'json-to-idoc') {
          // Generated IDocs validate against their definition.
          const errors = validateIdoc(expected as Idoc, definitions).filter((i) => i.severity !== 'warning');
          expect(errors).toEqual([]);
        } else {
          // JSON outputs satisfy the target contract.
          const contract = CONTRACTS.get(mapping.target.contract ?? '');
          expect(contract?.schema.safeParse(expected).error?.issues).toBeUndefined();
        }
      });
    }
  });
}
