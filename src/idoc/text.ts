/**
 * Text decoding for IDoc input: bytes or strings in, one JS string out.
 *
 * `auto` reads UTF-8 when the bytes are valid UTF-8 (a BOM is stripped) and Latin-1 (ISO-8859-1,
 * every byte one character) otherwise. Offsets in IDoc records count characters, which in a JS
 * string are UTF-16 code units, the same unit SAP's Unicode kernel counts in.
 *
 * Binary junk (NUL and the other C0 control characters except TAB, CR and LF) is refused with
 * IDOC_BINARY_INPUT naming the line and column, so a ZIP or PDF posted by mistake never reaches
 * the record parser.
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { IdocgateError } from '../errors.js';

export type TextEncodingOption = 'auto' | 'utf-8' | 'latin1';

const BOM = 0xfeff;
/** C0 control characters other than TAB (09), LF (0A) and CR (0D). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;

/** Decodes bytes (or checks a string) and refuses binary input. */
export function decodeText(input: string | Uint8Array, encoding: TextEncodingOption = 'auto'): string {
  const text = decodeOnly(input, encoding);
  assertNoControlChars(text);
  return text;
}

/** decodeText without the control-character check, for readers that check as they go. */
export function decodeOnly(input: string | Uint8Array, encoding: TextEncodingOption = 'auto'): string {
  return typeof input === 'string' ? stripBom(input) : decodeBytes(input, encoding);
}

function decodeBytes(bytes: Uint8Array, encoding: TextEncodingOption): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'latin1') return buf.toString('latin1');
  const hasBom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const body = hasBom ? buf.subarray(3) : buf;
  if (isUtf8(body)) return body.toString('utf8');
  if (encoding === 'utf-8' || hasBom) {
    throw new IdocgateError(
      'IDOC_BINARY_INPUT',
      `The input is not valid UTF-8 (near byte ${Math.max(0, firstInvalidUtf8(body)) + (hasBom ? 3 : 0)})`,
    );
  }
  return buf.toString('latin1');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** Throws IDOC_BINARY_INPUT when the text holds a C0 control character other than TAB/CR/LF. */
export function assertNoControlChars(text: string, firstLine = 1, firstColumn = 1): void {
  const m = CONTROL_CHAR.exec(text);
  if (!m) return;
  const { line, column } = positionOf(text, m.index, firstLine, firstColumn);
  const code = text.charCodeAt(m.index).toString(16).toUpperCase().padStart(4, '0');
  throw new IdocgateError(
    'IDOC_BINARY_INPUT',
    `Binary data: control character U+${code} at line ${line}, column ${column}`,
    {
      issues: [
        {
          code: 'BINARY_INPUT',
          severity: 'error',
          message: `line ${line}, column ${column}: control character U+${code}`,
          path: `line[${line}]`,
          details: { line, column, offset: m.index, char: `U+${code}` },
        },
      ],
    },
  );
}

/** 1-based line and column of a character offset; `firstColumn` applies to the first line only. */
function positionOf(
  text: string,
  offset: number,
  firstLine: number,
  firstColumn: number,
): { line: number; column: number } {
  let line = firstLine;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = offset - lineStart + (line === firstLine ? firstColumn : 1);
  return { line, column };
}

/** Byte offset of the first byte that breaks UTF-8 structure (lead/continuation bytes), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return -1;
}

/**
 * Incremental decoder for streams: chunks may split multi-byte UTF-8 sequences and CRLF pairs.
 * With `auto` the encoding is sniffed from the first chunk that is not pure ASCII (valid UTF-8 ->
 * UTF-8, else Latin-1); a later chunk that is not valid UTF-8 then fails with IDOC_BINARY_INPUT.
 * Control characters are reported with their line and column.
 */
export class ChunkDecoder {
  private utf8: TextDecoder | undefined;
  private mode: 'utf-8' | 'latin1' | undefined;
  private started = false;
  private bytesSeen = 0;
  /** Line number and column where the next decoded text starts (for binary-input messages). */
  private line = 1;
  private column = 1;

  /** `check: false` for readers that look at every character themselves (see flat-records.ts). */
  constructor(
    private readonly encoding: TextEncodingOption = 'auto',
    private readonly check = true,
  ) {
    if (encoding !== 'auto') this.mode = encoding;
  }

  /** The encoding in use (`undefined` until the first byte chunk when sniffing). */
  get encodingUsed(): 'utf-8' | 'latin1' | undefined {
    return this.mode;
  }

  decode(chunk: Uint8Array | string): string {
    let text: string;
    if (typeof chunk === 'string') {
      text = this.started ? chunk : stripBom(chunk);
    } else {
      text = this.decodeBytes(chunk);
    }
    this.started = true;
    if (this.check) this.checkText(text);
    return text;
  }

  /** Flushes an incomplete trailing UTF-8 sequence (an error: the input ended inside a character). */
  end(): string {
    if (this.utf8 === undefined) return '';
    try {
      return this.utf8.decode();
    } catch {
      throw new IdocgateError('IDOC_BINARY_INPUT', 'The input ends inside a UTF-8 character');
    }
  }

  private decodeBytes(chunk: Uint8Array): string {
    if (this.mode === undefined) {
      // Pure ASCII reads the same either way: decide on the first chunk with other bytes.
      if (isAscii(chunk)) {
        this.bytesSeen += chunk.byteLength;
        return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
      }
      this.mode = sniff(chunk);
    }
    const at = this.bytesSeen;
    this.bytesSeen += chunk.byteLength;
    if (this.mode === 'latin1') {
      return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    }
    this.utf8 ??= new TextDecoder('utf-8', { fatal: true });
    try {
      return this.utf8.decode(chunk, { stream: true });
    } catch {
      const hint =
        this.encoding === 'auto' ? " (sniffed from the first non-ASCII chunk; pass encoding: 'latin1')" : '';
      throw new IdocgateError(
        'IDOC_BINARY_INPUT',
        `The input is not valid UTF-8 in the chunk starting at byte ${at}${hint}`,
      );
    }
  }

  private checkText(text: string): void {
    assertNoControlChars(text, this.line, this.column);
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.column += text.length;
      return;
    }
    this.column = text.length - last;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.line++;
  }
}

/** UTF-8 when the chunk is valid UTF-8 apart from an incomplete sequence at its end. */
function sniff(chunk: Uint8Array): 'utf-8' | 'latin1' {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(chunk, { stream: true });
    return 'utf-8';
  } catch {
    return 'latin1';
  }
}
