/**
 * `idocgate parse [file]`    reads IDocs (any format) and prints them (canonical JSON unless --to)
 * `idocgate convert [file]`  reads IDocs and writes them in the format given by --to
 * `idocgate validate [file]` reads IDocs and checks them against their definitions
 *
 * Input is the file, or stdin when no file (or `-`) is given. The format is detected unless
 * --from says it. Issues go one per line to stderr (to stdout for validate). Exit codes: 0 ok,
 * 1 invalid input (unreadable, or issues of severity error), 2 usage errors (bad options,
 * missing file or definitions folder).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { loadDefinitions } from '../../definitions/load.js';
import type { DefinitionRegistry } from '../../definitions/registry.js';
import { ERROR_CATALOGUE, isIdocgateError, type Issue } from '../../errors.js';
import { readIdocs, withoutLayout, writeIdocs } from '../../idoc/codec.js';
import { IDOC_FORMATS, type IdocFormat } from '../../idoc/detect.js';
import type { Idoc } from '../../idoc/model.js';
import type { TextEncodingOption } from '../../idoc/text.js';
import { validateIdocs } from '../../idoc/validate.js';
import { DEFINITIONS_DIR } from '../../paths.js';
import { countBySeverity, formatIssue } from '../format-issues.js';

export type CodecCommand = 'parse' | 'convert' | 'validate';

export interface CodecCliOptions {
  readonly from?: string;
  readonly to?: string;
  /** Extra definition folders, loaded after idoc-definitions/ (later ones override). */
  readonly definitions?: readonly string[];
  readonly encoding?: string;
  readonly outputEncoding?: string;
  readonly output?: string;
  /** validate: print the issues as a JSON array instead of lines. */
  readonly json?: boolean;
}

/** Where the command reads and writes; the real process by default, a fake one in tests. */
export interface CodecIo {
  readStdin(): Promise<Buffer>;
  readonly stdinIsTty: boolean;
  readFile(path: string): Buffer;
  writeFile(path: string, data: Buffer): void;
  stdout(data: string | Buffer): void;
  stderr(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

const ENCODINGS: readonly TextEncodingOption[] = ['auto', 'utf-8', 'latin1'];

class UsageError extends Error {}

function choice<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'utf8') return 'utf-8' as T;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')} (got "${value}")`);
}

