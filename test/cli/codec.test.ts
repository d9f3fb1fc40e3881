/**
 * `idocgate parse|convert|validate`: in-process through runCodecCommand (fake stdin/stdout/files),
 * and a few real processes for the wiring (commander, exit codes, stdin).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runCodecCommand,
  type CodecCliOptions,
  type CodecCommand,
  type CodecIo,
} from '../../src/cli/commands/codec.js';
import { formatIssue } from '../../src/cli/format-issues.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const GOLDEN = join(PROJECT_ROOT, 'fixtures', 'golden');
const golden = (file: string): Buffer => readFileSync(join(GOLDEN, file));
const tmp = mkdtempSync(join(tmpdir(), 'idocgate-cli-codec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  files: Map<string, Buffer>;
}

async function run(
  command: CodecCommand,
  file: string | undefined,
  opts: CodecCliOptions = {},
  stdin?: string | Buffer,
): Promise<Run> {
  const out: Buffer[] = [];
  let stderr = '';
  const files = new Map<string, Buffer>();
  const io: CodecIo = {
    stdinIsTty: stdin === undefined,
    readStdin: () => Promise.resolve(Buffer.from(stdin ?? '')),
    readFile: (p) => readFileSync(p),
    writeFile: (p, data) => void files.set(p, data),
    stdout: (d) => void out.push(Buffer.from(d)),
    stderr: (t) => void (stderr += t),
  };
  const code = await runCodecCommand(command, file, opts, io);
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr, files };
}

function invalidDelvry(): string {
  // INCO1 "Lempira" does not fit its 3 characters; DOCNUM 4711
  return golden('delvry07-serials.xml')
    .toString('utf8')
    .replace('<INCO1>EXW</INCO1>', '<INCO1>Lempira</INCO1>');
}

describe('idocgate parse', () => {
  it('prints canonical JSON by default, from a file or stdin', async () => {
    const r = await run('parse', join(GOLDEN, 'delvry07-serials.idoc'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(golden('delvry07-serials.json').toString('utf8'));
    const s = await run('parse', undefined, {}, golden('mbgmcr03-serials.xml'));
    expect(s.stdout).toBe(golden('mbgmcr03-serials.json').toString('utf8'));
    const dash = await run('parse', '-', { to: 'xml' }, golden('mbgmcr03-serials.json'));
    expect(dash.stdout).toBe(golden('mbgmcr03-serials.xml').toString('utf8'));
  });

  it('exits 1 with a readable error for input it cannot read', async () => {
    const r = await run('parse', undefined, {}, '<DELVRY03></DELVRY03>');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error IDOC_NO_IDOC_ELEMENT: /);
    const junk = await run('parse', undefined, {}, Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('IDOC_FOREIGN_FORMAT');
  });
});

describe('idocgate convert', () => {
  it.each([
    ['delvry07-serials.idoc', 'xml', 'delvry07-serials.xml'],
    ['delvry07-serials.xml', 'flat', 'delvry07-serials.idoc'],
    ['delvry07-serials.json', 'soap', 'delvry07-serials.soap.xml'],
    ['mbgmcr03-serials.soap.xml', 'flat', 'mbgmcr03-serials.idoc'],
  ] as const)('%s --to %s gives %s', async (input, to, expected) => {
    const r = await run('convert', join(GOLDEN, input), { to });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdoutBytes.equals(golden(expected))).toBe(true);
  });

  it('writes to --output and in Latin-1 with --output-encoding', async () => {
    const out = join(tmp, 'out.xml');
    const json = golden('delvry07-serials.json').toString('utf8').replace('Hamburg', 'Köln');
    const r = await run('convert', undefined, { to: 'xml', output: out, outputEncoding: 'latin1' }, json);
    expect(r.code).toBe(0);
    const bytes = r.files.get(out)!;
    expect(bytes.toString('latin1')).toContain('<INCO2>Köln</INCO2>');
    expect(bytes.toString('latin1')).toMatch(/^<\?xml version="1.0" encoding="ISO-8859-1"\?>/);
    const flat = await run('convert', undefined, { to: 'flat', outputEncoding: 'latin1' }, json);
    expect(flat.stdoutBytes.includes(Buffer.from('Köln', 'latin1'))).toBe(true);
    const back = await run('convert', undefined, { to: 'json', encoding: 'latin1' }, flat.stdoutBytes);
    expect(back.stdout).toBe(json);
  });

  it('refuses to truncate: one line per problem and exit 1', async () => {
    const r = await run('convert', undefined, { to: 'flat' }, invalidDelvry());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'error IDOC_VALUE_TOO_LONG: A value is longer than its field and would be truncated (1 issue(s)):',
    );
    expect(lines[1]).toBe(
      'error   idoc=0 docnum=0000000000004711 segnum=- segment=E1EDL20 field=INCO1 VALUE_TOO_LONG: value "Lempira" has 7 characters, the field 3',
    );
  });

  it('reports reader issues on stderr and still converts (exit 1 when one is an error)', async () => {
    const flat = golden('delvry07-serials.idoc').toString('utf8').split('\n');
    flat[2] = flat[2]!.slice(0, 55) + '000099' + flat[2]!.slice(61); // PSGNUM of the 2nd record -> nowhere
    const r = await run('convert', undefined, { to: 'json' }, flat.join('\n'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toHaveProperty('control');
    expect(r.stderr).toMatch(
      /^error {3}idoc=0 docnum=0000000000004711 segnum=000002 .* line=3 PSGNUM_INVALID: /m,
    );
  });

  it('gives usage errors exit code 2', async () => {
    expect((await run('convert', join(GOLDEN, 'delvry07-serials.xml'))).code).toBe(2);
    const bad = await run('convert', join(GOLDEN, 'delvry07-serials.xml'), { to: 'edifact' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('usage error: --to must be one of flat, xml, soap, json (got "edifact")\n');
    expect((await run('parse', join(tmp, 'missing.idoc'))).code).toBe(2);
    expect((await run('parse', undefined)).stderr).toMatch(/no input/); // stdin is a terminal
    expect(
      (await run('parse', join(GOLDEN, 'delvry07-serials.xml'), { definitions: [join(tmp, 'nope')] })).code,
    ).toBe(2);
  });

  it('converts a multi-IDoc file, but not into one SOAP envelope', async () => {
    const two =
      golden('delvry07-serials.idoc').toString('utf8') + golden('mbgmcr03-serials.idoc').toString('utf8');
    const json = await run('convert', undefined, { to: 'json' }, two);
    expect(JSON.parse(json.stdout)).toHaveLength(2);
    const soap = await run('convert', undefined, { to: 'soap' }, two);
    expect(soap.code).toBe(1);
    expect(soap.stderr).toContain('MULTIPLE_IDOCS_NOT_ALLOWED');
  });
});

describe('idocgate validate', () => {
  it('says valid and exits 0 for the golden files', async () => {
    const r = await run('validate', join(GOLDEN, 'mbgmcr03-serials.soap.xml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/: soap, 1 IDoc\(s\), 0 error\(s\), 0 warning\(s\) - valid\n$/);
  });

  it('prints every issue on its own line and exits 1', async () => {
    const r = await run('validate', undefined, {}, invalidDelvry());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'error   idoc=0 docnum=0000000000004711 segnum=1 segment=E1EDL20 field=INCO1 VALUE_TOO_LONG: E1EDL20.INCO1 "Lempira" is 7 characters, the field holds 3\n',
    );
    expect(r.stderr).toMatch(/stdin: xml, 1 IDoc\(s\), 1 error\(s\), 0 warning\(s\)\n/);
    const json = await run('validate', undefined, { json: true }, invalidDelvry());
    expect((JSON.parse(json.stdout) as { code: string }[]).map((i) => i.code)).toEqual(['VALUE_TOO_LONG']);
  });

  it('loads extra definition folders (--definitions)', async () => {
    const zdef = join(PROJECT_ROOT, 'fixtures', 'definitions');
    // the folder holds parser files and XSDs, no definition JSON: loads nothing, changes nothing
    const r = await run('validate', join(GOLDEN, 'delvry07-serials.idoc'), { definitions: [zdef] });
    expect(r.code).toBe(0);
  });

  it('refuses --to', async () => {
    expect((await run('validate', join(GOLDEN, 'delvry07-serials.idoc'), { to: 'xml' })).code).toBe(2);
  });
});

describe('formatIssue', () => {
  it('fills DOCNUM from the IDoc and segment/field from the path when the details lack them', () => {
    const line = formatIssue(
      { code: 'X', message: 'm', path: 'idoc[1]/E1EDL20[0]/E1EDL24[2].MATNR', severity: 'warning' },
      [
        { control: {}, segments: [] },
        { control: { DOCNUM: '0000000000000042' }, segments: [] },
      ],
    );
    expect(line).toBe('warning idoc=1 docnum=0000000000000042 segnum=- segment=E1EDL24 field=MATNR X: m');
    expect(formatIssue({ code: 'Y', message: 'no place' })).toBe(
      'error   idoc=- docnum=- segnum=- segment=- field=- Y: no place',
    );
  });
});

describe('the idocgate binary', () => {
  const cli = (args: string[], input?: Buffer) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src/cli/main.ts'), ...args], {
      cwd: PROJECT_ROOT,
      input: input ?? Buffer.alloc(0),
      encoding: 'buffer',
    });

  it('converts stdin to stdout', () => {
    const r = cli(['convert', '--to', 'flat'], golden('mbgmcr03-serials.json'));
    expect(r.status).toBe(0);
    expect(r.stdout.equals(golden('mbgmcr03-serials.idoc'))).toBe(true);
  });

  it('exits 2 on an unknown option or a bad choice, 1 on invalid input', () => {
    expect(cli(['convert', '--to', 'edifact', join(GOLDEN, 'delvry07-serials.xml')]).status).toBe(2);
    expect(cli(['parse', '--bogus']).status).toBe(2);
    expect(cli(['validate', join(GOLDEN, 'delvry07-serials.xml'), 'extra-arg']).status).toBe(2);
    expect(cli(['validate'], Buffer.from(invalidDelvry())).status).toBe(1);
  });
});
