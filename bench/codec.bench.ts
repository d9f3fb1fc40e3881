/**
 * The combined codec benchmark (`npm run bench:codec [-- count rounds chunk]`).
 *
 * Corpus (bench/corpus.ts): `count` (default 10 000) DELVRY07 with 20 items x 5 serials and as
 * many MBGMCR03, each IDoc as its own flat file, IDoc-XML document and canonical JSON text, and
 * each chunk also as one whole flat file and one JSON array.
 * Measured over the same IDocs, in the same run:
 *   flat parse (parseFlat, one text per IDoc, and one whole file per chunk), flat generate
 *   (writeFlat), XML parse (parseXml), XML generate (writeXml, also with UTF-8 encoding):
 *   IDocs/s, records/s, MB/s;
 *   baselines: JSON.parse of the canonical JSON (per IDoc, and the chunk as one array),
 *   JSON.stringify of the canonical model (also with UTF-8 encoding), the raw event rate of saxes
 *   over the XML (position tracking on and off), and fast-xml-parser 5 for comparison;
 *   peak RSS of the process.
 * Ratios against the targets: flat parse >= 1.0x JSON.parse, XML parse >= 0.7x saxes (the
 * faster setting, position off), XML generate >= 1.0x JSON.stringify. The targets compare rates
 * in IDocs/s over the same IDocs (i.e. time for the same work); MB/s ratios are printed too.
 *
 * The corpus is built chunk by chunk (default 1 000 IDocs). Before the first chunk every case runs
 * once untimed (warm-up); then each case runs `rounds` times per chunk, interleaved with the
 * others (order rotated per round), and its median round counts. Texts are flat strings.
 * `CODEC_BENCH_ONLY='flat parse,JSON.parse'` limits the run to the named cases (quick iterations).
 */
import { XMLParser } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { loadDefinitions } from '../src/definitions/load.js';
import { toCanonical } from '../src/idoc/codec-json.js';
import { parseFlat } from '../src/idoc/flat-read.js';
import { writeFlat } from '../src/idoc/flat-write.js';
import { countSegments } from '../src/idoc/model.js';
import { parseXml } from '../src/idoc/xml-reader.js';
import { writeXml } from '../src/idoc/xml-writer.js';
import { CORPUS, chunkOf, flatString, fmt, medianOf } from './corpus.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CHUNK = Number(process.argv[4] ?? 1_000);
const registry = loadDefinitions();

const ALL_CASES = [
  'flat parse',
  'flat parse (whole file)',
  'flat generate',
  'XML parse',
  'XML generate',
  'XML generate + UTF-8 bytes',
  'JSON.parse',
  'JSON.parse (whole array)',
  'JSON.stringify',
  'JSON.stringify + UTF-8 bytes',
  'saxes events (position on)',
  'saxes events (position off)',
  'fast-xml-parser 5',
] as const;
const ONLY = (process.env.CODEC_BENCH_ONLY ?? '')
  .split(',')
  .map((x) => x.trim())
  .filter((x) => x !== '');
const CASES = ALL_CASES.filter((c) => ONLY.length === 0 || ONLY.includes(c));
type Case = (typeof ALL_CASES)[number];

interface Totals {
  idocs: number;
  records: number;
  flatBytes: number;
  xmlBytes: number;
  jsonBytes: number;
  saxEvents: number;
  seconds: Record<Case, number>;
}

function emptyTotals(): Totals {
  const seconds = {} as Record<Case, number>;
  for (const c of ALL_CASES) seconds[c] = 0;
  return { idocs: 0, records: 0, flatBytes: 0, xmlBytes: 0, jsonBytes: 0, saxEvents: 0, seconds };
}

const fxp = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  isArray: () => true,
});

let sink = 0;

