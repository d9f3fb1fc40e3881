import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importParserFile } from '../../src/definitions/import-parser-file.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'definitions');
const work = mkdtempSync(join(tmpdir(), 'idocgate-defs-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('idocgate definitions (CLI)', () => {
  it('import prints the definition of a parser file', () => {
    const file = join(FIXTURES, 'ZDEMO01-ZDEMO01X.parser.txt');
    const r = cli('definitions', 'import', file);
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    const expected = importParserFile(readFileSync(file, 'utf8'));
    expect(json['segments']).toEqual(expected.segments);
    expect(json['basicType']).toBe('ZDEMO01');
    expect(json['$schema']).toBe('./definition.schema.json');
  });

  it('import --xsd --out writes a file that check accepts; check reports broken files with paths', () => {
    const out = join(work, 'ZDEMO02.json');
    const r = cli('definitions', 'import', join(FIXTURES, 'ZDEMO02.named-types.xsd'), '--xsd', '--out', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('ZDEMO02: 3 segments');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ basicType: 'ZDEMO02' });
    expect(cli('definitions', 'check', work).status).toBe(0);

    const bad = JSON.parse(readFileSync(out, 'utf8')) as { segments: { fields: { offset: number }[] }[] };
    bad.segments[0]!.fields[1]!.offset = 11;
    writeFileSync(join(work, 'ZBAD.json'), JSON.stringify(bad));
    writeFileSync(join(work, 'ZWORSE.json'), '{"basicType":');
    const c = cli('definitions', 'check', work);
    expect(c.status).toBe(1);
    expect(c.stdout).toContain(
      `${join(work, 'ZBAD.json')}#/segments/0/fields/1/offset: Z1HEAD.DOCDAT: offset 11, expected 10`,
    );
    expect(c.stdout).toContain(`${join(work, 'ZWORSE.json')}#/: not valid JSON`);
    expect(c.stderr).toContain('3 definition file(s) checked, 2 problem(s)');
  });

  it('import of a broken parser file fails with the line number', () => {
    const broken = join(work, 'broken.txt');
    writeFileSync(
      broken,
      'BEGIN_SEGMENT_SECTION\n  BEGIN_IDOC ZX01\n    BEGIN_SEGMENT Z2A\n      LEVEL 02\n',
    );
    const r = cli('definitions', 'import', broken);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'DEFINITION_PARSER_FILE_INVALID: parser file line 4: expected SEGMENTTYPE, found "LEVEL"',
    );
  });
});
