/** The permanent error for a message that cannot be mapped, carrying every issue found. */
import { IdocgateError } from '../errors.js';
import type { MappingIssue } from './types.js';

export class MappingError extends IdocgateError {
  override readonly issues: readonly MappingIssue[];
  readonly mapping: string;

  constructor(mapping: string, issues: readonly MappingIssue[]) {
    const errors = issues.filter((i) => i.severity !== 'warning');
    const first = errors[0];
    super(
      'MAPPING_FAILED',
      `mapping ${mapping} failed with ${errors.length} issue(s)${first ? `; first: ${first.targetPath}: ${first.message}` : ''}`,
      { issues },
    );
    this.name = 'MappingError';
    this.issues = issues;
    this.mapping = mapping;
  }
}

/** True when the list holds at least one error (warnings alone do not fail a mapping). */
export function hasErrors(issues: readonly { severity?: 'error' | 'warning' }[]): boolean {
  return issues.some((i) => i.severity !== 'warning');
}
