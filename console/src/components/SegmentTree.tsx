/**
 * The IDoc as a segment tree (Mantine Tree): each segment with its description from the
 * definition, each field with its value, SAP data type, length and short text. In edit mode the
 * field values are inputs that change a working copy of the canonical JSON.
 */
import { useMemo } from 'react';
import {
  Badge,
  Group,
  Text,
  TextInput,
  Tree,
  getTreeExpandedState,
  useTree,
  type TreeNodeData,
} from '@mantine/core';
import type { CanonicalIdoc, CanonicalSegment, FieldDef, IdocDefinitionView, SegmentDef } from '../types';

interface Props {
  readonly idoc: CanonicalIdoc;
  readonly definition: IdocDefinitionView | undefined;
  readonly editable?: boolean;
  readonly onChange?: (next: CanonicalIdoc) => void;
}

type Path = readonly number[];

function segmentAt(idoc: CanonicalIdoc, path: Path): CanonicalSegment | undefined {
  let list = idoc.segments;
  let seg: CanonicalSegment | undefined;
  for (const i of path) {
    seg = list[i];
    if (!seg) return undefined;
    list = seg.children;
  }
  return seg;
}

function buildNodes(
  segments: readonly CanonicalSegment[],
  defs: ReadonlyMap<string, SegmentDef>,
  prefix: Path,
): TreeNodeData[] {
  return segments.map((s, i) => {
    const path = [...prefix, i];
    const key = path.join('.');
    const def = defs.get(s.type);
    const fieldNames = def
      ? [
          ...def.fields.map((f) => f.name),
          ...Object.keys(s.fields).filter((n) => !def.fields.some((f) => f.name === n)),
        ]
      : Object.keys(s.fields);
    const fields: TreeNodeData[] = fieldNames
      .filter((n) => s.fields[n] !== undefined)
      .map((n) => ({ value: `f:${key}:${n}`, label: n }));
    return {
      value: `s:${key}`,
      label: s.type,
      children: [...fields, ...buildNodes(s.children, defs, path)],
    };
  });
}

export function SegmentTree({ idoc, definition, editable = false, onChange }: Props) {
  const defs = useMemo(() => new Map((definition?.segments ?? []).map((s) => [s.type, s])), [definition]);
  const data = useMemo(() => buildNodes(idoc.segments, defs, []), [idoc, defs]);
  const tree = useTree({ initialExpandedState: getTreeExpandedState(data, '*') });

  const setField = (path: Path, field: string, value: string) => {
    if (!onChange) return;
    const next = structuredClone(idoc);
    const seg = segmentAt(next, path);
    if (!seg) return;
    seg.fields[field] = value;
    onChange(next);
  };

  return (
    <Tree
      data={data}
      tree={tree}
      levelOffset="md"
      expandOnSpace={false}
      data-testid="segment-tree"
      renderNode={({ node, expanded, hasChildren, elementProps }) => {
        if (node.value.startsWith('s:')) {
          const path = node.value.slice(2).split('.').map(Number);
          const seg = segmentAt(idoc, path);
          const def = seg ? defs.get(seg.type) : undefined;
          return (
            <Group gap={6} {...elementProps} wrap="nowrap" py={2}>
              <Text span c="dimmed" w={12} size="sm">
                {hasChildren ? (expanded ? '▾' : '▸') : ''}
              </Text>
              <Text span fw={600} className="mono">
                {seg?.type}
              </Text>
              <Text span size="sm" c="dimmed">
                {def?.description ?? (def ? '' : 'no definition loaded')}
              </Text>
              {def && (
                <Badge size="xs" variant="light" color="gray">
                  HLEVEL {def.level}
                </Badge>
              )}
            </Group>
          );
        }
        const [, pathText = '', field = ''] = node.value.split(':');
        const path = pathText.split('.').map(Number);
        const seg = segmentAt(idoc, path);
        const fdef: FieldDef | undefined = seg
          ? defs.get(seg.type)?.fields.find((f) => f.name === field)
          : undefined;
        const value = seg?.fields[field] ?? '';
        return (
          <Group gap={8} {...elementProps} wrap="nowrap" py={1}>
            <Text span className="mono" w={110} fw={500}>
              {field}
            </Text>
            {editable ? (
              <TextInput
                size="xs"
                className="mono"
                value={value}
                aria-label={`${seg?.type ?? ''} ${field}`}
                data-field={field}
                maxLength={fdef?.length}
                w={Math.min(420, Math.max(90, (fdef?.length ?? 20) * 9))}
                onClick={(e) => e.stopPropagation()}
                onKeyDown={(e) => e.stopPropagation()}
                onChange={(e) => setField(path, field, e.currentTarget.value)}
              />
            ) : (
              <Text span className="mono" c="blue.9" data-field={field}>
                {value === '' ? '␣' : value}
              </Text>
            )}
            <Text span size="xs" c="dimmed">
              {fdef ? `${fdef.description ?? ''} (${fdef.dataType} ${fdef.length})` : ''}
            </Text>
          </Group>
        );
      }}
    />
  );
}
