import { describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import { ChunkDecoder, decodeText } from '../../src/idoc/text.js';

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

describe('decodeText', () => {
  const word = 'Größe – 5 €';

  it('reads valid UTF-8 as UTF-8 and strips a BOM (bytes or string)', () => {
    expect(decodeText(Buffer.from(word, 'utf8'))).toBe(word);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(word, 'utf8')]))).toBe(
      word,
    );
    expect(decodeText('\ufeff' + word)).toBe(word);
  });

  it('falls back to Latin-1 when the bytes are not UTF-8, and honours an explicit encoding', () => {
    const latin1 = Buffer.from('Größe für Köln', 'latin1');
    expect(decodeText(latin1)).toBe('Größe für Köln');
    expect(decodeText(latin1, 'latin1')).toBe('Größe für Köln');
    expect(decodeText(Buffer.from('Größe', 'utf8'), 'latin1')).toBe('GrÃ¶Ã\u009fe');
    const e = thrown(() => decodeText(latin1, 'utf-8'));
    expect(e.code).toBe('IDOC_BINARY_INPUT');
    expect(e.message).toMatch(/near byte 2/);
  });

  it('accepts TAB, CR and LF and refuses other C0 control characters with line and column', () => {
    expect(decodeText('a\tb\r\nc\n')).toBe('a\tb\r\nc\n');
    const e = thrown(() => decodeText('first\nsecond\r\nthi\u001ard'));
    expect(e.code).toBe('IDOC_BINARY_INPUT');
    expect(e.issues[0]!.details).toMatchObject({ line: 3, column: 4, char: 'U+001A' });
    expect(thrown(() => decodeText(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00]))).message).toMatch(
      /U\+0000/,
    );
  });
});

describe('ChunkDecoder', () => {
  it('joins UTF-8 sequences split across chunks', () => {
    const bytes = Buffer.from('a€b', 'utf8');
    const d = new ChunkDecoder();
    const parts = [
      d.decode(bytes.subarray(0, 2)),
      d.decode(bytes.subarray(2, 4)),
      d.decode(bytes.subarray(4)),
    ];
    expect(parts.join('') + d.end()).toBe('a€b');
    expect(d.encodingUsed).toBe('utf-8');
  });

  it('fails when the input ends inside a character', () => {
    const d = new ChunkDecoder('utf-8');
    d.decode(Buffer.from('€', 'utf8').subarray(0, 2));
    expect(thrown(() => d.end()).code).toBe('IDOC_BINARY_INPUT');
  });

  it('counts lines across chunks for control characters', () => {
    const d = new ChunkDecoder();
    d.decode('one\ntwo');
    const e = thrown(() => d.decode('2\nthree\u0007'));
    expect(e.issues[0]!.details).toMatchObject({ line: 3, column: 6 });
  });
});
