/** Mapping files are checked at load time; every problem names the file and the path inside it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { IdocgateError } from '../../src/errors.js';
import { loadMappings } from '../../src/mapping/load.js';

const definitions = loadDefinitions();
const root = mkdtempSync(join(tmpdir(), 'idocgate-mapping-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Writes one mapping (and a small table) into a fresh folder and loads it. */
function load(yaml: string): IdocgateError | undefined {
  const dir = join(root, `m${n++}`);
  mkdirSync(join(dir, 'tables'), { recursive: true });
  writeFileSync(join(dir, 'tables', 'units.yaml'), "columns: [sap, iso]\nrows:\n  - ['ST', 'PCE']\n");
  writeFileSync(join(dir, 'test-mapping.yaml'), yaml);
  try {
    loadMappings(dir, { definitions });
    return undefined;
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
}

const toIdoc = (segments: string): string => `
name: t
direction: json-to-idoc
source: { contract: wms-confirmation }
target:
  idoc: DELVRY07
  messageType: WHSCON
  segments:
${segments}`;

const toJson = (fields: string): string => `
name: t
direction: idoc-to-json
source: { idoc: DELVRY07, messageTypes: [WHSORD] }
target:
  contract: wms-delivery-order
  fields:
${fields}`;

function expectProblem(e: IdocgateError | undefined, path: string, text: RegExp): void {
  expect(e?.code).toBe('MAPPING_INVALID');
  expect(e?.message).toContain(`test-mapping.yaml#${path}`);
  expect(e?.message).toMatch(text);
}

describe('mapping load errors', () => {
  it('loads a valid minimal mapping', () => {
    expect(load(toIdoc('    - segment: E1EDL20\n      fields: { VBELN: delivery }'))).toBeUndefined();
  });

  it('reports schema violations with their path', () => {
    expectProblem(
      load(toIdoc('    - segment: E1EDL20\n      fields: { VBELN: { from: delivery, bogus: 1 } }')),
      '/target/segments/0/fields/VBELN',
      /additional properties \(bogus\)/,
    );
    expectProblem(
      load('name: t\ndirection: sideways\nsource: {}\ntarget: {}'),
      '/direction',
      /must be equal to one of/,
    );
  });

  it('reports invalid YAML', () => {
    expect(load('name: [unclosed')?.message).toMatch(/test-mapping\.yaml: not valid YAML/);
  });

  it('reports an unknown target segment and a segment under the wrong parent', () => {
    expectProblem(
      load(toIdoc('    - segment: E1EDL99')),
      '/target/segments/0/segment',
      /E1EDL99 is not a top-level segment/,
    );
    expectProblem(
      load(toIdoc('    - segment: E1EDL20\n      children:\n        - segment: E1EDL11')),
      '/target/segments/0/children/0/segment',
      /E1EDL11 is not a child of E1EDL20/,
    );
  });

  it('reports an unknown target field', () => {
    expectProblem(
      load(toIdoc('    - segment: E1EDL20\n      fields: { NOPE: delivery }')),
      '/target/segments/0/fields/NOPE',
      /E1EDL20 has no field NOPE/,
    );
  });

  it('reports a loop over a non-repeating segment, on either side', () => {
    expectProblem(
      load(
        toIdoc('    - segment: E1EDL20\n      children:\n        - segment: E1EDL22\n          each: items'),
      ),
      '/target/segments/0/children/0/each',
      /non-repeating segment E1EDL22/,
    );
    expectProblem(
      load(toJson('    items: { each: E1EDL20.E1EDL22, fields: { position: VSTEL_BEZ } }')),
      '/target/fields/items/each',
      /loop over a non-repeating segment/,
    );
  });

  it('reports segments out of definition order', () => {
    expectProblem(
      load(
        toIdoc(
          '    - segment: E1EDL20\n      children:\n        - segment: E1EDL24\n          each: items\n        - segment: E1EDL18',
        ),
      ),
      '/target/segments/0/children/1/segment',
      /E1EDL18 must come before E1EDL24/,
    );
  });

  it('reports unknown tables, columns and conversions', () => {
    expectProblem(
      load(
        toIdoc(
          '    - segment: E1EDL20\n      fields: { VBELN: { from: delivery, lookup: { table: nope, key: a, get: b } } }',
        ),
      ),
      '/target/segments/0/fields/VBELN/lookup/table',
      /unknown lookup table "nope"/,
    );
    expectProblem(
      load(
        toIdoc(
          '    - segment: E1EDL20\n      fields: { VBELN: { from: delivery, lookup: { table: units, key: sap, get: x } } }',
        ),
      ),
      '/target/segments/0/fields/VBELN/lookup/get',
      /table "units" has no column "x"/,
    );
    expectProblem(
      load(toIdoc('    - segment: E1EDL20\n      fields: { VBELN: { from: delivery, convert: rot13 } }')),
      '/target/segments/0/fields/VBELN/convert',
      /unknown conversion "rot13"/,
    );
  });

  it('reports source paths that the contract or the definition does not have', () => {
    expectProblem(
      load(toIdoc('    - segment: E1EDL20\n      fields: { VBELN: deliveryNumber }')),
      '/target/segments/0/fields/VBELN/from',
      /property "deliveryNumber" is not in the contract/,
    );
    expectProblem(
      load(toJson('    delivery: E1EDL20.VBELNX')),
      '/target/fields/delivery/from',
      /E1EDL20 has no field VBELNX/,
    );
    expectProblem(
      load(toJson("    delivery: 'E1EDL20.E1ADRM1[PARTNER_X=WE].PARTNER_ID'")),
      '/target/fields/delivery/from',
      /E1ADRM1 has no field PARTNER_X/,
    );
    expectProblem(
      load(toJson('    nonsense: E1EDL20.VBELN')),
      '/target/fields/nonsense',
      /not in the contract/,
    );
  });

  it('reports paths that go up more loop levels than exist', () => {
    expectProblem(
      load(toJson("    delivery: { from: '^.#' }")),
      '/target/fields/delivery/from',
      /goes up 1 loop level/,
    );
  });

  it('reports an unknown contract and an unknown IDoc type', () => {
    expectProblem(
      load(toIdoc('    - segment: E1EDL20').replace('contract: wms-confirmation', 'contract: nope')),
      '/source/contract',
      /unknown contract "nope"/,
    );
    expectProblem(
      load(toIdoc('    - segment: E1EDL20').replace('idoc: DELVRY07', 'idoc: ORDERS05')),
      '/target/idoc',
      /no definition/,
    );
  });

  it('reports every problem of a file at once', () => {
    const e = load(
      toIdoc(
        '    - segment: E1EDL20\n      fields: { NOPE: delivery, VBELN: { from: delivery, convert: rot13 } }',
      ),
    );
    expect(e?.issues.length).toBe(2);
    expect(e?.issues.every((i) => i.details?.['file']?.toString().endsWith('test-mapping.yaml'))).toBe(true);
  });
});
