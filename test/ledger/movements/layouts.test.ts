import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIdocgateError } from '../../../src/errors.js';
import {
  DELVRY_LAYOUT,
  DELVRY_LAYOUT_SCHEMA,
  LAYOUTS_DIR,
  loadLayout,
  MBGMCR_LAYOUT,
  MBGMCR_LAYOUT_SCHEMA,
} from '../../../src/ledger/movements/idoc-layouts.js';
import { deliveryLedgerLayoutFor } from '../../../src/ledger/deliveries/layouts.js';
import { layoutFor } from '../../../src/ledger/serials/sources.js';

const dir = mkdtempSync(join(tmpdir(), 'idocgate-wt-reader-layouts-'));

function loadEdited(file: string, edit: (text: string) => string): unknown {
  const path = join(dir, file);
  writeFileSync(path, edit(readFileSync(join(LAYOUTS_DIR, file), 'utf8')));
  try {
    if (file === 'delvry.yaml') loadLayout(path, DELVRY_LAYOUT_SCHEMA);
    else loadLayout(path, MBGMCR_LAYOUT_SCHEMA);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('IDoc layouts as data files', () => {
  it('both ledgers find their layouts by IDoc type in the same files', () => {
    const delvry = deliveryLedgerLayoutFor('delvry07');
    expect(delvry?.kind === 'delivery' && delvry.header.segment).toBe(DELVRY_LAYOUT.header.segment);
    expect(layoutFor('DELVRY03')?.kind).toBe('delivery');
    expect(deliveryLedgerLayoutFor('MBGMCR03')?.kind).toBe('goods-movement');
    expect(layoutFor('MBGMCR02')).toBe(MBGMCR_LAYOUT);
    expect(deliveryLedgerLayoutFor('ORDERS05')).toBeUndefined();
    expect(layoutFor('ORDERS05')).toBeUndefined();
  });

  it('refuses a file with a missing field, an unknown key or an unknown role, naming file and path', () => {
    const missing = loadEdited('delvry.yaml', (t) => t.replace('  batch: CHARG\n', ''));
    expect(isIdocgateError(missing) && missing.code).toBe('DEFINITION_INVALID');
    expect(String((missing as Error).message)).toMatch(
      /delvry\.yaml: invalid IDoc layout\n {2}\/item\/batch: /,
    );
    const unknown = loadEdited('mbgmcr.yaml', (t) => t.replace('root: E1MBGMCR', 'root: E1MBGMCR\nrooot: X'));
    expect(String((unknown as Error).message)).toMatch(/mbgmcr\.yaml: invalid IDoc layout\n.*rooot/);
    const role = loadEdited('delvry.yaml', (t) => t.replace('role: expect', 'role: expected'));
    expect(String((role as Error).message)).toMatch(/\/deliveryLedger\/roles\/0\/role: /);
    const yaml = loadEdited('mbgmcr.yaml', (t) => `${t}\n  : [`);
    expect(isIdocgateError(yaml) && yaml.code).toBe('DEFINITION_INVALID');
    expect(loadEdited('mbgmcr.yaml', (t) => t)).toBeUndefined();
  });
});
