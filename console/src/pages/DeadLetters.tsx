/**
 * What is stuck: dead letters, SAP errors (grouped by SAP's message), messages in doubt and
 * unconfirmed ones, grouped by status and error code (how many, since when, samples), with a link
 * to the messages and a group replay; ordering keys held by a failing, dead or SAP-rejected head.
 */
import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { getJson } from '../api';
import { BulkReplayModal } from '../components/BulkReplay';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusBadge } from '../components/StatusBadge';
import type { Filters } from '../filters';
import { fmtAge, fmtDate } from '../format';
import { useIsOperator } from '../session';
import { STATUS_COLOR } from '../status';
import type { BlockedKey, DeadLetterGroup } from '../types';

export function DeadLettersPage() {
  const operator = useIsOperator();
  const [replayFilter, setReplayFilter] = useState<Filters | null>(null);
  const groups = useQuery({
    queryKey: ['dead-letters'],
    queryFn: () => getJson<{ total: number; groups: DeadLetterGroup[] }>('/api/dead-letters?sampleSize=5'),
    refetchInterval: 5000,
  });
  const keys = useQuery({
    queryKey: ['blocked-keys'],
    queryFn: () => getJson<{ keys: BlockedKey[] }>('/api/blocked-keys?limit=200'),
    refetchInterval: 5000,
  });
  return (
    <Stack>
      <Title order={3}>Dead letters, SAP errors & blocked ordering keys</Title>
      <Paper withBorder p="sm">
        <Group justify="space-between" mb="xs">
          <Title order={5}>Stuck messages by status and error ({groups.data?.total ?? 0} messages)</Title>
          <Text size="xs" c="dimmed">
            One fix (a mapping table, a partner setting) often releases a whole group: replay the group after
            the fix.
          </Text>
        </Group>
        {groups.error && <ErrorAlert error={groups.error} />}
        {groups.data && groups.data.groups.length === 0 && (
          <Alert color="green">No dead letters, SAP errors, or messages in doubt.</Alert>
        )}
        {groups.data && groups.data.groups.length > 0 && (
          <Table striped fz="sm" data-testid="dead-letter-groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th>Messages</Table.Th>
                <Table.Th>Stuck since</Table.Th>
                <Table.Th>Newest</Table.Th>
                <Table.Th>Oldest samples</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groups.data.groups.map((g) => {
                const filter: Filters = {
                  status: g.status,
                  ...(g.errorCode ? { errorCode: g.errorCode } : {}),
                };
                return (
                  <Table.Tr key={`${g.status}|${g.errorCode ?? '-'}`}>
                    <Table.Td>
                      <Badge
                        color={STATUS_COLOR[g.status]}
                        radius="sm"
                        data-testid="stuck-status"
                        styles={{ root: { flexShrink: 0, maxWidth: 'none' }, label: { overflow: 'visible' } }}
                      >
                        {g.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge color="red" variant="outline" radius="sm">
                        {g.errorCode ?? 'no error code'}
                      </Badge>
                      {g.sampleText && (
                        <Text size="xs" c="dimmed" maw={420} data-testid="stuck-text">
                          {g.sampleText}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td fw={600}>{g.count}</Table.Td>
                    <Table.Td>
                      {fmtDate(g.oldest)}{' '}
                      <Text span size="xs" c="dimmed">
                        ({fmtAge(g.oldest)})
                      </Text>
                    </Table.Td>
                    <Table.Td>{fmtAge(g.newest)}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {g.sampleIds.map((id) => (
                          <Anchor
                            key={id}
                            component={Link}
                            href={`/messages/${id}`}
                            className="mono"
                            size="xs"
                          >
                            {id.slice(0, 8)}
                          </Anchor>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end">
                        <Button
                          size="xs"
                          variant="default"
                          component={Link}
                          href={`/messages?status=${g.status}${g.errorCode ? `&errorCode=${encodeURIComponent(g.errorCode)}` : ''}`}
                        >
                          Show messages
                        </Button>
                        {operator && g.errorCode && (
                          <Button
                            size="xs"
                            color="orange"
                            variant="light"
                            onClick={() => setReplayFilter(filter)}
                          >
                            Replay group…
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Blocked ordering keys (the head failed, is dead, was rejected by SAP or is in doubt; later messages
          wait behind it)
        </Title>
        {keys.error && <ErrorAlert error={keys.error} />}
        {keys.data && keys.data.keys.length === 0 && <Alert color="green">No ordering key is blocked.</Alert>}
        {keys.data && keys.data.keys.length > 0 && (
          <Table striped fz="sm" data-testid="blocked-keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Ordering key</Table.Th>
                <Table.Th>Head message</Table.Th>
                <Table.Th>Head status</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th>Since</Table.Th>
                <Table.Th>Waiting behind</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.keys.map((k) => (
                <Table.Tr key={k.orderingKey}>
                  <Table.Td className="mono">{k.orderingKey}</Table.Td>
                  <Table.Td>
                    <Anchor component={Link} href={`/messages/${k.head.id}`} className="mono">
                      {k.head.docnum ?? k.head.id.slice(0, 8)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge message={k.head} />
                  </Table.Td>
                  <Table.Td>
                    {k.head.lastError ? `${k.head.lastError.code}: ${k.head.lastError.text}` : ''}
                  </Table.Td>
                  <Table.Td>{fmtAge(k.head.updatedAt)}</Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      href={`/messages?orderingKey=${encodeURIComponent(k.orderingKey)}`}
                    >
                      {k.waiting} message(s)
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      {replayFilter && (
        <BulkReplayModal opened filters={replayFilter} onClose={() => setReplayFilter(null)} />
      )}
    </Stack>
  );
}
