import { describe, expect, it } from 'vitest';
import { queryConfig } from '../../src/store/db/pg.js';

describe('pg query config', () => {
  it('names parameterised SQL by its text (prepared once per connection), leaves scripts unnamed', () => {
    const a = queryConfig('SELECT $1::int AS n', [1]);
    const b = queryConfig('SELECT $1::int AS n', [2]);
    const c = queryConfig('SELECT $1::text AS t', ['x']);
    expect(a.name).toMatch(/^idg_[0-9a-f]{20}$/);
    expect(b).toEqual({ name: a.name, text: 'SELECT $1::int AS n', values: [2] });
    expect(c.name).not.toBe(a.name);
    expect(queryConfig('SELECT 1', []).name).toBeUndefined();
  });
});
