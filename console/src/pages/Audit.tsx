/** The audit log: who replayed, edited or cancelled what, when and why (bulk queries included). */
import { useState } from 'react';
import { Anchor, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { getJson, qs } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { fmtDate } from '../format';
import type { AuditEntry } from '../types';

const ACTION_COLOR: Readonly<Record<string, string>> = {
  replay: 'blue',
  edit: 'orange',
  cancel: 'red',
  'bulk-replay': 'grape',
};

export function AuditTable({ entries }: { readonly entries: readonly AuditEntry[] }) {
  if (entries.length === 0) return <Text c="dimmed">No audit entries.</Text>;
  return (
    <Table striped fz="sm" verticalSpacing={4} data-testid="audit-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>When</Table.Th>
          <Table.Th>Who</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Message</Table.Th>
          <Table.Th>Reason</Table.Th>
          <Table.Th>Details / query</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td>{fmtDate(e.at)}</Table.Td>
            <Table.Td>{e.actor}</Table.Td>
            <Table.Td>
              <Badge color={ACTION_COLOR[e.action] ?? 'gray'} variant="light">
                {e.action}
              </Badge>
            </Table.Td>
            <Table.Td>
              {e.messageId && (
                <Anchor component={Link} href={`/messages/${e.messageId}`} className="mono">
                  {e.messageId.slice(0, 8)}
                </Anchor>
              )}
            </Table.Td>
            <Table.Td>{e.reason}</Table.Td>
            <Table.Td>
              {e.query !== null && e.query !== undefined && <Code>{JSON.stringify(e.query)}</Code>}{' '}
              {e.details !== null && e.details !== undefined && <Code>{JSON.stringify(e.details)}</Code>}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const q = useInfiniteQuery({
    queryKey: ['audit', actor, action],
    queryFn: ({ pageParam }) =>
      getJson<{ entries: AuditEntry[] }>(
        `/api/audit${qs({ actor, action, limit: 100, beforeId: pageParam })}`,
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) =>
      last.entries.length === 100 ? last.entries[last.entries.length - 1]?.id : undefined,
    refetchInterval: 10_000,
  });
  const entries = q.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <Stack>
      <Title order={3}>Audit log</Title>
      <Group>
        <TextInput
          size="xs"
          label="Operator"
          value={actor}
          onChange={(e) => setActor(e.currentTarget.value)}
        />
        <TextInput
          size="xs"
          label="Action"
          placeholder="replay, edit, cancel, bulk-replay…"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
        />
      </Group>
      {q.error && <ErrorAlert error={q.error} />}
      <AuditTable entries={entries} />
      {q.hasNextPage && (
        <Button variant="default" size="xs" onClick={() => void q.fetchNextPage()} w={160}>
          Older entries
        </Button>
      )}
    </Stack>
  );
}
