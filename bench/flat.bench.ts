/**
 * Flat IDoc codec benchmark (standalone:
 * `node --import tsx --expose-gc bench/flat.bench.ts [count] [streamIdocs] [segment|trim|full]`).
 *
 * Generates `count` (default 10 000) DELVRY07 IDocs (20 items x 5 serial numbers in E1EDL11) and as
 * many MBGMCR03 IDocs (10 items, 5 E1BP2017_GM_SERIALNUMBER each), each written as its own flat
 * file (SAP file-port padding), then measures over the same IDocs:
 *   - parseFlat (IDocs/s, records/s, MB/s) against JSON.parse of the canonical JSON
 *     (JSON.stringify of the IDoc without layout hints); target >= 1.0x
 *   - writeFlat against JSON.stringify of the same canonical JSON
 *   - readFlatStream over a ~200 MB file of 100 000 small IDocs (trailing blanks trimmed) in
 *     os.tmpdir() (deleted afterwards), with peak RSS above the baseline (sampled while streaming)
 * Each figure is the best of several rounds (noise only ever slows a round down).
 */
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitions } from '../src/definitions/load.js';
import { parseFlat } from '../src/idoc/flat-read.js';
import { readFlatStream } from '../src/idoc/flat-stream.js';
import { writeFlat } from '../src/idoc/flat-write.js';
import { countSegments, type Idoc } from '../src/idoc/model.js';
import { delvry07WithSerials, mbgmcr03WithSerials } from '../fixtures/flat/samples.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const STREAM_IDOCS = Number(process.argv[3] ?? 100_000);
const ROUNDS = 5;
/** Record padding of the parse/generate texts: `segment` is what SAP's file port writes. */
const PADDING = (process.argv[4] ?? 'segment') as 'segment' | 'trim' | 'full';
const registry = loadDefinitions();
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

interface Figure {
  readonly seconds: number;
}

function best(rounds: number, fn: () => void): Figure {
  let seconds = Infinity;
  for (let r = 0; r < rounds; r++) {
    gc();
    const t0 = performance.now();
    fn();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (chars: number): number => chars / 1e6;

function report(label: string, docs: number, records: number, chars: number, f: Figure): void {
  console.log(
    `  ${label.padEnd(34)} ${fmt(docs / f.seconds).padStart(9)} IDocs/s ${fmt(records / f.seconds).padStart(11)} rec/s ${(mb(chars) / f.seconds).toFixed(1).padStart(7)} MB/s`,
  );
}

function runSet(name: string, idocs: readonly Idoc[]): { parseRatio: number; writeRatio: number } {
  const flats = idocs.map((i) => writeFlat([i], registry, { padding: PADDING }));
  const jsons = idocs.map((i) => JSON.stringify(i));
  const records = idocs.reduce((n, i) => n + countSegments(i) + 1, 0);
  const flatChars = flats.reduce((n, t) => n + t.length, 0);
  const jsonChars = jsons.reduce((n, t) => n + t.length, 0);
  // correctness check before timing
  const back = parseFlat(flats[0]!, registry);
  if (back.issues.length > 0 || writeFlat(back.idocs, registry) !== flats[0])
    throw new Error('round trip failed');

  console.log(
    `\n${name}: ${fmt(idocs.length)} IDocs, ${fmt(records)} records, flat ${mb(flatChars).toFixed(1)} MB, JSON ${mb(jsonChars).toFixed(1)} MB`,
  );
  let sink = 0;
  const parse = best(ROUNDS, () => {
    for (const t of flats) sink += parseFlat(t, registry).idocs.length;
  });
  const jsonParse = best(ROUNDS, () => {
    for (const t of jsons) sink += (JSON.parse(t) as Idoc).segments.length;
  });
  const write = best(ROUNDS, () => {
    for (const i of idocs) sink += writeFlat([i], registry, { padding: PADDING }).length;
  });
  const jsonWrite = best(ROUNDS, () => {
    for (const i of idocs) sink += JSON.stringify(i).length;
  });
  const whole = flats.join('');
  const parseFile = best(ROUNDS, () => {
    sink += parseFlat(whole, registry).idocs.length;
  });
  report('parseFlat (one IDoc per text)', idocs.length, records, flatChars, parse);
  report('parseFlat (one file, all IDocs)', idocs.length, records, flatChars, parseFile);
  report('JSON.parse (canonical JSON)', idocs.length, records, jsonChars, jsonParse);
  report('writeFlat', idocs.length, records, flatChars, write);
  report('JSON.stringify (canonical JSON)', idocs.length, records, jsonChars, jsonWrite);
  const parseRatio = jsonParse.seconds / parse.seconds;
  const writeRatio = jsonWrite.seconds / write.seconds;
  console.log(
    `  ratio parseFlat / JSON.parse = ${parseRatio.toFixed(2)}x (target >= 1.0x)   writeFlat / JSON.stringify = ${writeRatio.toFixed(2)}x`,
  );
  if (sink < 0) console.log(sink);
  return { parseRatio, writeRatio };
}

async function streamFile(): Promise<void> {
  const file = join(tmpdir(), `idocgate-flat-bench-${process.pid}.idoc`);
  const out = createWriteStream(file);
  let records = 0;
  for (let n = 0; n < STREAM_IDOCS; n++) {
    const idoc =
      n % 2 === 0
        ? delvry07WithSerials({ n, items: 2, serialsPerItem: 3, handlingUnits: 0 })
        : mbgmcr03WithSerials({ n, items: 2, serialsPerItem: 3 });
    records += countSegments(idoc) + 1;
    if (!out.write(writeFlat([idoc], registry, { padding: 'trim' }))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const bytes = statSync(file).size;
  try {
    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let count = 0;
    const t0 = performance.now();
    for await (const idoc of readFlatStream(createReadStream(file, { highWaterMark: 64 * 1024 }), registry)) {
      if (idoc.segments.length === 0) throw new Error('empty IDoc');
      if (++count % 200 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    if (count !== STREAM_IDOCS) throw new Error(`streamed ${count} of ${STREAM_IDOCS} IDocs`);
    console.log(
      `\nreadFlatStream: ${fmt(count)} IDocs, ${fmt(records)} records, ${(bytes / 1e6).toFixed(0)} MB file in ${seconds.toFixed(1)} s` +
        ` = ${fmt(count / seconds)} IDocs/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s`,
    );
    console.log(
      `  RSS baseline ${(baseline / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (+${((peak - baseline) / 1e6).toFixed(0)} MB while streaming)`,
    );
  } finally {
    rmSync(file, { force: true });
  }
}

console.log(`flat codec bench, Node ${process.version}, ${ROUNDS} rounds (best shown), padding ${PADDING}`);
await streamFile(); // first, so the RSS baseline is not inflated by the in-memory sets below
const delvry = runSet(
  'DELVRY07 (20 items x 5 serials)',
  Array.from({ length: COUNT }, (_, n) =>
    delvry07WithSerials({ n, items: 20, serialsPerItem: 5, handlingUnits: 0 }),
  ),
);
const mbgmcr = runSet(
  'MBGMCR03 (10 items x 5 serials)',
  Array.from({ length: COUNT }, (_, n) => mbgmcr03WithSerials({ n, items: 10, serialsPerItem: 5 })),
);
const ok = delvry.parseRatio >= 1 && mbgmcr.parseRatio >= 1;
console.log(`\nparse target (IDocs/s vs JSON.parse >= 1.0x) ${ok ? 'met' : 'NOT met'}`);
