/**
 * Issues as one readable line each, for the command line:
 *
 *   error   idoc=0 docnum=0000000000004711 segnum=000012 segment=E1EDL24 field=MATNR VALUE_TOO_LONG: value ...
 *
 * Parts that an issue does not have are `-`. The DOCNUM comes from the issue, else from the
 * IDoc it names. Flat reader issues name the line they were found on (`line=7`).
 */
import type { Issue } from '../errors.js';
import type { Idoc } from '../idoc/model.js';

function detail(issue: Issue, key: string): string | undefined {
  const v = issue.details?.[key];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** The IDoc index of an issue: from its details, else from a path starting `idoc[n]`. */
function idocIndexOf(issue: Issue): number | undefined {
  const d = issue.details?.['idoc'];
  if (typeof d === 'number') return d;
  const m = /^idoc\[(\d+)\]/.exec(issue.path ?? '');
  return m ? Number(m[1]) : undefined;
}

/** `segment.field` from the path's last step when the details do not say (`.../E1EDL24[3].MATNR`). */
function segmentFromPath(path: string | undefined): { segment?: string; field?: string } {
  if (!path) return {};
  const last = path.slice(path.lastIndexOf('/') + 1);
  const m = /^([^[.]+)(?:\[\d+\])?(?:\.(.+))?$/.exec(last);
  if (!m || m[1] === undefined || /^(idoc|record|line)$/.test(m[1])) return {};
  return { segment: m[1], ...(m[2] !== undefined ? { field: m[2] } : {}) };
}

export function formatIssue(issue: Issue, idocs: readonly Idoc[] = []): string {
  const index = idocIndexOf(issue);
  const docnum =
    detail(issue, 'docnum') ??
    (index !== undefined ? idocs[index]?.control.DOCNUM?.trim() || undefined : undefined);
  const fromPath = segmentFromPath(issue.path);
  const segment = detail(issue, 'segment') ?? fromPath.segment;
  const field = detail(issue, 'field') ?? fromPath.field;
  const line = detail(issue, 'line');
  let message = issue.message;
  if (line !== undefined && message.startsWith(`line ${line}: `))
    message = message.slice(`line ${line}: `.length);
  const parts = [
    (issue.severity ?? 'error').padEnd(7),
    `idoc=${index ?? '-'}`,
    `docnum=${docnum ?? '-'}`,
    `segnum=${detail(issue, 'segnum') ?? '-'}`,
    `segment=${segment ?? '-'}`,
    `field=${field ?? '-'}`,
  ];
  if (line !== undefined) parts.push(`line=${line}`);
  parts.push(`${issue.code}: ${message}`);
  return parts.join(' ');
}

export function countBySeverity(issues: readonly Issue[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const i of issues) {
    if (i.severity === 'warning') warnings++;
    else errors++;
  }
  return { errors, warnings };
}
