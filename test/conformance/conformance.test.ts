/**
 * ONE suite over every file in ../shared/conformance/manifest.json, driven by its `expect` field
 * and the per-file expectations (./expectations.ts) restated from SOURCES.md. Everything goes
 * through the codec's front door (readIdocs with format detection, writeIdocs).
 *
 * For every sample that can be read:
 *   - the detected format is the manifest's, and the IDoc count and type are the manifest's;
 *   - the reader's error issues and the validation errors are exactly the documented ones;
 *   - it round-trips in its own format: flat -> model -> flat byte-identical, XML -> model -> XML
 *     with the same values in the same order, and through canonical JSON and IDoc-SOAP;
 *   - where a definition is loaded, XML -> flat -> model -> XML keeps every value (trailing blanks
 *     aside, which flat cannot carry) when validation found nothing that cannot be written, and
 *     otherwise the flat writer refuses with exactly the problems validation predicted;
 *   - without a definition, flat -> XML is refused (IDOC_NO_DEFINITION_FOR_SEGMENT): raw SDATA
 *     cannot be split into fields.
 */
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { IdocgateError, type Issue } from '../../src/errors.js';
import { readIdocs, withoutLayout, writeIdocs, type ReadIdocsResult } from '../../src/idoc/codec.js';
import { toCanonical } from '../../src/idoc/codec-json.js';
import { walkSegments, type Idoc } from '../../src/idoc/model.js';
import { validateIdocs } from '../../src/idoc/validate.js';
import {
  CONFORMANCE_DIR,
  baseName,
  corpusPresent,
  inCi,
  readManifest,
  sampleBytes,
  type Expectation,
  type ManifestEntry,
} from './corpus.js';
import { EXPECTATIONS, type SampleExpectation } from './expectations.js';

const registry = loadDefinitions();
const entries = readManifest();

/** Expectations that need a per-file entry (what exactly is wrong is file-specific). */
const NEEDS_ENTRY: ReadonlySet<Expectation> = new Set([
  'invalid',
  'invalid-values',
  'invalid-hierarchy',
  'not-well-formed',
  'foreign-format',
  'unknown-type',
  'anomalous',
  'template',
  'valid-with-warning',
]);

const KNOWN_EXPECTATIONS: ReadonlySet<string> = new Set(['valid', ...NEEDS_ENTRY]);

const codePath = (i: Issue): string => `${i.code} ${i.path ?? ''}`.trim();
const errorsOf = (issues: readonly Issue[]): Issue[] => issues.filter((i) => i.severity !== 'warning');
/** Canonical JSON text: compares values and their order (key order included). */
const canon = (idocs: readonly Idoc[]): string => JSON.stringify(idocs.map(toCanonical));

function thrown(fn: () => unknown): IdocgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdocgateError) return e;
    throw e;
  }
  throw new Error('expected an IdocgateError, but nothing was thrown');
}

function hasDefinition(idoc: Idoc): boolean {
  return registry.get(idoc.control.IDOCTYP ?? '', idoc.control.CIMTYP) !== undefined;
}

/** What flat keeps of an IDoc: values without trailing blanks, blank values dropped. */
function asFlatKeepsIt(idoc: Idoc): Idoc {
  const trim = (o: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) if (v.trimEnd() !== '') out[k] = v.trimEnd();
    return out;
  };
  const copy = withoutLayout([idoc])[0]!;
  copy.control = trim(copy.control as Record<string, string>);
  for (const { segment } of walkSegments(copy.segments)) segment.fields = trim(segment.fields);
  return copy;
}

/** The flat writer problems that validation issues predict (same path). */
function predictedFlatProblems(read: ReadIdocsResult, validation: readonly Issue[]): string[] {
  const out: string[] = [];
  for (const v of validation) {
    if (v.code === 'VALUE_TOO_LONG' || v.code === 'CONTROL_VALUE_TOO_LONG')
      out.push(`VALUE_TOO_LONG ${v.path}`);
    if (v.code === 'SEGMENT_UNKNOWN') {
      const index = Number(v.details?.['idoc'] ?? 0);
      const type = String(v.details?.['segment'] ?? '');
      const withFields = [...walkSegments(read.idocs[index]!.segments)].some(
        (w) => w.segment.type === type && Object.keys(w.segment.fields).length > 0,
      );
      if (withFields) out.push(`NO_DEFINITION_FOR_SEGMENT ${v.path}`);
    }
  }
  return out.sort();
}

