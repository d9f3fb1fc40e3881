/**
 * The error catalogue and its documentation agree: every code of src/errors.ts has a row in
 * docs/errors.md with the catalogue's verdict and HTTP status, and the page names no code the
 * catalogue does not have.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors.js';
import { ROOT } from './import-graph.js';

interface Row {
  readonly verdict: string;
  readonly httpStatus: number;
  readonly meaning: string;
}

function documentedCodes(text: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const m of text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\w+) \| (\d{3}) \| (.+?) \|$/gm)) {
    rows.set(m[1]!, { verdict: m[2]!, httpStatus: Number(m[3]), meaning: m[4]!.trim() });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = documentedCodes(readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8'));

  it('documents every code of the catalogue with its verdict and HTTP status', () => {
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [
      code,
      { verdict: e.verdict, httpStatus: e.httpStatus },
    ]);
    const documented = Object.keys(ERROR_CATALOGUE).map((code) => {
      const r = rows.get(code);
      return [code, r === undefined ? 'not documented' : { verdict: r.verdict, httpStatus: r.httpStatus }];
    });
    expect(documented).toEqual(catalogue);
    for (const [code, r] of rows) expect(r.meaning, code).not.toBe('');
  });

  it('names no code the catalogue does not have', () => {
    const unknown = [...rows.keys()].filter((code) => !(code in ERROR_CATALOGUE));
    expect(unknown).toEqual([]);
  });
});