function loadRegistry(dirs: readonly string[]): DefinitionRegistry {
  for (const d of dirs) {
    let ok = false;
    try {
      ok = statSync(d).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--definitions ${d}: no such folder`);
  }
  return loadDefinitions([DEFINITIONS_DIR, ...dirs]);
}

async function readInput(file: string | undefined, io: CodecIo): Promise<Buffer> {
  if (file === undefined || file === '-') {
    if (io.stdinIsTty) throw new UsageError('no input: give a file, or pipe the IDoc into stdin');
    return io.readStdin();
  }
  try {
    return io.readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function encodeOutput(text: string, encoding: 'utf-8' | 'latin1'): Buffer {
  if (encoding === 'latin1') {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 0xff) {
        throw new UsageError(
          `the output contains "${text.charAt(i)}" (U+${text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}), which Latin-1 cannot encode; use --output-encoding utf-8`,
        );
      }
    }
    return Buffer.from(text, 'latin1');
  }
  return Buffer.from(text, 'utf8');
}

function printIssues(issues: readonly Issue[], idocs: readonly Idoc[], print: (s: string) => void): void {
  for (const i of issues) print(formatIssue(i, idocs) + '\n');
}

/** Runs one codec command; returns the process exit code. Never throws. */
export async function runCodecCommand(
  command: CodecCommand,
  file: string | undefined,
  opts: CodecCliOptions,
  io: CodecIo,
): Promise<number> {
  let idocs: Idoc[] = [];
  try {
    const from = choice<IdocFormat | 'auto'>(opts.from, ['auto', ...IDOC_FORMATS], '--from') ?? 'auto';
    const to = choice<IdocFormat>(opts.to, IDOC_FORMATS, '--to');
    if (command === 'convert' && to === undefined)
      throw new UsageError('convert needs --to json|xml|flat|soap');
    if (command === 'validate' && to !== undefined)
      throw new UsageError('validate does not write IDocs; use convert --to');
    const encoding = choice<TextEncodingOption>(opts.encoding, ENCODINGS, '--encoding') ?? 'auto';
    const outputEncoding =
      choice<'utf-8' | 'latin1'>(opts.outputEncoding, ['utf-8', 'latin1'], '--output-encoding') ?? 'utf-8';
    const registry = loadRegistry(opts.definitions ?? []);
    const input = await readInput(file, io);

    const read = readIdocs(input, registry, { format: from, encoding });
    idocs = read.idocs;
    const name = file === undefined || file === '-' ? 'stdin' : file;

    if (command === 'validate') {
      const issues = [...read.issues, ...validateIdocs(read.idocs, registry)];
      const { errors, warnings } = countBySeverity(issues);
      if (opts.json) io.stdout(JSON.stringify(issues, null, 2) + '\n');
      else printIssues(issues, idocs, io.stdout);
      io.stderr(
        `${name}: ${read.format}, ${idocs.length} IDoc(s), ${errors} error(s), ${warnings} warning(s)${errors === 0 ? ' - valid' : ''}\n`,
      );
      return errors > 0 ? EXIT_INVALID : EXIT_OK;
    }

    const target = to ?? 'json';
    const latin1 = outputEncoding === 'latin1';
    const out = writeIdocs(read.format === target ? idocs : withoutLayout(idocs), target, registry, {
      ...(latin1 ? { xml: { encoding: 'ISO-8859-1' } } : {}),
    });
    const bytes = encodeOutput(out, outputEncoding);
    printIssues(read.issues, idocs, io.stderr);
    if (opts.output !== undefined) io.writeFile(opts.output, bytes);
    else io.stdout(bytes);
    return countBySeverity(read.issues).errors > 0 ? EXIT_INVALID : EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`usage error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (isIdocgateError(e)) {
      // With issues, the message only repeats the first few of them: print the summary instead.
      const text =
        e.issues.length > 0 ? `${ERROR_CATALOGUE[e.code].summary} (${e.issues.length} issue(s)):` : e.message;
      io.stderr(`error ${e.code}: ${text}\n`);
      printIssues(e.issues, idocs, io.stderr);
      return EXIT_INVALID;
    }
    io.stderr(`error: ${(e as Error).message}\n`);
    return EXIT_INVALID;
  }
}

export function processIo(): CodecIo {
  return {
    stdinIsTty: process.stdin.isTTY === true,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    readFile: (path) => readFileSync(path),
    writeFile: (path, data) => writeFileSync(path, data),
    stdout: (data) => void process.stdout.write(data),
    stderr: (text) => void process.stderr.write(text),
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const HELP: Record<CodecCommand, string> = {
  parse: 'read IDocs (flat, IDoc-XML, IDoc-SOAP or JSON) and print them as canonical JSON (or --to)',
  convert: 'convert IDocs between flat, IDoc-XML, IDoc-SOAP and canonical JSON (--to required)',
  validate: 'check IDocs against their definitions and print every issue',
};

export function register(program: Command): void {
  for (const name of ['parse', 'convert', 'validate'] as const) {
    const cmd = program
      .command(`${name} [file]`)
      .description(`${HELP[name]}; reads stdin when no file is given`)
      .addOption(
        new Option('--from <format>', 'input format').choices(['auto', ...IDOC_FORMATS]).default('auto'),
      );
    if (name !== 'validate') {
      cmd.addOption(new Option('--to <format>', 'output format (parse: default json)').choices(IDOC_FORMATS));
      cmd
        .option('-o, --output <file>', 'write the output to this file instead of stdout')
        .addOption(
          new Option('--output-encoding <encoding>', 'encoding of the output').choices(['utf-8', 'latin1']),
        );
    } else {
      cmd.option('--json', 'print the issues as a JSON array');
    }
    cmd
      .option(
        '--definitions <dir>',
        'extra folder of IDoc definitions (after idoc-definitions/; repeatable)',
        collect,
      )
      .addOption(
        new Option(
          '--encoding <encoding>',
          'input encoding of flat and JSON input (XML: overrides the declaration)',
        )
          .choices(ENCODINGS)
          .default('auto'),
      )
      // Usage errors (unknown option, bad choice, extra argument) exit with 2, help with 0.
      .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
      .action(async (file: string | undefined, opts: CodecCliOptions) => {
        process.exitCode = await runCodecCommand(name, file, opts, processIo());
      });
  }
}