function checkReadable(entry: ManifestEntry, exp: SampleExpectation | undefined): void {
  const bytes = sampleBytes(entry);
  const read = readIdocs(bytes, registry);
  const flatSample = entry.format === 'flat';

  // what was read
  expect(read.format).toBe(flatSample ? 'flat' : 'xml');
  expect(read.idocs).toHaveLength(entry.idocs);
  for (const idoc of read.idocs) expect((idoc.control.IDOCTYP ?? '').trim()).toBe(entry.idoctyp);
  expect([...new Set(errorsOf(read.issues).map((i) => i.code))].sort()).toEqual(
    [...(exp?.readErrors ?? [])].sort(),
  );
  const readCodes = read.issues.map((i) => i.code);
  for (const c of exp?.readIncludes ?? []) expect(readCodes).toContain(c);

  // validation
  const validation = validateIdocs(read.idocs, registry);
  const validationErrors = errorsOf(validation).map(codePath);
  if (exp?.validationIncludes) {
    for (const c of exp.validationIncludes) expect(validation.map((i) => i.code)).toContain(c);
  } else if (exp?.validationErrors) {
    expect(validationErrors).toEqual(exp.validationErrors);
  } else if (read.idocs.every(hasDefinition)) {
    expect(validationErrors).toEqual([]);
  } else {
    expect(validationErrors).toEqual(read.idocs.map((_, i) => `IDOC_TYPE_UNKNOWN idoc[${i}]`));
  }

  // round trips in the sample's own format, and through JSON and SOAP
  if (flatSample) {
    expect(Buffer.from(writeIdocs(read.idocs, 'flat', registry), 'utf8').equals(bytes)).toBe(true);
  } else {
    const again = readIdocs(writeIdocs(read.idocs, 'xml', registry), registry);
    expect(canon(again.idocs)).toBe(canon(read.idocs));
    expect(again.idocs[0]!.xml?.root).toBe(read.idocs[0]!.xml?.root);
    // IDoc-SOAP: the same IDoc in an envelope; ARCKEY gets a message id when it had none
    const soap = readIdocs(writeIdocs(read.idocs, 'soap', registry), registry);
    expect(soap.format).toBe('soap');
    const before = read.idocs[0]!.control.ARCKEY;
    const after = soap.idocs[0]!.control.ARCKEY ?? '';
    if (before?.trim()) expect(after).toBe(before);
    else expect(after).toMatch(/^urn:sap\.com:msgid=[0-9A-F]{32}$/);
    // (ARCKEY is inserted at its EDI_DC40 position, so the control record is compared by value)
    const original = toCanonical(read.idocs[0]!);
    expect(soap.idocs[0]!.control).toEqual({ ...original.control, ARCKEY: after });
    expect(JSON.stringify(toCanonical(soap.idocs[0]!).segments)).toBe(JSON.stringify(original.segments));
  }
  const json = readIdocs(writeIdocs(read.idocs, 'json', registry), registry);
  expect(json.format).toBe('json');
  expect(canon(json.idocs)).toBe(canon(read.idocs));

  // across formats
  if (read.idocs.every(hasDefinition)) {
    const predicted = predictedFlatProblems(read, validation);
    if (exp?.flatWriteFails || predicted.length > 0) {
      const e = thrown(() => writeIdocs(withoutLayout(read.idocs), 'flat', registry));
      expect(e.issues.map(codePath).sort()).toEqual(predicted);
      if (exp?.flatWriteFails) {
        expect(e.code).toBe(exp.flatWriteFails.code);
        for (const p of exp.flatWriteFails.includes) expect(e.issues.map(codePath)).toContain(p);
      }
    } else {
      const flat = writeIdocs(withoutLayout(read.idocs), 'flat', registry);
      const viaFlat = readIdocs(flat, registry);
      expect(errorsOf(viaFlat.issues)).toEqual([]);
      const xml = readIdocs(writeIdocs(withoutLayout(viaFlat.idocs), 'xml', registry), registry);
      expect(canon(xml.idocs)).toBe(canon(read.idocs.map(asFlatKeepsIt)));
    }
  } else if (flatSample) {
    expect(thrown(() => writeIdocs(read.idocs, 'xml', registry)).code).toBe(
      exp?.xmlWriteFails ?? 'IDOC_NO_DEFINITION_FOR_SEGMENT',
    );
  } else if (exp?.flatWriteFails) {
    const e = thrown(() => writeIdocs(withoutLayout(read.idocs), 'flat', registry));
    expect(e.code).toBe(exp.flatWriteFails.code);
    for (const p of exp.flatWriteFails.includes) expect(e.issues.map(codePath)).toContain(p);
  }
}

function checkSample(entry: ManifestEntry): void {
  const name = baseName(entry);
  expect(KNOWN_EXPECTATIONS.has(entry.expect), `unknown expect "${entry.expect}"`).toBe(true);
  const exp = EXPECTATIONS[name];
  if (NEEDS_ENTRY.has(entry.expect) && exp === undefined) {
    throw new Error(
      `${entry.file} (${entry.expect}): no expectation recorded in test/conformance/expectations.ts`,
    );
  }
  if (exp?.throws) {
    const e = thrown(() => readIdocs(sampleBytes(entry), registry));
    expect(e.code).toBe(exp.throws);
    if (exp.thrownIssues) {
      expect(e.issues.map((i) => `${i.code} ${String(i.details?.['line'])}`)).toEqual(exp.thrownIssues);
    }
    return;
  }
  checkReadable(entry, exp);
}

describe('conformance corpus presence', () => {
  it.runIf(!corpusPresent && inCi)('is required in CI', () => {
    throw new Error(`CI=true but the conformance corpus ${CONFORMANCE_DIR} is missing: the suite cannot run`);
  });
  it.runIf(corpusPresent)('lists 49 samples, each with a known expectation', () => {
    expect(entries.length).toBe(49);
    for (const e of entries) expect(KNOWN_EXPECTATIONS, e.file).toContain(e.expect);
    // every per-file expectation names a file that exists in the manifest
    const names = new Set(entries.map(baseName));
    for (const name of Object.keys(EXPECTATIONS)) expect(names, name).toContain(name);
  });
});

describe.skipIf(!corpusPresent)('conformance corpus (../shared/conformance)', () => {
  it.each(entries.map((e) => [`${e.expect.padEnd(18)} ${e.file}`, e] as const))('%s', (_label, entry) =>
    checkSample(entry),
  );
});
