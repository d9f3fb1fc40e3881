/**
 * Splits flat text into lines (chunk by chunk: lines and CRLF pairs may span chunks) and groups
 * the lines into IDocs (each starts with an EDI_DC40 record). Shared by parseFlat and
 * readFlatStream; memory is bounded by one IDoc plus one partial line.
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import { IdocgateError, type ErrorCode, type Issue } from '../errors.js';
import { buildIdoc, issueAt, type FlatIdocResult } from './flat-records.js';
import { isPlainText } from './flat-chars.js';
import { MAX_RECORD_LENGTH, isControlLine } from './flat-layout.js';
import { assertNoControlChars } from './text.js';

export interface FlatLimits {
  /** Most data records one IDoc may have (IDOC_TOO_LARGE beyond). Default 1,000,000. */
  readonly maxRecordsPerIdoc?: number;
}

export const DEFAULT_MAX_RECORDS_PER_IDOC = 1_000_000;

/**
 * Longest partial line (in characters, plus CR) kept while waiting for its line end: longer lines
 * are too long anyway.
 */
const MAX_PENDING_LINE = MAX_RECORD_LENGTH + 2;

/**
 * Text is screened (isPlainText) in blocks of about this many characters, cut at line ends: small
 * enough to stay in the CPU cache for the screening's passes, large enough that the per-block
 * calls cost nothing.
 */
const SCREEN_BLOCK = 32_768;

export class FlatAssembler {
  private readonly lines: string[] = [];
  private readonly lineNos: number[] = [];
  private ending: '\n' | '\r\n' | '' = '';
  private index = 0;
  private lineNo = 0;
  private partial = '';
  /** Whether the text of `partial` was screened plain. */
  private partialPlain = true;
  /** Whether every line of the current IDoc comes from text screened plain. */
  private plain = true;
  private orphans = 0;
  private orphanLine = 0;
  private sawContent = false;
  private readonly maxRecords: number;

