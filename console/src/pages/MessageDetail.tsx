/**
 * One message: control record, status timeline with attempts and errors, the IDoc as a segment
 * tree with field descriptions, raw flat/XML/JSON views, the mapped payload, a diff between
 * versions, the audit entries; operators edit (segment fields or JSON) and replay, or cancel.
 */
import { flowOf } from '../flow';
import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { getJson, getText, postJson } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { ReasonModal } from '../components/ReasonModal';
import { SegmentTree } from '../components/SegmentTree';
import { StatusBadge } from '../components/StatusBadge';
import { MessageTimeline } from '../components/Timeline';
import { VersionDiff, versionLabel } from '../components/VersionDiff';
import { AuditTable } from './Audit';
import { fmtDate, prettyJson } from '../format';
import { useIsOperator } from '../session';
import type { CanonicalIdoc, IdocDefinitionView, MessageDetail, VersionInfo } from '../types';
import {
  CANCELLABLE as CANCELLABLE_STATUSES,
  CONFIRMABLE as CONFIRMABLE_STATUSES,
  REPLAYABLE as REPLAYABLE_STATUSES,
} from '../../../src/pipeline/lifecycle';

const REPLAYABLE: ReadonlySet<string> = new Set(REPLAYABLE_STATUSES);
const CANCELLABLE: ReadonlySet<string> = new Set(CANCELLABLE_STATUSES);
const CONFIRMABLE: ReadonlySet<string> = new Set(CONFIRMABLE_STATUSES);
/** Statuses where nothing changes on its own: refresh slowly. */
const SETTLED: ReadonlySet<string> = new Set([
  'delivered',
  'posted',
  'cancelled',
  'dead',
  'sap-error',
  'in-doubt',
  'unconfirmed',
]);

/** Payload formats that are IDocs (the codec renders them as canonical JSON, flat or XML). */
const IDOC_FORMATS: ReadonlySet<string> = new Set(['flat', 'xml', 'soap']);

/**
 * What the message's payload is: an IDoc (received or sent as one), or partner JSON — which may
 * have become an IDoc (a handheld scan mapped to MBGMCR03: its newest mapped IDoc version).
 */
export function payloadKind(
  idocType: string | null | undefined,
  versions: readonly VersionInfo[],
): { readonly payloadIsIdoc: boolean; readonly becameIdoc: VersionInfo | undefined } {
  const raw = versions.find((v) => v.kind === 'raw');
  const payloadIsIdoc = Boolean(idocType) && raw !== undefined && IDOC_FORMATS.has(raw.format);
  // JSON -> IDoc mappings store the IDoc as canonical JSON (format json); senders may store flat/XML.
  const mapped = versions.filter(
    (v) => v.kind === 'mapped' && (v.format === 'json' || IDOC_FORMATS.has(v.format)),
  );
  return {
    payloadIsIdoc,
    becameIdoc: !payloadIsIdoc && idocType ? mapped[mapped.length - 1] : undefined,
  };
}

/** The version an edit starts from: the newest edited one, else the payload as received. */
function baseVersion(versions: readonly VersionInfo[]): VersionInfo | undefined {
  const edited = versions.filter((v) => v.kind === 'edited');
  return edited[edited.length - 1] ?? versions.find((v) => v.kind === 'raw');
}

function parseCanonical(text: string | undefined): CanonicalIdoc | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    const one = Array.isArray(v) ? (v[0] as unknown) : v;
    if (typeof one === 'object' && one !== null && 'control' in one && 'segments' in one)
      return one as CanonicalIdoc;
  } catch {
    // not canonical JSON
  }
  return undefined;
}

