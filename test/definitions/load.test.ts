import { describe, expect, it } from 'vitest';
import { loadDefinitions, parseDefinition } from '../../src/definitions/load.js';
import { IdocgateError } from '../../src/errors.js';

describe('definition loading', () => {
  it('loads the shipped definitions', () => {
    const registry = loadDefinitions();
    const delvry = registry.get('DELVRY07');
    expect(delvry?.segment('E1EDL24')?.level).toBe(3);
    expect(delvry?.resolve('E2EDL24007')?.segment.type).toBe('E1EDL24');
    expect(delvry?.resolve('E2EDL24')?.segment.type).toBe('E1EDL24');
    expect(delvry?.resolve('E1EDL24')?.segment.type).toBe('E1EDL24');
    expect(registry.get('MBGMCR03')?.resolve('_-SPE_-E1BP2017_GM_REF_EWM')?.segment.type).toBe(
      '/SPE/E1BP2017_GM_REF_EWM',
    );
  });

  it('names the file and path of every problem', () => {
    const bad = {
      basicType: 'ZBAD01',
      messageTypes: {},
      segments: [
        {
          type: 'Z1A',
          parent: null,
          min: 0,
          max: 1,
          level: 2,
          versions: [{ name: 'Z2A', fieldCount: 2 }],
          fields: [
            { name: 'F1', offset: 0, length: 10, dataType: 'CHAR' },
            { name: 'F2', offset: 12, length: 995, dataType: 'CHAR' },
          ],
        },
        {
          type: 'Z1B',
          parent: 'Z1X',
          min: 0,
          max: 1,
          level: 3,
          versions: [{ name: 'Z2B', fieldCount: 0 }],
          fields: [],
        },
      ],
    };
    try {
      parseDefinition(JSON.stringify(bad), 'zbad.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IdocgateError);
      const err = e as IdocgateError;
      expect(err.code).toBe('DEFINITION_INVALID');
      expect(err.message).toContain('zbad.json#/segments/0/fields/1/offset');
      expect(err.message).toContain('beyond the 1000 characters');
      expect(err.message).toContain('zbad.json#/segments/1/parent');
    }
  });

  it('reports schema violations with their paths', () => {
    expect(() => parseDefinition('{"basicType":"x","segments":[]}', 'x.json')).toThrow(/x\.json#\/basicType/);
  });
});