  /** Non-fatal issues that belong to no single IDoc (blank lines...). */
  readonly issues: Issue[] = [];

  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly onIdoc: (result: FlatIdocResult) => void,
    limits: FlatLimits = {},
  ) {
    this.maxRecords = limits.maxRecordsPerIdoc ?? DEFAULT_MAX_RECORDS_PER_IDOC;
  }

  /** Lines completed so far (for error positions). */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Feeds decoded text; complete IDocs are passed to onIdoc as soon as the next one starts. */
  push(text: string): void {
    let from = 0;
    while (from < text.length) {
      let to = text.length;
      if (to - from > SCREEN_BLOCK) {
        const nl = text.indexOf('\n', from + SCREEN_BLOCK);
        if (nl !== -1 && nl + 1 < to) to = nl + 1;
      }
      const block = from === 0 && to === text.length ? text : text.slice(from, to);
      this.pushBlock(block, isPlainText(block));
      from = to;
    }
  }

  private pushBlock(text: string, plain: boolean): void {
    let pos = 0;
    let nl = text.indexOf('\n');
    if (this.partial !== '' && nl !== -1) {
      this.line(this.partial + text.slice(0, nl), true, plain && this.partialPlain);
      this.partial = '';
      pos = nl + 1;
      nl = text.indexOf('\n', pos);
    }
    while (nl !== -1) {
      this.line(text.slice(pos, nl), true, plain);
      pos = nl + 1;
      nl = text.indexOf('\n', pos);
    }
    if (pos < text.length) {
      this.partialPlain = (this.partial === '' || this.partialPlain) && plain;
      this.partial = this.partial + text.slice(pos);
      if (this.partial.length > MAX_PENDING_LINE) {
        const lineNo = this.lineNo + 1;
        assertNoControlChars(this.partial, lineNo);
        throw new IdocgateError(
          'IDOC_RECORD_TOO_LONG',
          `line ${lineNo}: record longer than ${MAX_RECORD_LENGTH}`,
          {
            issues: [
              issueAt(
                this.index - 1,
                lineNo,
                'RECORD_TOO_LONG',
                'error',
                `record longer than ${MAX_RECORD_LENGTH}`,
              ),
            ],
          },
        );
      }
    }
  }

  /** Ends the input: flushes the last line and IDoc. Throws IDOC_EMPTY_INPUT when there was nothing. */
  end(): void {
    const finalNewline = this.partial === '';
    if (!finalNewline) {
      this.line(this.partial, false, this.partialPlain);
      this.partial = '';
    }
    this.flushOrphans();
    if (this.lines.length > 0) this.flush(finalNewline);
    if (!this.sawContent) throw new IdocgateError('IDOC_EMPTY_INPUT', 'The flat file is empty');
  }

  private line(raw: string, terminated: boolean, plain: boolean): void {
    this.lineNo++;
    let line = raw;
    let crlf = false;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) {
      line = line.slice(0, -1);
      crlf = true;
    }
    if (isControlLine(line)) {
      this.flushOrphans();
      if (this.lines.length > 0) this.flush(true);
      this.sawContent = true;
      this.ending = terminated ? (crlf ? '\r\n' : '\n') : '';
      this.plain = plain;
      this.lines.push(line);
      this.lineNos.push(this.lineNo);
      return;
    }
    if (isBlank(line)) {
      if (terminated) {
        this.issues.push(
          issueAt(Math.max(0, this.index - 1), this.lineNo, 'EMPTY_LINE', 'warning', 'blank line skipped'),
        );
      }
      return;
    }
    this.sawContent = true;
    if (this.lines.length === 0) {
      assertNoControlChars(line, this.lineNo); // a binary file has no control record: say binary
      if (this.orphans++ === 0) this.orphanLine = this.lineNo;
      return;
    }
    if (this.lines.length > this.maxRecords) {
      throw new IdocgateError(
        'IDOC_TOO_LARGE',
        `line ${this.lineNo}: IDoc ${this.index} has more than ${this.maxRecords} data records`,
        {
          issues: [
            issueAt(
              this.index,
              this.lineNo,
              'TOO_MANY_RECORDS',
              'error',
              `more than ${this.maxRecords} records`,
            ),
          ],
        },
      );
    }
    if (!plain) this.plain = false;
    this.lines.push(line);
    this.lineNos.push(this.lineNo);
  }

  private flush(finalNewline: boolean): void {
    const result = buildIdoc(
      {
        index: this.index,
        lines: this.lines,
        lineNos: this.lineNos,
        lineEnding: this.ending,
        finalNewline,
        plain: this.plain,
      },
      this.registry,
    );
    this.index++;
    // buildIdoc keeps nothing of the arrays: reuse them for the next IDoc
    this.lines.length = 0;
    this.lineNos.length = 0;
    this.onIdoc(result);
  }

  private flushOrphans(): void {
    if (this.orphans === 0) return;
    const issue = issueAt(
      0,
      this.orphanLine,
      'NO_CONTROL_RECORD',
      'error',
      `${this.orphans} data record(s) before the first EDI_DC40 control record`,
      { records: this.orphans },
    );
    this.orphans = 0;
    this.onIdoc({ issues: [], fatal: [issue] });
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) !== 32) return false;
  return true;
}

const FATAL_CODES: Readonly<Record<string, ErrorCode>> = {
  BINARY_INPUT: 'IDOC_BINARY_INPUT',
  RECORD_TOO_LONG: 'IDOC_RECORD_TOO_LONG',
  RECORD_TRUNCATED: 'IDOC_RECORD_TRUNCATED',
  NO_CONTROL_RECORD: 'IDOC_NO_CONTROL_RECORD',
};

/** The error for a list of fatal issues (binary input first, else the code of the first one). */
export function fatalError(fatal: readonly Issue[]): IdocgateError {
  const first = fatal.find((i) => i.code === 'BINARY_INPUT') ?? fatal[0]!;
  const code = FATAL_CODES[first.code] ?? 'IDOC_RECORD_TRUNCATED';
  const shown = [first, ...fatal.filter((i) => i !== first)].slice(0, 5).map((i) => i.message);
  const more = fatal.length > shown.length ? ` (+${fatal.length - shown.length} more)` : '';
  return new IdocgateError(code, `Unreadable flat IDoc: ${shown.join('; ')}${more}`, { issues: fatal });
}
