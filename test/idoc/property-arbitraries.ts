/**
 * fast-check arbitraries for random valid IDocs of a loaded definition: a random segment tree
 * within each segment's min/max occurrence (children in definition order), and random values
 * that fit each field's length and SAP data type. Values never end in a blank and are never
 * empty (a flat file cannot tell those from an absent value).
 */
import fc from 'fast-check';
import type { CompiledDefinition, CompiledSegment } from '../../src/definitions/registry.js';
import type { FieldDefinition } from '../../src/definitions/types.js';
import { CONTROL_FIELDS, type ControlRecord, type Idoc, type Segment } from '../../src/idoc/model.js';
import { CONTROL_FIELD_LENGTHS } from '../../src/idoc/model.js';

/**
 * Characters for CHAR values: printable ASCII (XML markup characters included), Latin-1 and a
 * few BMP characters. No control characters (neither flat nor XML carries them) and no
 * surrogate pairs (a flat field counts UTF-16 units).
 */
const CHARS = [
  ...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~',
  ...'ÄÖÜäöüßéèçñø°²µ·»¼ÿ',
  ...'€řůžŁ–‘’“”中文',
];
const DIGITS = '0123456789';

const charArb = fc.constantFrom(...CHARS);
const digitArb = fc.constantFrom(...DIGITS);

/** 1..max characters, the last one not blank. */
function text(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(charArb, { maxLength: Math.max(0, Math.min(max, 40) - 1) }),
      charArb.filter((c) => c !== ' '),
    )
    .map(([head, last]) => head.join('') + last);
}

function digits(min: number, max: number): fc.Arbitrary<string> {
  return fc.array(digitArb, { minLength: min, maxLength: max }).map((d) => d.join(''));
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

const datsArb = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .map(({ y, m, d }) => `${pad(y, 4)}${pad(m, 2)}${pad(Math.min(d, daysInMonth(y, m)), 2)}`);

const timsArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m, s]) => `${pad(h, 2)}${pad(m, 2)}${pad(s, 2)}`);

/** SAP external number: optional leading blanks, digits, optional `.decimals`, optional trailing `-`. */
function sapNumber(max: number, decimals: boolean): fc.Arbitrary<string> {
  return fc
    .record({
      lead: fc.nat({ max: 3 }),
      int: digits(1, Math.max(1, Math.min(max, 13))),
      frac: decimals ? fc.option(digits(1, 4), { nil: undefined }) : fc.constant(undefined),
      minus: fc.boolean(),
    })
    .map(({ lead, int, frac, minus }) => {
      let v = int + (frac !== undefined ? `.${frac}` : '') + (minus ? '-' : '');
      v = ' '.repeat(lead) + v;
      // shorten to the field: drop leading blanks, then sign and decimals, then digits
      while (v.length > max && v.startsWith(' ')) v = v.slice(1);
      if (v.length > max) v = int.slice(0, max);
      return v;
    });
}

export function valueArb(f: FieldDefinition): fc.Arbitrary<string> {
  switch (f.dataType) {
    case 'NUMC':
      return digits(1, f.length);
    case 'DATS':
      return f.length >= 8 ? datsArb : digits(1, f.length);
    case 'TIMS':
      return f.length >= 6 ? timsArb : digits(1, f.length);
    case 'QUAN':
    case 'DEC':
    case 'CURR':
      return sapNumber(f.length, true);
    case 'INT1':
    case 'INT2':
    case 'INT4':
      return sapNumber(f.length, false);
    default:
      return text(f.length);
  }
}

const fieldArbs = new Map<CompiledSegment, fc.Arbitrary<Record<string, string>>>();

/** Random field values of a segment, each field present or absent, in definition order. */
export function fieldsArb(seg: CompiledSegment): fc.Arbitrary<Record<string, string>> {
  let arb = fieldArbs.get(seg);
  if (arb === undefined) {
    const model: Record<string, fc.Arbitrary<string>> = {};
    for (const f of seg.fields) model[f.name] = valueArb(f);
    arb = fc.record(model, { requiredKeys: [] }).map((r) => {
      const out: Record<string, string> = {};
      for (const f of seg.fields) {
        const v = (r as Record<string, string | undefined>)[f.name];
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    });
    fieldArbs.set(seg, arb);
  }
  return arb;
}

function controlArb(def: CompiledDefinition): fc.Arbitrary<ControlRecord> {
  const mestyps = Object.keys(def.source.messageTypes);
  const free = CONTROL_FIELDS.filter(
    (f) =>
      !['TABNAM', 'MANDT', 'DOCNUM', 'DIRECT', 'IDOCTYP', 'CIMTYP', 'MESTYP', 'CREDAT', 'CRETIM'].includes(f),
  );
  const optional: Record<string, fc.Arbitrary<string>> = {};
  for (const f of free) optional[f] = text(CONTROL_FIELD_LENGTHS[f]);
  return fc
    .record({
      MANDT: digits(3, 3),
      DOCNUM: digits(16, 16),
      DIRECT: fc.constantFrom('1', '2'),
      MESTYP: mestyps.length > 0 ? fc.constantFrom(...mestyps) : text(30),
      CREDAT: datsArb,
      CRETIM: timsArb,
      rest: fc.record(optional, { requiredKeys: [] }),
    })
    .map(({ rest, ...fixed }) => {
      const all: Record<string, string | undefined> = {
        ...rest,
        ...fixed,
        TABNAM: 'EDI_DC40',
        IDOCTYP: def.basicType,
        ...(def.extension ? { CIMTYP: def.extension } : {}),
      };
      const out: ControlRecord = {};
      for (const f of CONTROL_FIELDS) {
        const v = all[f];
        if (v !== undefined) out[f] = v;
      }
      return out;
    });
}

export interface TreeLimits {
  /** Most segments per IDoc beyond the mandatory ones (default 40). */
  readonly budget?: number;
  /** Most occurrences above a segment's minimum (default 2). */
  readonly extra?: number;
}

/** A random valid IDoc of the definition. */
export function idocArb(def: CompiledDefinition, limits: TreeLimits = {}): fc.Arbitrary<Idoc> {
  return fc.tuple(controlArb(def), fc.gen()).map(([control, g]) => {
    let budget = limits.budget ?? 40;
    const extraMax = limits.extra ?? 2;
    const children = (types: readonly string[], depth: number): Segment[] => {
      const out: Segment[] = [];
      for (const type of types) {
        const seg = def.segment(type)!;
        const max = seg.max ?? Number.MAX_SAFE_INTEGER;
        // about half of the optional segments stay absent; the budget caps the tree
        const extra =
          budget > 0 && depth < 12 ? Math.max(0, g(fc.integer, { min: -extraMax, max: extraMax })) : 0;
        const count = Math.min(max, seg.min + extra);
        for (let k = 0; k < count; k++) {
          budget--;
          out.push({ type, fields: g(fieldsArb, seg), children: children(seg.children, depth + 1) });
        }
      }
      return out;
    };
    return { control, segments: children(def.topLevel, 0) };
  });
}
