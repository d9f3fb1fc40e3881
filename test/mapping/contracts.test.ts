import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONTRACT_SCHEMA_DIR, contractSchemaFiles } from '../../src/contracts/json-schema-files.js';
import { checkPayload, CONTRACTS } from '../../src/contracts/registry.js';

describe('payload contracts', () => {
  it('JSON Schema files in mappings/contracts are up to date (npm run contracts:write)', () => {
    for (const [name, text] of contractSchemaFiles()) {
      const onDisk = JSON.parse(readFileSync(join(CONTRACT_SCHEMA_DIR, name), 'utf8')) as unknown;
      expect(onDisk, name).toEqual(JSON.parse(text));
    }
  });

  it('exported JSON Schemas accept and reject the same payloads as the zod contracts', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    const contract = CONTRACTS.get('handheld-goods-movement')!;
    const validate = ajv.compile(
      JSON.parse(contractSchemaFiles().get('handheld-goods-movement.schema.json')!) as object,
    );
    const good = {
      scanId: 'x',
      site: 'S0123',
      movement: { kind: 'scrap' },
      items: [{ article: 'A', quantity: 1, unit: 'PCE', serialNumbers: ['1'] }],
      device: 'd',
      user: 'u',
      scannedAt: '2024-03-02T10:00:00+01:00',
    };
    const bad = [
      { ...good, movement: { kind: 'receipt-delivery' } },
      { ...good, items: [] },
      { ...good, site: 's-lower' },
      { ...good, scannedAt: '2024-03-02 10:00' },
      { ...good, items: [{ article: 'A', quantity: -1, unit: 'PCE' }] },
      { ...good, extra: true },
    ];
    expect(validate(good)).toBe(true);
    expect(contract.schema.safeParse(good).success).toBe(true);
    for (const b of bad) {
      expect(validate(b), JSON.stringify(b)).toBe(false);
      expect(contract.schema.safeParse(b).success, JSON.stringify(b)).toBe(false);
    }
  });

  it('invalid partner JSON gives PAYLOAD_INVALID issues with JSON pointers', () => {
    const r = checkPayload(CONTRACTS.get('wms-confirmation')!, {
      delivery: 'X1',
      event: 'lost',
      confirmedAt: '2024-03-02T10:00:00Z',
      items: [{ position: '10', quantity: 1.0001, unit: 'PCE', serialNumbers: ['x'.repeat(19)] }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.every((i) => i.code === 'PAYLOAD_INVALID')).toBe(true);
    expect(r.issues.map((i) => i.path).sort()).toEqual([
      '/delivery',
      '/event',
      '/items/0/quantity',
      '/items/0/serialNumbers/0',
    ]);
  });

  it('applies contract defaults (messageType WHSCON)', () => {
    const r = checkPayload(CONTRACTS.get('wms-confirmation')!, {
      delivery: '1',
      event: 'picked',
      confirmedAt: '2024-03-02T10:00:00Z',
      items: [{ position: '10', quantity: 1, unit: 'PCE' }],
    });
    expect(r.ok && (r.value as { messageType: string }).messageType).toBe('WHSCON');
  });
});
