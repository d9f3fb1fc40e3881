/**
 * SQL only in src/store (docs/architecture.md): no string or template literal in src/ outside
 * src/store holds a SQL statement; everything else reads and writes through a store function or
 * a port. The literals are read with the TypeScript compiler API, so comments never count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './import-graph.js';

/** A statement, not a word: `SELECT … FROM`, `SELECT 1`, `INSERT INTO`, `UPDATE t SET`, `DELETE FROM`, DDL. */
const SQL =
  /\bSELECT\b[\s\S]*\bFROM\b|\bSELECT\s+\d|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|SCHEMA)\b/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The SQL-looking literals of one source text (template literals with their static parts). */
function sqlLiterals(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    let literal: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literal = node.text;
    else if (ts.isTemplateExpression(node))
      literal = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ? ');
    if (literal !== undefined && SQL.test(literal)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      out.push(`${file}:${line}: ${literal.replace(/\s+/g, ' ').slice(0, 80)}`);
    }
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    else node.templateSpans.forEach((s) => visit(s.expression));
  };
  visit(source);
  return out;
}

describe('SQL only in src/store', () => {
  it('finds no SQL statement in src/ outside src/store', () => {
    const files = tsFiles(join(ROOT, 'src')).filter((f) => !relative(ROOT, f).startsWith('src/store/'));
    expect(files.length).toBeGreaterThan(200);
    const found = files.flatMap((f) => sqlLiterals(relative(ROOT, f), readFileSync(f, 'utf8')));
    expect(found, `SQL outside src/store:\n${found.join('\n')}`).toEqual([]);
  });

  it('finds SQL where there is some, and not in prose (the check itself)', () => {
    const code = [
      "const a = 'SELECT id FROM database_identity';",
      'const b = `SELECT ${x} AS b, count(*) FROM messages WHERE at >= $1`;',
      "await db.query('SELECT 1');",
      "const c = 'INSERT INTO t (a) VALUES ($1)';",
      'const d = `UPDATE messages SET status = $1`;',
      "const e = 'DELETE FROM message_keys';",
      '// SELECT id FROM a comment does not count',
      "const f = 'select a partner from the list';",
      "const g = 'Update the settings';",
    ].join('\n');
    expect(sqlLiterals('sample.ts', code).map((l) => l.split(':')[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
  });
});
