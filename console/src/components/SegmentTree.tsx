/**
 * The IDoc as a segment tree (Mantine Tree): each segment with its description from the
 * definition, each field with its value, SAP data type, length and short text. In edit mode it
 * works like WE19 on a working copy of the canonical JSON: the fields present are inputs in the
 * tree; **Fields…** opens every field of the segment from its definition (empty ones too), each
 * input as wide as the field and never longer than it; segments are added where the definition
 * allows them (under their parent, below their max, with their required children) and removed
 * while their type stays at or above its min (./segment-edit.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  Table,
  Text,
  TextInput,
  Tree,
  getTreeExpandedState,
  useTree,
  type TreeNodeData,
} from '@mantine/core';
import {
  addSegment,
  canRemove,
  childOptions,
  inputChars,
  layoutOf,
  removeSegment,
  segmentAt,
  setField,
  type ChildOption,
  type Layout,
  type Path,
} from '../segment-edit';
import type { CanonicalIdoc, CanonicalSegment, FieldDef, IdocDefinitionView } from '../types';

interface Props {
  readonly idoc: CanonicalIdoc;
  readonly definition: IdocDefinitionView | undefined;
  readonly editable?: boolean;
  readonly onChange?: (next: CanonicalIdoc) => void;
}

function buildNodes(segments: readonly CanonicalSegment[], layout: Layout, prefix: Path): TreeNodeData[] {
  return segments.map((s, i) => {
    const path = [...prefix, i];
    const key = path.join('.');
    const def = layout.defs.get(s.type);
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
      children: [...fields, ...buildNodes(s.children, layout, path)],
    };
  });
}

const stop = { onClick: (e: React.SyntheticEvent) => e.stopPropagation() };

/** A field's input: `maxLength` from the definition, as wide as the field (or its value). */
function FieldInput(props: {
  readonly segment: string;
  readonly field: string;
  readonly def: FieldDef | undefined;
  readonly value: string;
  readonly present: boolean;
  readonly onChange: (value: string) => void;
}) {
  return (
    <TextInput
      size="xs"
      className="mono"
      value={props.value}
      aria-label={`${props.segment} ${props.field}`}
      data-field={props.field}
      data-present={props.present ? 'true' : 'false'}
      maxLength={props.def?.length}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
      w={`calc(${inputChars(props.def?.length, props.value)}ch + 22px)`}
      onClick={(e) => e.stopPropagation()}
      onKeyDown={(e) => e.stopPropagation()}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    />
  );
}

function optionLabel(o: ChildOption): string {
  const range = `${o.min}..${o.max ?? 'n'}`;
  return `${o.type} — ${o.description ?? ''} (${o.count} of ${range})`;
}

