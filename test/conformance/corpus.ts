/**
 * The third-party conformance corpus in ../shared/conformance (never copied into the project):
 * where it is, its manifest, and what the suite does when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export const CONFORMANCE_DIR = resolve(PROJECT_ROOT, '../shared/conformance');
export const MANIFEST = join(CONFORMANCE_DIR, 'manifest.json');
export const corpusPresent = existsSync(MANIFEST);
export const inCi = ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());

/** The `expect` values of manifest.json (SOURCES.md explains each). */
export type Expectation =
  | 'valid'
  | 'valid-with-warning'
  | 'template'
  | 'invalid'
  | 'invalid-values'
  | 'invalid-hierarchy'
  | 'not-well-formed'
  | 'foreign-format'
  | 'unknown-type'
  | 'anomalous';

export interface ManifestEntry {
  readonly file: string;
  /** `xml`, `flat`, or a note such as `xml (NOT SAP IDoc-XML)`. */
  readonly format: string;
  readonly idoctyp: string;
  readonly cimtyp: string;
  readonly mestyp: string;
  readonly idocs: number;
  readonly expect: Expectation;
}

export function readManifest(): ManifestEntry[] {
  return corpusPresent ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as ManifestEntry[]) : [];
}

export function sampleBytes(entry: ManifestEntry): Buffer {
  return readFileSync(join(CONFORMANCE_DIR, entry.file));
}

export function baseName(entry: ManifestEntry): string {
  return entry.file.slice(entry.file.lastIndexOf('/') + 1);
}

if (!corpusPresent) {
  console.warn(
    `conformance suite SKIPPED: ${CONFORMANCE_DIR} is absent, so none of the real SAP IDoc samples were tested` +
      (inCi ? ' (CI=true: the suite fails instead)' : ''),
  );
}
