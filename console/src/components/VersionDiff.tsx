/** Line diff between two payload versions (jsdiff), both rendered in the same format. */
import { useMemo, useState } from 'react';
import { Alert, Group, SegmentedControl, Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { diffLines, type Change } from 'diff';
import { getText } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { prettyJson } from '../format';
import type { VersionInfo } from '../types';

type Line = { readonly kind: 'add' | 'del' | 'same' | 'fold'; readonly text: string };

/** Lines of the diff with long unchanged runs folded to `context` lines either side of a change. */
export function foldContext(parts: readonly Change[], context = 4): Line[] {
  const lines: Line[] = parts.flatMap((p) =>
    p.value
      .replace(/\n$/, '')
      .split('\n')
      .map((text) => ({
        kind: p.added ? ('add' as const) : p.removed ? ('del' as const) : ('same' as const),
        text,
      })),
  );
  const out: Line[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]?.kind !== 'same') {
      out.push(lines[i] as Line);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]?.kind === 'same') j++;
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === lines.length ? 0 : context;
    if (j - i > keepHead + keepTail + 1) {
      out.push(...lines.slice(i, i + keepHead));
      out.push({ kind: 'fold', text: String(j - i - keepHead - keepTail) });
      out.push(...lines.slice(j - keepTail, j));
    } else out.push(...lines.slice(i, j));
    i = j;
  }
  return out;
}

export function versionLabel(v: VersionInfo): string {
  return `v${v.version} ${v.kind} (${v.format}) by ${v.createdBy}`;
}

function renderable(v: VersionInfo, isIdoc: boolean): boolean {
  return v.format !== 'binary' && (isIdoc ? v.kind !== 'mapped' : true);
}

export function VersionDiff({
  messageId,
  versions,
  isIdoc,
}: {
  readonly messageId: string;
  readonly versions: readonly VersionInfo[];
  readonly isIdoc: boolean;
}) {
  const choices = versions.filter((v) => renderable(v, isIdoc));
  const last = choices[choices.length - 1];
  const first = choices[0];
  const [left, setLeft] = useState<string | null>(first ? String(first.version) : null);
  const [right, setRight] = useState<string | null>(last ? String(last.version) : null);
  const [as, setAs] = useState<string>(isIdoc ? 'json' : 'stored');
  const load = (v: string | null) =>
    getText(`/api/messages/${messageId}/versions/${v}${as === 'stored' ? '' : `?as=${as}`}`);
  const a = useQuery({
    queryKey: ['version', messageId, left, as],
    queryFn: () => load(left),
    enabled: left !== null,
  });
  const b = useQuery({
    queryKey: ['version', messageId, right, as],
    queryFn: () => load(right),
    enabled: right !== null,
  });
  const parts = useMemo(
    () =>
      a.data !== undefined && b.data !== undefined ? diffLines(prettyJson(a.data), prettyJson(b.data)) : [],
    [a.data, b.data],
  );
  if (choices.length < 2) return <Alert color="gray">Only one version: nothing to compare yet.</Alert>;
  const data = choices.map((v) => ({ value: String(v.version), label: versionLabel(v) }));
  return (
    <>
      <Group mb="sm">
        <Select label="From" data={data} value={left} onChange={setLeft} w={300} size="xs" />
        <Select label="To" data={data} value={right} onChange={setRight} w={300} size="xs" />
        {isIdoc && (
          <SegmentedControl
            size="xs"
            mt={20}
            value={as}
            onChange={setAs}
            data={[
              { value: 'json', label: 'JSON' },
              { value: 'flat', label: 'flat' },
              { value: 'xml', label: 'XML' },
            ]}
          />
        )}
      </Group>
      {(a.error ?? b.error) && <ErrorAlert error={a.error ?? b.error} />}
      <Text size="xs" c="dimmed" mb={4}>
        {parts.filter((p) => p.added).reduce((n, p) => n + (p.count ?? 0), 0)} line(s) added,{' '}
        {parts.filter((p) => p.removed).reduce((n, p) => n + (p.count ?? 0), 0)} removed
      </Text>
      <pre className="payload" data-testid="version-diff">
        {foldContext(parts).map((l, i) =>
          l.kind === 'fold' ? (
            <span key={i} className="diff-fold">
              {`  … ${l.text} unchanged line(s) …`}
            </span>
          ) : (
            <span key={i} className={`diff-${l.kind}`}>
              {`${l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}${l.text}`}
            </span>
          ),
        )}
      </pre>
    </>
  );
}