function saxesRun(xmls: readonly string[], position: boolean): number {
  let events = 0;
  for (const x of xmls) {
    const p = new SaxesParser({ position });
    p.on('opentag', () => events++);
    p.on('text', () => events++);
    p.on('closetag', () => events++);
    p.write(x).close();
  }
  return events;
}

let warmedUp = false;

/** In its own function, so that the IDocs read here are garbage before the timing starts. */
function checkWholeFile(wholeFlat: string, count: number, first: string): void {
  const back = parseFlat(wholeFlat, registry).idocs;
  if (back.length !== count || JSON.stringify(toCanonical(back[0]!)) !== first)
    throw new Error('whole-file flat mismatch');
}

function measureChunk(t: Totals, idocs: ReturnType<typeof chunkOf>): void {
  const flats = idocs.map((d) => flatString(writeFlat([d], registry)));
  const wholeFlat = flatString(flats.join(''));
  const xmls = idocs.map((d) => flatString(writeXml(d)));
  const canon = idocs.map(toCanonical);
  const jsons = canon.map((c) => JSON.stringify(c));
  const wholeJson = flatString(`[${jsons.join(',')}]`);
  // correctness before timing: the texts read back as the IDocs they were written from
  const first = JSON.stringify(canon[0]);
  if (JSON.stringify(toCanonical(parseFlat(flats[0]!, registry).idocs[0]!)) !== first)
    throw new Error('flat mismatch');
  if (JSON.stringify(toCanonical(parseXml(xmls[0]!).idocs[0]!)) !== first) throw new Error('XML mismatch');
  checkWholeFile(wholeFlat, idocs.length, first);

  let events = 0;
  const all: Record<Case, () => void> = {
    'flat parse': () => {
      for (const s of flats) sink += parseFlat(s, registry).idocs.length;
    },
    'flat parse (whole file)': () => {
      sink += parseFlat(wholeFlat, registry).idocs.length;
    },
    'flat generate': () => {
      for (const d of idocs) sink += writeFlat([d], registry).length;
    },
    'XML parse': () => {
      for (const s of xmls) sink += parseXml(s).idocs.length;
    },
    'XML generate': () => {
      for (const d of idocs) sink += writeXml(d).length;
    },
    'XML generate + UTF-8 bytes': () => {
      for (const d of idocs) sink += Buffer.from(writeXml(d), 'utf8').length;
    },
    'JSON.parse': () => {
      for (const s of jsons) sink += (JSON.parse(s) as { segments: unknown[] }).segments.length;
    },
    'JSON.parse (whole array)': () => {
      sink += (JSON.parse(wholeJson) as unknown[]).length;
    },
    'JSON.stringify': () => {
      for (const c of canon) sink += JSON.stringify(c).length;
    },
    'JSON.stringify + UTF-8 bytes': () => {
      for (const c of canon) sink += Buffer.from(JSON.stringify(c), 'utf8').length;
    },
    'saxes events (position on)': () => {
      events = saxesRun(xmls, true);
    },
    'saxes events (position off)': () => {
      events = saxesRun(xmls, false);
    },
    'fast-xml-parser 5': () => {
      for (const s of xmls) sink += Object.keys(fxp.parse(s) as object).length;
    },
  };
  const selected: Record<string, () => void> = {};
  for (const c of CASES) selected[c] = all[c];
  const median = medianOf(ROUNDS, selected, !warmedUp);
  warmedUp = true;
  for (const c of CASES) t.seconds[c] += median[c]!;
  t.idocs += idocs.length;
  for (const d of idocs) t.records += countSegments(d) + 1;
  for (const s of flats) t.flatBytes += Buffer.byteLength(s);
  for (const s of xmls) t.xmlBytes += Buffer.byteLength(s);
  for (const s of jsons) t.jsonBytes += Buffer.byteLength(s);
  t.saxEvents += events;
}

function bytesFor(t: Totals, c: Case): number {
  if (c.startsWith('flat')) return t.flatBytes;
  if (c.startsWith('JSON')) return t.jsonBytes;
  return t.xmlBytes;
}

