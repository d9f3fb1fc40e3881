/**
 * The serial ledger reads handheld scans by movement kind; the movement type of each kind is the
 * one the mapping posts to SAP (mappings/tables/movement-kinds.yaml, sources in
 * docs/movement-types.md). One table: this test fails when they drift apart.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HANDHELD_MOVE_TYPES, MOVE_TYPES } from '../../src/ledger/serials/sources.js';

const table = parse(readFileSync('mappings/tables/movement-kinds.yaml', 'utf8')) as {
  columns: string[];
  rows: string[][];
};
const kind = table.columns.indexOf('kind');
const moveType = table.columns.indexOf('moveType');

describe('handheld movement kinds', () => {
  it('the ledger knows every kind of the mapping table with the same movement type', () => {
    const fromTable = Object.fromEntries(table.rows.map((r) => [r[kind]!, r[moveType]!]));
    expect(HANDHELD_MOVE_TYPES).toEqual(fromTable);
  });
  it('every movement type of the table is a ledger movement', () => {
    for (const r of table.rows) expect(MOVE_TYPES[r[moveType]!], r[moveType]).toBeDefined();
  });
});
