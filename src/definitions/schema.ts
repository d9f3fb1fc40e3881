/** JSON Schema validation of definition files (schema: idoc-definitions/definition.schema.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Issue } from '../errors.js';
import { DEFINITIONS_DIR } from '../paths.js';

export const DEFINITION_SCHEMA_FILE = join(DEFINITIONS_DIR, 'definition.schema.json');

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(DEFINITION_SCHEMA_FILE, 'utf8')) as object,
  );
  return validator;
}

export function ajvIssues(errors: readonly ErrorObject[] | null | undefined): Issue[] {
  return (errors ?? []).map((e) => ({
    code: `SCHEMA_${e.keyword.toUpperCase()}`,
    path: e.instancePath || '/',
    message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
        : ''
    }`,
  }));
}

/** All schema violations of a parsed definition file, each with its JSON path. */
export function validateDefinitionSchema(json: unknown): Issue[] {
  const validate = compile();
  return validate(json) ? [] : ajvIssues(validate.errors);
}
