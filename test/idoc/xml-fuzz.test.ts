/**
 * Junk never crashes the reader: random bytes, random strings, truncations and single-byte
 * mutations of real documents either parse or throw IdocgateError (never another error, never
 * a hang). Differential check: whatever our scanner accepts, saxes (a conforming parser) accepts.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import { parseSoap } from '../../src/idoc/soap.js';
import { parseXml } from '../../src/idoc/xml-reader.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/xml');
const CONFORMANCE = resolve(import.meta.dirname, '../../../shared/conformance/samples');
const present = existsSync(CONFORMANCE);
if (!present) console.warn(`The conformance suite was skipped for fuzzing: ${CONFORMANCE} is absent.`);

function seeds(): Uint8Array[] {
  const out = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => new Uint8Array(readFileSync(join(FIXTURES, f))));
  if (present) {
    for (const dir of ['DELVRY07', 'MBGMCR03', 'DEBMAS07']) {
      for (const f of readdirSync(join(CONFORMANCE, dir)).filter((x) => x.endsWith('.xml'))) {
        out.push(new Uint8Array(readFileSync(join(CONFORMANCE, dir, f))));
      }
    }
  }
  return out;
}

/** Parses or throws IdocgateError; anything else fails the property. */
function safely(fn: () => unknown): 'ok' | 'rejected' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof IdocgateError) return 'rejected';
    throw e;
  }
}

function saxesAccepts(text: string): boolean {
  try {
    new SaxesParser().write(text).close();
    return true;
  } catch {
    return false;
  }
}

const SEEDS = seeds();
const runs = { numRuns: 300 };

describe('XML reader fuzzing', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        safely(() => parseXml(bytes));
        safely(() => parseSoap(bytes));
      }),
      runs,
    );
  });

  it('well-formedness agrees with saxes on IDoc-shaped strings', () => {
    const prefix = '<DELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><IDOCTYP>DELVRY07</IDOCTYP></EDI_DC40>';
    const inner = fc.constantFrom(
      '<E1EDL20 SEGMENT="1">',
      '</E1EDL20>',
      '<A>',
      '</A>',
      '<A/>',
      'v',
      '&lt;',
      '&x;',
      ']]>',
      '<![CDATA[c]]>',
      '<!--c-->',
      '<?p?>',
      '\r\n',
      ' a="1"',
      '>',
    );
    fc.assert(
      fc.property(fc.array(inner, { maxLength: 12 }), (parts) => {
        const text = `${prefix}${parts.join('')}</IDOC></DELVRY07>`;
        const ours = safely(() => parseXml(text));
        expect(ours === 'ok').toBe(saxesAccepts(text));
      }),
      { numRuns: 1500 },
    );
  });

  it('random XML-ish strings', () => {
    const token = fc.constantFrom(
      '<',
      '>',
      '</',
      '/>',
      '<IDOC BEGIN="1">',
      '</IDOC>',
      '<EDI_DC40 SEGMENT="1">',
      '</EDI_DC40>',
      '<DELVRY07>',
      '</DELVRY07>',
      '<E1EDL20 SEGMENT="1">',
      '</E1EDL20>',
      '<![CDATA[',
      ']]>',
      '<!--',
      '-->',
      '&amp;',
      '&#x41;',
      '&',
      '"',
      "'",
      '=',
      ' ',
      '\n',
      'x',
      '<?xml version="1.0"?>',
      '<!DOCTYPE',
      'xmlns="urn:x"',
      '\u0000',
      '\uD800',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        if (safely(() => parseXml(text)) === 'ok') expect(saxesAccepts(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('truncations of real documents', () => {
    for (const seed of SEEDS) {
      const step = Math.max(1, Math.floor(seed.length / 150));
      for (let cut = 0; cut < seed.length; cut += step) {
        const r = safely(() => parseXml(seed.subarray(0, cut)));
        // A truncated document can only parse when just trailing whitespace was cut.
        if (r === 'ok') expect(new TextDecoder().decode(seed.subarray(cut)).trim()).toBe('');
      }
    }
  });

  it('byte mutations of real documents; what we accept, saxes accepts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (i, at, byte) => {
          const seed = SEEDS[i]!;
          const copy = seed.slice();
          copy[at % copy.length] = byte;
          if (safely(() => parseXml(copy)) === 'ok') {
            const text = new TextDecoder('utf-8', { fatal: false }).decode(copy);
            if (!/encoding="iso-8859-1"/i.test(text))
              expect(saxesAccepts(text.replace(/^\uFEFF/, ''))).toBe(true);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
