import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import type { Issue } from '../../src/errors.js';
import { IdocgateError } from '../../src/errors.js';
import { parseFlat } from '../../src/idoc/flat-read.js';
import { readFlatStream, type FlatStreamOptions } from '../../src/idoc/flat-stream.js';
import { writeFlat } from '../../src/idoc/flat-write.js';
import type { Idoc } from '../../src/idoc/model.js';
import { delvry07WithSerials, mbgmcr03WithSerials } from '../../fixtures/flat/samples.js';

const registry = loadDefinitions();

function sample(): Idoc[] {
  const d = delvry07WithSerials({ n: 3, items: 2, serialsPerItem: 2 });
  d.segments[0]!.children[2]!.fields.ARKTX = 'Zubehör für Größe – € 5';
  return [delvry07WithSerials({ n: 1, items: 1, serialsPerItem: 1 }), mbgmcr03WithSerials({ n: 2 }), d];
}
const text = writeFlat(sample(), registry, { lineEnding: '\r\n', finalNewline: false });
const utf8 = Buffer.from(text, 'utf8');

async function* chunksOf<T extends Uint8Array | string>(
  input: T,
  cuts: readonly number[],
): AsyncGenerator<T> {
  let pos = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= pos || cut >= input.length) continue;
    yield input.slice(pos, cut) as T;
    pos = cut;
  }
  yield input.slice(pos) as T;
}

async function collect(
  source: AsyncIterable<Uint8Array | string>,
  opts?: FlatStreamOptions,
): Promise<Idoc[]> {
  const out: Idoc[] = [];
  for await (const idoc of readFlatStream(source, registry, opts)) out.push(idoc);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<IdocgateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError');
}

describe('readFlatStream', () => {
  const expected = parseFlat(utf8, registry).idocs;

  it('reads the same IDocs as parseFlat, one chunk or byte by byte', async () => {
    expect(await collect(chunksOf(utf8, []))).toEqual(expected);
    const cuts = Array.from({ length: utf8.length }, (_, i) => i);
    expect(await collect(chunksOf(utf8, cuts))).toEqual(expected);
    expect(await collect(chunksOf(text, [1, 525, 526, 2000]))).toEqual(expected);
  });

  it('gives the same IDocs for any chunking of bytes or text (CRLF and UTF-8 split anywhere)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: utf8.length - 1 }), { maxLength: 40 }),
        fc.boolean(),
        async (cuts, asText) => {
          const source = asText ? chunksOf(text, cuts) : chunksOf(utf8, cuts);
          expect(await collect(source)).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('yields an IDoc before the rest of the input has been read', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < utf8.length; i += 256) {
        pulled = i + 256;
        yield utf8.subarray(i, i + 256);
      }
    }
    const it = readFlatStream(source(), registry);
    const first = await it.next();
    expect(first.done).toBe(false);
    expect((first.value as Idoc).control.IDOCTYP).toBe('DELVRY07');
    expect(pulled).toBeLessThan(utf8.length / 2);
    await it.return(undefined);
  });

  it('sniffs Latin-1 from the first chunk that is not ASCII', async () => {
    const latin1 = Buffer.from(text.replace(/[–€]/g, '-'), 'latin1');
    const idocs = await collect(chunksOf(latin1, [100, 3000, 3001]));
    expect(idocs[2]!.segments[0]!.children[2]!.fields.ARKTX).toBe('Zubehör für Größe - - 5');
  });

  it('fails when a later chunk is not valid UTF-8', async () => {
    const first = Buffer.from(text.slice(0, 600) + 'ö', 'utf8');
    const rest = Buffer.from('EDI_DC40  Gr\u00f6\u00dfe', 'latin1');
    const e = await rejection(collect(chunksOf(Buffer.concat([first, rest]), [first.length])));
    expect(e.code).toBe('IDOC_BINARY_INPUT');
    expect(e.message).toMatch(/latin1/);
  });

  it('reports binary junk with its line and column across chunks', async () => {
    const bad = text.slice(0, 1000) + '\u0001' + text.slice(1001);
    const e = await rejection(collect(chunksOf(bad, [500, 990])));
    expect(e.code).toBe('IDOC_BINARY_INPUT');
    const line = bad.slice(0, 1000).split('\n').length;
    const column = 1000 - bad.lastIndexOf('\n', 999);
    expect(e.issues[0]!.details).toMatchObject({ line, column });
  });

  it('yields the good IDocs before failing on an unreadable one', async () => {
    const lines = text.split('\r\n');
    const second = lines.findIndex((l, i) => i > 0 && l.startsWith('EDI_DC40'));
    lines[second + 1] = lines[second + 1]!.slice(0, 50);
    const seen: string[] = [];
    const e = await rejection(
      (async () => {
        for await (const idoc of readFlatStream(chunksOf(lines.join('\r\n'), [777]), registry)) {
          seen.push(idoc.control.IDOCTYP ?? '');
        }
      })(),
    );
    expect(seen).toEqual(['DELVRY07']);
    expect(e.code).toBe('IDOC_RECORD_TRUNCATED');
    expect(e.issues[0]!.details).toMatchObject({ line: second + 2 });
  });

  it('stops at an overlong line without waiting for its end', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<string> {
      yield text.slice(0, 600);
      for (;;) {
        pulled++;
        yield 'x'.repeat(500);
        if (pulled > 100) throw new Error('kept reading');
      }
    }
    const e = await rejection(collect(endless()));
    expect(e.code).toBe('IDOC_RECORD_TOO_LONG');
    expect(pulled).toBeLessThan(5);
  });

  it('enforces the input size limit and passes issues to onIssues', async () => {
    expect((await rejection(collect(chunksOf(utf8, [100]), { maxInputSize: 1000 }))).code).toBe(
      'IDOC_TOO_LARGE',
    );
    const lines = text.split('\r\n');
    lines[2] = lines[2]!.slice(0, 55) + '000777' + lines[2]!.slice(61);
    const seen: [string, string | undefined][] = [];
    const onIssues = (issues: readonly Issue[], idoc: Idoc | undefined): void => {
      for (const i of issues) seen.push([i.code, idoc?.control.DOCNUM]);
    };
    await collect(chunksOf(lines.join('\r\n') + '\r\n\r\n', [50]), { onIssues });
    expect(seen).toEqual([
      ['PSGNUM_INVALID', '0000000000000001'],
      ['EMPTY_LINE', undefined],
    ]);
  });

  it('rejects an empty stream', async () => {
    expect((await rejection(collect(chunksOf('', [])))).code).toBe('IDOC_EMPTY_INPUT');
  });
});