function KeyValues({ rows }: { readonly rows: readonly (readonly [string, React.ReactNode])[] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2} fz="sm">
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Td w={170} c="dimmed">
              {k}
            </Table.Td>
            <Table.Td className="mono">{v === null || v === undefined || v === '' ? '—' : v}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function VersionView({
  messageId,
  versions,
  isIdoc,
  kind,
}: {
  readonly messageId: string;
  readonly versions: readonly VersionInfo[];
  readonly isIdoc: boolean;
  readonly kind?: 'mapped';
}) {
  const list = kind ? versions.filter((v) => v.kind === kind) : versions.filter((v) => v.kind !== 'mapped');
  const [version, setVersion] = useState<string | null>(list.length > 0 ? String(list[0]?.version) : null);
  const [as, setAs] = useState('stored');
  const chosen = list.find((v) => String(v.version) === version);
  const convertible =
    isIdoc &&
    chosen !== undefined &&
    chosen.format !== 'binary' &&
    chosen.format !== 'text' &&
    kind === undefined;
  const text = useQuery({
    queryKey: ['version', messageId, version, convertible ? as : 'stored'],
    queryFn: () =>
      getText(
        `/api/messages/${messageId}/versions/${version}${convertible && as !== 'stored' ? `?as=${as}` : ''}`,
      ),
    enabled: version !== null,
  });
  if (list.length === 0)
    return (
      <Alert color="gray">
        {kind === 'mapped' ? 'Not mapped yet (no mapped version).' : 'No payload versions.'}
      </Alert>
    );
  return (
    <Stack gap="xs">
      <Group>
        <Select
          size="xs"
          w={340}
          data={list.map((v) => ({ value: String(v.version), label: versionLabel(v) }))}
          value={version}
          onChange={setVersion}
          aria-label="Version"
        />
        {convertible && (
          <SegmentedControl
            size="xs"
            value={as}
            onChange={setAs}
            data={[
              { value: 'stored', label: 'as stored' },
              { value: 'flat', label: 'flat' },
              { value: 'xml', label: 'XML' },
              { value: 'json', label: 'JSON' },
            ]}
          />
        )}
        {chosen && (
          <Text size="xs" c="dimmed">
            {chosen.size} bytes, {fmtDate(chosen.createdAt)}
            {chosen.note ? ` — ${chosen.note}` : ''}
          </Text>
        )}
      </Group>
      {text.error && <ErrorAlert error={text.error} />}
      <pre className="payload" data-testid="payload-view">
        {text.data === undefined
          ? '…'
          : chosen?.format === 'json' || as === 'json'
            ? prettyJson(text.data)
            : text.data}
      </pre>
    </Stack>
  );
}

export function MessageDetailPage({ id }: { readonly id: string }) {
  const operator = useIsOperator();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<string | null>('control');
  const [editing, setEditing] = useState(false);
  const [editText, setEditText] = useState('');
  const [editMode, setEditMode] = useState<string>('fields');
  const [modal, setModal] = useState<'replay' | 'edit' | 'cancel' | 'confirm' | null>(null);

  const detail = useQuery({
    queryKey: ['message', id],
    queryFn: () => getJson<MessageDetail>(`/api/messages/${id}`),
    refetchInterval: (q) => (q.state.data && SETTLED.has(q.state.data.message.status) ? 10_000 : 1500),
  });
  const m = detail.data?.message;
  const { payloadIsIdoc: isIdoc, becameIdoc } = payloadKind(m?.idocType, detail.data?.versions ?? []);
  const base = detail.data ? baseVersion(detail.data.versions) : undefined;
  const current = useQuery({
    queryKey: ['version', id, base?.version, isIdoc ? 'json' : 'stored'],
    queryFn: () => getText(`/api/messages/${id}/versions/${base?.version}${isIdoc ? '?as=json' : ''}`),
    enabled: base !== undefined,
  });
  // A partner JSON message that became an IDoc: show that IDoc (read-only).
  const became = useQuery({
    queryKey: ['version', id, becameIdoc?.version, 'json'],
    queryFn: () =>
      getText(
        `/api/messages/${id}/versions/${becameIdoc?.version}${becameIdoc && IDOC_FORMATS.has(becameIdoc.format) ? '?as=json' : ''}`,
      ),
    enabled: becameIdoc !== undefined,
  });
  const payloadIdoc = useMemo(
    () => (isIdoc ? parseCanonical(current.data) : undefined),
    [isIdoc, current.data],
  );
  const becameParsed = useMemo(() => parseCanonical(became.data), [became.data]);
  const idoc = isIdoc ? payloadIdoc : becameParsed;
  const hasIdoc = isIdoc || becameIdoc !== undefined;
  const idocError = isIdoc ? current.error : became.error;
  const definition = useQuery({
    queryKey: ['definition', m?.idocType, m?.extension],
    queryFn: () =>
      getJson<IdocDefinitionView>(
        `/api/console/definitions/${encodeURIComponent(m?.idocType ?? '')}${m?.extension ? `?extension=${encodeURIComponent(m.extension)}` : ''}`,
      ),
    enabled: hasIdoc,
    staleTime: Infinity,
  });
  useEffect(() => {
    if (!editing && current.data !== undefined) setEditText(prettyJson(current.data));
  }, [current.data, editing]);

  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!detail.data || !m) return <Text>Loading…</Text>;
  const d = detail.data;
  const editedIdoc = isIdoc && editing ? parseCanonical(editText) : undefined;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['message', id] });

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="xs">
            <Anchor component={Link} href="/messages" size="sm">
              ← Messages
            </Anchor>
          </Group>
          <Group gap="sm">
            <Title order={3}>{m.docnum ? `IDoc ${m.docnum}` : `Message ${m.id.slice(0, 8)}`}</Title>
            <StatusBadge message={m} />
            <Badge
              variant="outline"
              data-testid="message-flow"
              styles={{ root: { maxWidth: 'none' }, label: { overflow: 'visible' } }}
            >
              {flowOf(m).label}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {[m.idocType, m.messageType, m.partner && `partner ${m.partner}`, m.channel]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          {(m.sapDocnum || m.sapDocument) && (
            <Text size="sm" data-testid="sap-feedback">
              SAP{m.sapDocnum ? ` IDoc ${m.sapDocnum}` : ''}
              {m.sapDocument ? ` · document ${m.sapDocument}` : ''}
              {m.sapStatus ? ` · status ${m.sapStatus}` : ''}
            </Text>
          )}
          {m.status === 'in-doubt' && (
            <Alert color="grape" p="xs" data-testid="in-doubt-help">
              The IDoc was sent in full and the answer was lost. It is not sent again on its own, because this
              SAP port does not drop duplicates. Check WE02 in SAP for DOCNUM{' '}
              {m.docnum ?? '(see the mapped version)'}: if SAP has it, wait for SAP's status or confirm it as
              posted; if not, replay it.
            </Alert>
          )}
          {m.status === 'unconfirmed' && (
            <Alert color="orange" p="xs" data-testid="unconfirmed-help">
              SAP did not report an application status in time. Check WE02 in SAP; confirm it as posted, or
              replay.
            </Alert>
          )}
          {m.lastError && (
            <Alert color="red" p="xs" data-testid="last-error">
              <b>{m.lastError.code}</b>: {m.lastError.text}
            </Alert>
          )}
        </Stack>
        {operator && (
          <Group>
            {REPLAYABLE.has(m.status) && !editing && (
              <>
                <Button onClick={() => setModal('replay')} data-testid="replay-button">
                  Replay
                </Button>
                <Button
                  variant="light"
                  data-testid="edit-button"
                  onClick={() => {
                    setEditing(true);
                    setEditMode(isIdoc ? 'fields' : 'json');
                    setTab('edit');
                  }}
                >
                  Edit & replay
                </Button>
              </>
            )}
            {CONFIRMABLE.has(m.status) && (
              <Button
                color="green"
                variant="light"
                onClick={() => setModal('confirm')}
                data-testid="confirm-posted-button"
              >
                Confirm posted in SAP
              </Button>
            )}
            {CANCELLABLE.has(m.status) && (
              <Button
                color="red"
                variant="light"
                onClick={() => setModal('cancel')}
                data-testid="cancel-button"
              >
                Cancel message
              </Button>
            )}
          </Group>
        )}
      </Group>

      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="control">Control record</Tabs.Tab>
          <Tabs.Tab value="timeline">Status timeline ({d.timeline.length + d.attempts.length})</Tabs.Tab>
          {hasIdoc && <Tabs.Tab value="segments">Segments</Tabs.Tab>}
          <Tabs.Tab value="raw">Raw payload</Tabs.Tab>
          <Tabs.Tab value="mapped">Mapped payload</Tabs.Tab>
          <Tabs.Tab value="diff">Diff versions ({d.versions.length})</Tabs.Tab>
          <Tabs.Tab value="audit">Audit ({d.audit.length})</Tabs.Tab>
          {editing && <Tabs.Tab value="edit">Edit</Tabs.Tab>}
        </Tabs.List>

        <Tabs.Panel value="control" pt="sm">
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Paper withBorder p="sm">
              <Title order={5} mb="xs">
                Control record (EDI_DC40)
              </Title>
              {!isIdoc && (
                <Alert color="blue" p="xs" mb="xs" data-testid="json-message-note">
                  This message is partner JSON
                  {m.channel?.startsWith('partner:') ? ` (contract ${m.channel.split(':')[2] ?? '?'})` : ''},
                  not an IDoc: its payload is under <b>Raw payload</b>.{' '}
                  {becameIdoc
                    ? `Below is the ${m.idocType ?? 'IDoc'} it became (mapped version ${becameIdoc.version}).`
                    : m.idocType
                      ? `The ${m.idocType} it becomes is shown here once it is mapped.`
                      : ''}
                </Alert>
              )}
              {idocError && <ErrorAlert error={idocError} />}
              {idoc ? (
                <KeyValues rows={Object.entries(idoc.control).map(([k, v]) => [k, v] as const)} />
              ) : (
                hasIdoc &&
                !idocError && (
                  <Text size="sm" c="dimmed">
                    Loading…
                  </Text>
                )
              )}
            </Paper>
            <Stack>
              <Paper withBorder p="sm">
                <Title order={5} mb="xs">
                  Gateway record
                </Title>
                <KeyValues
                  rows={[
                    ['Message id', m.id],
                    ['Received', fmtDate(m.createdAt)],
                    ['Last change', fmtDate(m.updatedAt)],
                    ['Status text', m.statusText],
                    ['Attempts', String(m.attempts)],
                    ['Next attempt', fmtDate(m.nextAttemptAt)],
                    ['Sender', m.sender ? `${m.sender.prt} ${m.sender.prn} ${m.sender.por ?? ''}` : null],
                    [
                      'Receiver',
                      m.receiver ? `${m.receiver.prt} ${m.receiver.prn} ${m.receiver.por ?? ''}` : null,
                    ],
                    ['ARCKEY', m.arckey],
                    ['Ordering key', m.orderingKey],
                    ['Idempotency key', m.idempotencyKey],
                    [
                      'Correlation',
                      m.correlation ? (
                        <Anchor component={Link} href={`/messages/${m.correlation.messageId}`}>
                          {m.correlation.kind} {m.correlation.messageId.slice(0, 8)}
                        </Anchor>
                      ) : null,
                    ],
                  ]}
                />
              </Paper>
              <Paper withBorder p="sm">
                <Title order={5} mb="xs">
                  Business keys
                </Title>
                <Group gap={6} data-testid="search-keys">
                  {d.searchKeys.length === 0 && (
                    <Text size="sm" c="dimmed">
                      none
                    </Text>
                  )}
                  {d.searchKeys.map((k) => (
                    <Anchor
                      key={`${k.kind}:${k.value}`}
                      component={Link}
                      href={`/messages?${k.kind === 'serial' ? `serial=${encodeURIComponent(k.value)}` : `keyKind=${k.kind}&key=${encodeURIComponent(k.value)}`}`}
                    >
                      <Badge variant="light" radius="sm">
                        {k.kind}: {k.value}
                      </Badge>
                    </Anchor>
                  ))}
                </Group>
              </Paper>
            </Stack>
          </SimpleGrid>
        </Tabs.Panel>

        <Tabs.Panel value="timeline" pt="sm">
          <MessageTimeline history={d.timeline} attempts={d.attempts} />
        </Tabs.Panel>

        {hasIdoc && (
          <Tabs.Panel value="segments" pt="sm">
            {definition.error && <ErrorAlert error={definition.error} />}
            {idocError && <ErrorAlert error={idocError} />}
            {!isIdoc && (
              <Text size="sm" c="dimmed" mb="xs">
                The {m.idocType} this JSON message became (mapped version {becameIdoc?.version}); edit the
                JSON to change it.
              </Text>
            )}
            {idoc ? (
              <SegmentTree idoc={idoc} definition={definition.data} />
            ) : (
              !idocError && <Text>Loading…</Text>
            )}
          </Tabs.Panel>
        )}

        <Tabs.Panel value="raw" pt="sm">
          <VersionView messageId={id} versions={d.versions} isIdoc={isIdoc} />
        </Tabs.Panel>
        <Tabs.Panel value="mapped" pt="sm">
          <VersionView messageId={id} versions={d.versions} isIdoc={isIdoc} kind="mapped" />
        </Tabs.Panel>
        <Tabs.Panel value="diff" pt="sm">
          <VersionDiff messageId={id} versions={d.versions} isIdoc={isIdoc} />
        </Tabs.Panel>
        <Tabs.Panel value="audit" pt="sm">
          <AuditTable entries={d.audit} />
        </Tabs.Panel>

        {editing && (
          <Tabs.Panel value="edit" pt="sm">
            <Stack>
              <Group>
                {isIdoc && (
                  <SegmentedControl
                    size="xs"
                    value={editMode}
                    onChange={setEditMode}
                    data={[
                      { value: 'fields', label: 'Segment fields' },
                      { value: 'json', label: 'JSON' },
                    ]}
                  />
                )}
                <Text size="sm" c="dimmed">
                  Editing a copy of <Code>{base ? versionLabel(base) : '?'}</Code>; the change is stored as a
                  new version when you replay.
                </Text>
              </Group>
              {editMode === 'fields' && isIdoc ? (
                editedIdoc ? (
                  <SegmentTree
                    idoc={editedIdoc}
                    definition={definition.data}
                    editable
                    onChange={(next) => setEditText(JSON.stringify(next, null, 2))}
                  />
                ) : (
                  <Alert color="red">The JSON is not a valid IDoc right now; fix it in the JSON view.</Alert>
                )
              ) : (
                <Textarea
                  value={editText}
                  onChange={(e) => setEditText(e.currentTarget.value)}
                  autosize
                  minRows={12}
                  maxRows={40}
                  className="mono"
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
                  aria-label="Edited payload (JSON)"
                  data-testid="edit-json"
                />
              )}
              <Group>
                <Button color="orange" onClick={() => setModal('edit')} data-testid="replay-edited-button">
                  Replay with changes…
                </Button>
                <Button
                  variant="default"
                  onClick={() => {
                    setEditing(false);
                    setTab('control');
                  }}
                >
                  Discard
                </Button>
              </Group>
            </Stack>
          </Tabs.Panel>
        )}
      </Tabs>

      <ReasonModal
        opened={modal === 'replay'}
        title="Replay this message as it is"
        action="Replay"
        onClose={() => setModal(null)}
        onConfirm={async (reason) => {
          await postJson(`/api/messages/${id}/replay`, { reason });
          await refresh();
        }}
      />
      <ReasonModal
        opened={modal === 'edit'}
        title="Replay with the edited payload"
        action="Store version and replay"
        color="orange"
        description="The edited payload is checked, stored as a new version and processed instead of the original."
        onClose={() => setModal(null)}
        onConfirm={async (reason) => {
          await postJson(`/api/messages/${id}/replay`, {
            reason,
            edited: { format: 'json', content: editText },
          });
          setEditing(false);
          setTab('timeline');
          await refresh();
        }}
      />
      <ReasonModal
        opened={modal === 'confirm'}
        title="Confirm that SAP posted this message"
        action="Confirm posted"
        color="green"
        description="Only after checking WE02 in SAP (status 53). The message becomes posted and its ordering key goes on."
        onClose={() => setModal(null)}
        onConfirm={async (reason) => {
          await postJson(`/api/messages/${id}/confirm-posted`, { reason });
          await refresh();
        }}
      />
      <ReasonModal
        opened={modal === 'cancel'}
        title="Cancel this message"
        action="Cancel message"
        color="red"
        description="No further processing; its ordering key is released."
        onClose={() => setModal(null)}
        onConfirm={async (reason) => {
          await postJson(`/api/messages/${id}/cancel`, { reason });
          await refresh();
        }}
      />
    </Stack>
  );
}