/** "Add segment" menu for the segment types allowed under `parent` ([] = top level). */
function AddMenu(props: {
  readonly idoc: CanonicalIdoc;
  readonly layout: Layout;
  readonly parent: Path;
  readonly label: string;
  readonly onAdd: (type: string) => void;
}) {
  const options = childOptions(props.idoc, props.layout, props.parent);
  if (options.length === 0) return null;
  return (
    <Menu shadow="md" position="bottom-start" withinPortal>
      <Menu.Target>
        <Button size="compact-xs" variant="subtle" {...stop} data-testid="add-segment">
          {props.label}
        </Button>
      </Menu.Target>
      <Menu.Dropdown data-testid="add-segment-menu">
        {options.map((o) => (
          <Menu.Item
            key={o.type}
            disabled={!o.canAdd}
            onClick={() => props.onAdd(o.type)}
            data-segment-type={o.type}
            title={o.canAdd ? undefined : `at most ${o.max} ${o.type} here`}
          >
            <Text size="xs" className="mono">
              {optionLabel(o)}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** Every field of one segment from its definition, like WE19's segment editor. */
function SegmentFields(props: {
  readonly idoc: CanonicalIdoc;
  readonly layout: Layout;
  readonly path: Path;
  readonly onChange: (next: CanonicalIdoc) => void;
}) {
  const seg = segmentAt(props.idoc, props.path);
  if (!seg) return null;
  const def = props.layout.defs.get(seg.type);
  const defined = def?.fields ?? [];
  const extra = Object.keys(seg.fields).filter((n) => !defined.some((f) => f.name === n));
  return (
    <Table withRowBorders={false} verticalSpacing={1} fz="xs" data-testid="segment-fields">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>field</Table.Th>
          <Table.Th>value</Table.Th>
          <Table.Th>type, length</Table.Th>
          <Table.Th>SAP short text</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...defined.map((f) => [f.name, f] as const), ...extra.map((n) => [n, undefined] as const)].map(
          ([name, f]) => (
            <Table.Tr key={name}>
              <Table.Td className="mono" fw={500}>
                {name}
              </Table.Td>
              <Table.Td>
                <FieldInput
                  segment={seg.type}
                  field={name}
                  def={f}
                  value={seg.fields[name] ?? ''}
                  present={seg.fields[name] !== undefined}
                  onChange={(v) => props.onChange(setField(props.idoc, props.path, name, v))}
                />
              </Table.Td>
              <Table.Td c="dimmed" className="mono">
                {f ? `${f.dataType} ${f.length}` : 'not in the definition'}
              </Table.Td>
              <Table.Td c="dimmed">{f?.description ?? ''}</Table.Td>
            </Table.Tr>
          ),
        )}
      </Table.Tbody>
    </Table>
  );
}

export function SegmentTree({ idoc, definition, editable = false, onChange }: Props) {
  const layout = useMemo(() => layoutOf(definition), [definition]);
  const data = useMemo(() => buildNodes(idoc.segments, layout, []), [idoc, layout]);
  const tree = useTree({ initialExpandedState: getTreeExpandedState(data, '*') });
  const [open, setOpen] = useState<Path | null>(null);
  const change = (next: CanonicalIdoc) => onChange?.(next);
  const { setExpandedState } = tree;
  // Paths shift when segments are added or removed: while editing keep every node open.
  useEffect(() => {
    if (editable) setExpandedState(getTreeExpandedState(data, '*'));
  }, [data, editable, setExpandedState]);
  const openSeg = open ? segmentAt(idoc, open) : undefined;

  return (
    <>
      {editable && (
        <Group gap="xs" mb="xs">
          <AddMenu
            idoc={idoc}
            layout={layout}
            parent={[]}
            label="+ Segment at the top level"
            onAdd={(type) => {
              const added = addSegment(idoc, layout, [], type);
              if (added) change(added.idoc);
            }}
          />
          <Text size="xs" c="dimmed">
            Fields… shows every field of a segment from the {definition?.basicType ?? 'IDoc'} definition;
            lengths are enforced, and the gateway validates the whole IDoc before it replays it.
          </Text>
        </Group>
      )}
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
            const def = seg ? layout.defs.get(seg.type) : undefined;
            const present = seg ? Object.keys(seg.fields).length : 0;
            return (
              <Group gap={6} {...elementProps} wrap="nowrap" py={2} data-segment={seg?.type}>
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
                  <Badge
                    size="xs"
                    variant="light"
                    color="gray"
                    style={{ flexShrink: 0, overflow: 'visible' }}
                  >
                    HLEVEL {def.level}
                  </Badge>
                )}
                {editable && seg && (
                  <Group gap={2} wrap="nowrap" style={{ flexShrink: 0 }}>
                    <Button
                      size="compact-xs"
                      variant="light"
                      data-testid="segment-fields-button"
                      onClick={(e) => {
                        e.stopPropagation();
                        setOpen(path);
                      }}
                    >
                      Fields… ({present}/{def?.fields.length ?? present})
                    </Button>
                    <AddMenu
                      idoc={idoc}
                      layout={layout}
                      parent={path}
                      label="+ child"
                      onAdd={(type) => {
                        const added = addSegment(idoc, layout, path, type);
                        if (added) change(added.idoc);
                      }}
                    />
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      data-testid="remove-segment"
                      disabled={!canRemove(idoc, layout, path)}
                      title={
                        canRemove(idoc, layout, path)
                          ? `remove this ${seg.type} and its children`
                          : `${seg.type} must occur at least ${def?.min ?? 0} time(s) here`
                      }
                      onClick={(e) => {
                        e.stopPropagation();
                        change(removeSegment(idoc, layout, path));
                      }}
                    >
                      Remove
                    </Button>
                  </Group>
                )}
              </Group>
            );
          }
          const [, pathText = '', field = ''] = node.value.split(':');
          const path = pathText.split('.').map(Number);
          const seg = segmentAt(idoc, path);
          const fdef: FieldDef | undefined = seg
            ? layout.defs.get(seg.type)?.fields.find((f) => f.name === field)
            : undefined;
          const value = seg?.fields[field] ?? '';
          return (
            <Group gap={8} {...elementProps} wrap="nowrap" py={1}>
              <Text span className="mono" w={110} fw={500}>
                {field}
              </Text>
              {editable ? (
                <FieldInput
                  segment={seg?.type ?? ''}
                  field={field}
                  def={fdef}
                  value={value}
                  present
                  onChange={(v) => change(setField(idoc, path, field, v))}
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
      <Modal
        opened={openSeg !== undefined}
        onClose={() => setOpen(null)}
        size="xl"
        title={
          openSeg
            ? `${openSeg.type} — ${layout.defs.get(openSeg.type)?.description ?? 'no definition loaded'}`
            : ''
        }
      >
        {open && <SegmentFields idoc={idoc} layout={layout} path={open} onChange={change} />}
        <Group justify="flex-end" mt="sm">
          <Button onClick={() => setOpen(null)} data-testid="segment-fields-done">
            Done
          </Button>
        </Group>
      </Modal>
    </>
  );
}
