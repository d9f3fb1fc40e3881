/**
 * Validation of EPCIS output against the EPCIS 2.0 JSON Schema subset in this folder
 * (epcis-2.0-subset.schema.json), with ajv and the `uri` / `date-time` formats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Issue } from '../../../errors.js';
import { PROJECT_ROOT } from '../../../paths.js';

/** Read from the source tree (also after a build: dist/ does not copy JSON files). */
export const EPCIS_SCHEMA_FILE = join(
  PROJECT_ROOT,
  'src',
  'ledger',
  'serials',
  'epcis',
  'epcis-2.0-subset.schema.json',
);

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv, ['uri', 'date-time']);
    validator = ajv.compile(JSON.parse(readFileSync(EPCIS_SCHEMA_FILE, 'utf8')) as object);
  }
  return validator;
}

/** Schema violations of an EPCISDocument or a single event ([] when valid). */
export function validateEpcis(json: unknown): Issue[] {
  const validate = compile();
  if (validate(json)) return [];
  return (validate.errors ?? []).map((e) => ({
    code: `EPCIS_${e.keyword.toUpperCase()}`,
    path: e.instancePath || '/',
    message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  }));
}
