/**
 * Messages (the WE02/BD87 of the gateway): filters by status, partner, direction, IDoc and message
 * type, date range, DOCNUM, business key, serial and free text; live counts per status; a page of
 * messages with our status beside the SAP status code; bulk replay by the current filter.
 */
import { flowOf } from '../flow';
import { useEffect, useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Chip,
  Group,
  MultiSelect,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useLocation, useSearch } from 'wouter';
import { getJson, qs } from '../api';
import { BulkReplayModal } from '../components/BulkReplay';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusBadge } from '../components/StatusBadge';
import { apiQuery, filtersFromSearch, searchFromFilters, type Filters } from '../filters';
import { fmtDate } from '../format';
import { useIsOperator, useSignedIn } from '../session';
import { STATUS_COLOR, sapCodes } from '../status';
import { STATUSES, type SearchPage, type Status } from '../types';

const KEY_KINDS = ['delivery', 'po', 'material', 'plant', 'hu', 'batch', 'customer'];

/** datetime-local value <-> ISO string. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocalInput(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function FilterForm({
  filters,
  onApply,
}: {
  readonly filters: Filters;
  readonly onApply: (f: Filters) => void;
}) {
  const session = useSignedIn();
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filters), [filters]);
  const set = (name: keyof Filters, value: string | undefined) =>
    setDraft((d) => {
      const next = { ...d };
      if (value === undefined || value === '') delete next[name];
      else next[name] = value;
      return next;
    });
  const idocTypes = [...new Set(session.meta.idocTypes.map((t) => t.basicType))];
  const messageTypes = [
    ...new Set(session.meta.partners.flatMap((p) => [...p.sends, ...p.receives].map((x) => x.messageType))),
  ];
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <Paper withBorder p="sm">
        <SimpleGrid cols={{ base: 2, md: 4, xl: 6 }} spacing="xs" verticalSpacing="xs">
          <MultiSelect
            label="Status"
            data={STATUSES.map((s) => ({ value: s, label: `${s} (${sapCodes(s)})` }))}
            value={draft.status ? draft.status.split(',') : []}
            onChange={(v) => set('status', v.join(','))}
            clearable
            size="xs"
          />
          <Select
            label="Partner"
            data={session.meta.partners.map((p) => ({ value: p.name, label: `${p.name} (${p.number})` }))}
            value={draft.partner ?? null}
            onChange={(v) => set('partner', v ?? undefined)}
            clearable
            searchable
            size="xs"
          />
          <Select
            label="Direction"
            data={[
              { value: 'in', label: 'in (received by the gateway)' },
              { value: 'out', label: 'out (sent by the gateway)' },
            ]}
            value={draft.direction ?? null}
            onChange={(v) => set('direction', v ?? undefined)}
            clearable
            size="xs"
          />
          <Select
            label="IDoc basic type"
            data={idocTypes}
            value={draft.idocType ?? null}
            onChange={(v) => set('idocType', v ?? undefined)}
            clearable
            searchable
            size="xs"
          />
          <Select
            label="Message type"
            data={messageTypes}
            value={draft.messageType ?? null}
            onChange={(v) => set('messageType', v ?? undefined)}
            clearable
            searchable
            size="xs"
          />
          <TextInput
            label="DOCNUM"
            value={draft.docnum ?? ''}
            onChange={(e) => set('docnum', e.currentTarget.value)}
            size="xs"
          />
          <Group gap={4} grow align="flex-end" wrap="nowrap">
            <Select
              label="Business key"
              placeholder="any kind"
              data={KEY_KINDS}
              value={draft.keyKind ?? null}
              onChange={(v) => set('keyKind', v ?? undefined)}
              clearable
              size="xs"
            />
            <TextInput
              aria-label="Business key value"
              placeholder="value"
              value={draft.key ?? ''}
              onChange={(e) => set('key', e.currentTarget.value)}
              size="xs"
            />
          </Group>
          <TextInput
            label="Serial number"
            value={draft.serial ?? ''}
            onChange={(e) => set('serial', e.currentTarget.value)}
            size="xs"
          />
          <TextInput
            label="Received from"
            type="datetime-local"
            value={toLocalInput(draft.from)}
            onChange={(e) => set('from', fromLocalInput(e.currentTarget.value))}
            size="xs"
          />
          <TextInput
            label="Received before"
            type="datetime-local"
            value={toLocalInput(draft.to)}
            onChange={(e) => set('to', fromLocalInput(e.currentTarget.value))}
            size="xs"
          />
          <TextInput
            label="Error code"
            value={draft.errorCode ?? ''}
            onChange={(e) => set('errorCode', e.currentTarget.value)}
            size="xs"
          />
          <TextInput
            label="Free text"
            placeholder="all words must occur"
            value={draft.text ?? ''}
            onChange={(e) => set('text', e.currentTarget.value)}
            size="xs"
          />
        </SimpleGrid>
        <Group mt="sm" gap="xs">
          <Button type="submit" size="xs">
            Search
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => {
              setDraft({});
              onApply({});
            }}
          >
            Reset
          </Button>
        </Group>
      </Paper>
    </form>
  );
}

export function MessagesPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = filtersFromSearch(search);
  const operator = useIsOperator();
  const [cursors, setCursors] = useState<string[]>([]);
  const [bulkOpen, setBulkOpen] = useState(false);
  useEffect(() => setCursors([]), [search]);
  const cursor = cursors[cursors.length - 1];

  const page = useQuery({
    queryKey: ['messages', search, cursor],
    queryFn: () => getJson<SearchPage>(`/api/messages${qs({ ...apiQuery(filters), limit: 50, cursor })}`),
    refetchInterval: 5000,
  });

  const apply = (f: Filters) => navigate(`/messages?${searchFromFilters(f)}`);
  const selected = new Set(filters.status ? filters.status.split(',') : []);
  const toggleStatus = (s: Status) => {
    const next = new Set(selected);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    apply({ ...filters, status: [...next].join(',') });
  };
  const counts = page.data?.countsByStatus ?? {};
  const total = STATUSES.reduce((n, s) => n + (counts[s] ?? 0), 0);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Messages</Title>
        {operator && (
          <Button color="orange" variant="light" onClick={() => setBulkOpen(true)}>
            Bulk replay…
          </Button>
        )}
      </Group>
      <FilterForm filters={filters} onApply={apply} />
      <Group gap="xs" data-testid="status-counts">
        <Text size="sm" c="dimmed">
          {total} matching — per status (live):
        </Text>
        {STATUSES.map((s) => (
          <Chip
            key={s}
            size="xs"
            checked={selected.has(s)}
            onChange={() => toggleStatus(s)}
            color={STATUS_COLOR[s]}
            variant="light"
            wrapperProps={{ 'data-status-count': s }}
          >
            {s} {counts[s] ?? 0}
          </Chip>
        ))}
      </Group>
      {page.error && <ErrorAlert error={page.error} />}
      <Table.ScrollContainer minWidth={1000}>
        <Table striped highlightOnHover verticalSpacing={4} fz="sm" data-testid="messages-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Status (SAP)</Table.Th>
              <Table.Th>IDoc number</Table.Th>
              <Table.Th>Flow</Table.Th>
              <Table.Th>Partner</Table.Th>
              <Table.Th>Basic type</Table.Th>
              <Table.Th>Message type</Table.Th>
              <Table.Th>Created on</Table.Th>
              <Table.Th>Changed on</Table.Th>
              <Table.Th>Att.</Table.Th>
              <Table.Th>Last error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(page.data?.items ?? []).map((m) => (
              <Table.Tr
                key={m.id}
                className="clickable"
                onClick={() => navigate(`/messages/${m.id}`)}
                data-message-id={m.id}
              >
                <Table.Td>
                  <StatusBadge message={m} />
                </Table.Td>
                <Table.Td className="mono" data-testid="message-docnum" style={{ whiteSpace: 'nowrap' }}>
                  {m.docnum ??
                    (m.sentDocnum ? (
                      <Tooltip
                        label={`the DOCNUM of the ${m.idocType ?? 'IDoc'} the gateway made of this JSON and sent`}
                      >
                        <span>
                          {m.sentDocnum}{' '}
                          <Text c="dimmed" span size="xs">
                            sent
                          </Text>
                        </span>
                      </Tooltip>
                    ) : (
                      <Text c="dimmed" span size="xs">
                        {m.id.slice(0, 8)}
                      </Text>
                    ))}
                </Table.Td>
                <Table.Td data-testid="message-flow" style={{ whiteSpace: 'nowrap' }}>
                  {flowOf(m).label}
                </Table.Td>
                <Table.Td>{m.partner ?? '—'}</Table.Td>
                <Table.Td>{m.idocType ?? (m.channel?.startsWith('partner') ? 'JSON' : '—')}</Table.Td>
                <Table.Td>{m.messageType ?? '—'}</Table.Td>
                <Table.Td>{fmtDate(m.createdAt)}</Table.Td>
                <Table.Td>{fmtDate(m.updatedAt)}</Table.Td>
                <Table.Td>{m.attempts}</Table.Td>
                <Table.Td maw={320}>
                  {m.lastError && (
                    <Tooltip label={m.lastError.text} multiline w={420}>
                      <Badge color="red" variant="outline" radius="sm">
                        {m.lastError.code}
                      </Badge>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {page.data && page.data.items.length === 0 && (
        <Alert color="gray">No message matches this filter.</Alert>
      )}
      <Group>
        <Button
          size="xs"
          variant="default"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!page.data?.nextCursor}
          onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data.nextCursor ?? ''])}
        >
          Older
        </Button>
        <Text size="xs" c="dimmed">
          page {cursors.length + 1}, 50 per page, newest first
        </Text>
      </Group>
      <BulkReplayModal opened={bulkOpen} filters={filters} onClose={() => setBulkOpen(false)} />
    </Stack>
  );
}