function report(name: string, t: Totals): void {
  console.log(
    `\n${name}: ${fmt(t.idocs)} IDocs, ${fmt(t.records)} records; flat ${(t.flatBytes / 1e6).toFixed(0)} MB, ` +
      `XML ${(t.xmlBytes / 1e6).toFixed(0)} MB, JSON ${(t.jsonBytes / 1e6).toFixed(0)} MB, ${fmt(t.saxEvents)} saxes events`,
  );
  console.log(
    `  ${'case (median round)'.padEnd(30)} ${'IDocs/s'.padStart(9)} ${'records/s'.padStart(11)} ${'MB/s'.padStart(7)}`,
  );
  for (const c of CASES) {
    const s = t.seconds[c];
    const extra = c.startsWith('saxes') ? `  ${(t.saxEvents / s / 1e6).toFixed(1)} M events/s` : '';
    console.log(
      `  ${c.padEnd(30)} ${fmt(t.idocs / s).padStart(9)} ${fmt(t.records / s).padStart(11)} ${(bytesFor(t, c) / 1e6 / s).toFixed(1).padStart(7)}${extra}`,
    );
  }
  const has = (c: Case): boolean => CASES.includes(c);
  /** Ratio of rates in IDocs/s (same IDocs on both sides) and in MB/s (each side's own text). */
  const ratio = (a: Case, b: Case): { idocs: number; mb: number } => {
    const idocs = t.seconds[b] / t.seconds[a];
    return { idocs, mb: (idocs * bytesFor(t, a)) / bytesFor(t, b) };
  };
  const line = (a: Case, b: Case, target?: number): void => {
    if (!has(a) || !has(b)) return;
    const r = ratio(a, b);
    const verdict =
      target === undefined
        ? ''
        : `  (target >= ${target.toFixed(1)}x IDocs/s: ${r.idocs >= target ? 'met' : 'MISSED'})`;
    console.log(
      `  ${`${a} / ${b}`.padEnd(58)} ${r.idocs.toFixed(2).padStart(5)}x IDocs/s ${r.mb.toFixed(2).padStart(5)}x MB/s${verdict}`,
    );
  };
  console.log('  ratios (targets are rates in IDocs/s over the same IDocs; MB/s shown for information):');
  line('flat parse', 'JSON.parse', 1.0);
  line('flat parse (whole file)', 'JSON.parse (whole array)');
  line('flat parse (whole file)', 'flat parse');
  line('XML parse', 'saxes events (position off)', 0.7);
  line('XML parse', 'saxes events (position on)');
  line('XML generate', 'JSON.stringify', 1.0);
  line('XML generate + UTF-8 bytes', 'JSON.stringify + UTF-8 bytes');
  line('flat generate', 'JSON.stringify');
  line('XML parse', 'fast-xml-parser 5');
}

console.log(
  `codec bench: Node ${process.version}, ${fmt(COUNT)} IDocs per set, chunks of ${fmt(CHUNK)}, warm-up + median of ${ROUNDS} interleaved rounds per chunk`,
);
const all = emptyTotals();
for (const set of CORPUS) {
  const t = emptyTotals();
  for (let from = 0; from < COUNT; from += CHUNK)
    measureChunk(t, chunkOf(set, from, Math.min(COUNT, from + CHUNK)));
  report(set.name, t);
  for (const c of ALL_CASES) all.seconds[c] += t.seconds[c];
  all.idocs += t.idocs;
  all.records += t.records;
  all.flatBytes += t.flatBytes;
  all.xmlBytes += t.xmlBytes;
  all.jsonBytes += t.jsonBytes;
  all.saxEvents += t.saxEvents;
}
report('Combined corpus', all);
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  `\npeak RSS ${(peak / 1e6).toFixed(0)} MB (whole run: corpus chunk, its texts and the parsed models)`,
);
if (sink < 0) console.log(sink);
