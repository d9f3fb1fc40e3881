/**
 * Line reader for SAP WE60/WE63 parser files (IDOC-FORMAT.md §6): one keyword per line, the
 * keyword then blanks then the value. Indentation and column alignment are cosmetic.
 */
import { IdocgateError } from '../errors.js';

export interface ParserLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly keyword: string;
  /** Rest of the line after the keyword, trimmed (may be empty, e.g. `TEXT` with no text). */
  readonly value: string;
}

/** Splits a parser file into keyword lines (blank lines dropped). Accepts LF, CRLF and a BOM. */
export function parserLines(text: string): ParserLine[] {
  const out: ParserLine[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    const gap = trimmed.search(/\s/);
    out.push(
      gap < 0
        ? { line: i + 1, keyword: trimmed, value: '' }
        : { line: i + 1, keyword: trimmed.slice(0, gap), value: trimmed.slice(gap).trim() },
    );
  }
  return out;
}

/** A cursor over parser lines with "expect" helpers whose errors name the line and what was expected. */
export class LineCursor {
  private index = 0;

  constructor(
    private readonly lines: readonly ParserLine[],
    private readonly totalLines: number,
  ) {}

  peek(): ParserLine | undefined {
    return this.lines[this.index];
  }

  atEnd(): boolean {
    return this.index >= this.lines.length;
  }

  next(): ParserLine {
    const l = this.lines[this.index];
    if (!l) throw this.fail(this.totalLines, 'more input', 'the end of the file');
    this.index++;
    return l;
  }

  /** True (and consumes the line) when the next keyword is `keyword`. */
  accept(keyword: string): ParserLine | undefined {
    const l = this.lines[this.index];
    if (l?.keyword === keyword) {
      this.index++;
      return l;
    }
    return undefined;
  }

  expect(keyword: string): ParserLine {
    const l = this.lines[this.index];
    if (!l) throw this.fail(this.totalLines + 1, keyword, 'the end of the file');
    if (l.keyword !== keyword) throw this.fail(l.line, keyword, `"${l.keyword}"`);
    this.index++;
    return l;
  }

  /** Expects `keyword` with a value of decimal digits and returns the number. */
  expectNumber(keyword: string): { value: number; line: number } {
    const l = this.expect(keyword);
    if (!/^\d+$/.test(l.value)) {
      throw this.fail(l.line, `${keyword} followed by digits`, `"${l.value}"`);
    }
    return { value: Number(l.value), line: l.line };
  }

  /** Expects `keyword` with a non-empty value. */
  expectValue(keyword: string): ParserLine {
    const l = this.expect(keyword);
    if (l.value === '') throw this.fail(l.line, `a value after ${keyword}`, 'nothing');
    return l;
  }

  fail(line: number, expected: string, found: string): IdocgateError {
    return parserFileError(line, `expected ${expected}, found ${found}`);
  }
}

export function parserFileError(line: number, message: string): IdocgateError {
  return new IdocgateError('DEFINITION_PARSER_FILE_INVALID', `parser file line ${line}: ${message}`, {
    issues: [
      {
        code: 'DEFINITION_PARSER_FILE_INVALID',
        message,
        path: `line ${line}`,
        details: { line },
      },
    ],
  });
}
