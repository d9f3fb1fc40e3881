/**
 * No import cycles in src/: a cycle means two modules that cannot be understood, tested or moved
 * apart, and at run time one of them sees the other half-initialised. Type-only and dynamic
 * imports count too (they tie the files together just the same).
 */
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from './import-graph.js';

describe('the import graph of src/', () => {
  it('has no cycle', () => {
    const graph = importGraph('src');
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get('src/main.ts')).toContain('src/config/load.ts');
    const cycles = findCycles(graph).map((c) => c.join(' -> '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['e.ts', 'e.ts'],
    ]);
  });
});
