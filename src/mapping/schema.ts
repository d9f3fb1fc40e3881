/** JSON Schema validation of mapping files (schema: mappings/mapping.schema.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Issue } from '../errors.js';
import { MAPPINGS_DIR } from '../paths.js';

export const MAPPING_SCHEMA_FILE = join(MAPPINGS_DIR, 'mapping.schema.json');

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(MAPPING_SCHEMA_FILE, 'utf8')) as object,
  );
  return validator;
}

/**
 * Ajv reports every branch of a `oneOf` (string shorthand vs object); keep the errors of the
 * branch that was meant, i.e. drop "must be string" and the `oneOf` summary where a more
 * specific error exists at or below the same path.
 */
function relevant(errors: readonly ErrorObject[]): ErrorObject[] {
  const specific = errors.filter(
    (e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && /oneOf\/0\/type$/.test(e.schemaPath)),
  );
  const keep = (e: ErrorObject): boolean => {
    if (e.keyword === 'oneOf' || (e.keyword === 'type' && /oneOf\/0\/type$/.test(e.schemaPath)))
      return !specific.some((s) => s.instancePath.startsWith(e.instancePath));
    return true;
  };
  const out = errors.filter(keep);
  return out.filter(
    (e, i) => out.findIndex((o) => o.instancePath === e.instancePath && o.message === e.message) === i,
  );
}

export function validateMappingSchema(json: unknown): Issue[] {
  const validate = compile();
  if (validate(json)) return [];
  return relevant(validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})`
          : '';
    const path = e.instancePath || '/';
    return {
      code: `SCHEMA_${e.keyword.toUpperCase()}`,
      path,
      message: `${path}: ${e.message ?? 'is invalid'}${extra}`,
    };
  });
}
