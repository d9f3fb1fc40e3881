/**
 * Structural checks of a definition that a JSON Schema cannot express: contiguous offsets,
 * SDATA within 1000 characters, parents that exist and come first, versions within the field list.
 */
import type { Issue } from '../errors.js';
import type { IdocDefinition } from './types.js';

export const SDATA_LENGTH = 1000;

export function checkDefinition(def: IdocDefinition): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  def.segments.forEach((s, si) => {
    const at = `/segments/${si}`;
    if (seen.has(s.type)) {
      issues.push({ code: 'DUPLICATE_SEGMENT', path: at, message: `segment ${s.type} is defined twice` });
    }
    if (s.parent !== null && !seen.has(s.parent)) {
      issues.push({
        code: 'PARENT_NOT_DEFINED_BEFORE',
        path: `${at}/parent`,
        message: `parent ${s.parent} of ${s.type} is not defined before it`,
      });
    }
    seen.add(s.type);
    if (s.max !== null && s.max < s.min) {
      issues.push({
        code: 'MAX_BELOW_MIN',
        path: `${at}/max`,
        message: `${s.type}: max ${s.max} < min ${s.min}`,
      });
    }
    let expected = 0;
    const names = new Set<string>();
    s.fields.forEach((f, fi) => {
      const fat = `${at}/fields/${fi}`;
      if (names.has(f.name)) {
        issues.push({
          code: 'DUPLICATE_FIELD',
          path: fat,
          message: `${s.type}: field ${f.name} is defined twice`,
        });
      }
      names.add(f.name);
      if (f.offset !== expected) {
        issues.push({
          code: 'OFFSET_NOT_CONTIGUOUS',
          path: `${fat}/offset`,
          message: `${s.type}.${f.name}: offset ${f.offset}, expected ${expected} (offsets must be contiguous)`,
        });
      }
      if (f.length < 1) {
        issues.push({
          code: 'FIELD_LENGTH_INVALID',
          path: `${fat}/length`,
          message: `${s.type}.${f.name}: length ${f.length}`,
        });
      }
      expected = f.offset + f.length;
    });
    if (expected > SDATA_LENGTH) {
      issues.push({
        code: 'SDATA_TOO_LONG',
        path: `${at}/fields`,
        message: `${s.type}: fields end at ${expected}, beyond the ${SDATA_LENGTH} characters of SDATA`,
      });
    }
    const versionNames = new Set<string>();
    s.versions.forEach((v, vi) => {
      if (versionNames.has(v.name)) {
        issues.push({
          code: 'DUPLICATE_VERSION',
          path: `${at}/versions/${vi}`,
          message: `${s.type}: version ${v.name} twice`,
        });
      }
      versionNames.add(v.name);
      if (v.fieldCount > s.fields.length) {
        issues.push({
          code: 'VERSION_FIELD_COUNT',
          path: `${at}/versions/${vi}/fieldCount`,
          message: `${s.type}: version ${v.name} has ${v.fieldCount} fields but only ${s.fields.length} are defined`,
        });
      }
    });
  });
  return issues;
}
