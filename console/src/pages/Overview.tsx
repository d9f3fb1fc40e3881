/**
 * Overview: throughput, failures and latency over time (charts), counts per status, queue depths,
 * and a read-only view of the configured partners (WE20) and ports (WE21).
 */
import { useMemo, useState } from 'react';
import { Code, Group, Paper, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getJson } from '../api';
import { TimeChart, type ChartSeries } from '../components/Chart';
import { ErrorAlert } from '../components/ErrorAlert';
import { RecordTable } from '../components/RecordTable';
import { useSignedIn } from '../session';
import { STATUS_COLOR, sapCodes } from '../status';
import { STATUSES, type Overview } from '../types';

function fmtMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function OverviewPage() {
  const session = useSignedIn();
  const [hours, setHours] = useState('24');
  const q = useQuery({
    queryKey: ['overview', hours],
    queryFn: () => getJson<Overview>(`/api/console/overview?hours=${hours}`),
    refetchInterval: 10_000,
  });
  const charts = useMemo(() => {
    const s = q.data?.series ?? [];
    const times = s.map((p) => new Date(p.at).getTime() / 1000);
    const throughput: ChartSeries[] = [
      { label: 'received', color: '#1c7ed6', values: s.map((p) => p.received) },
      { label: 'delivered', color: '#2f9e44', values: s.map((p) => p.delivered) },
    ];
    const failures: ChartSeries[] = [
      { label: 'failed attempts', color: '#f08c00', values: s.map((p) => p.failedAttempts) },
      { label: 'dead-lettered', color: '#c92a2a', values: s.map((p) => p.dead) },
    ];
    const latency: ChartSeries[] = [
      { label: 'median', color: '#1c7ed6', values: s.map((p) => p.latencyP50) },
      { label: '95th percentile', color: '#862e9c', values: s.map((p) => p.latencyP95) },
    ];
    return { times, throughput, failures, latency };
  }, [q.data]);
  const d = q.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>Overview</Title>
        <SegmentedControl
          size="xs"
          value={hours}
          onChange={setHours}
          data={[
            { value: '1', label: '1 h' },
            { value: '24', label: '24 h' },
            { value: '168', label: '7 d' },
            { value: '720', label: '30 d' },
          ]}
        />
      </Group>
      {q.error && <ErrorAlert error={q.error} />}
      <Group gap="xs" data-testid="overview-counts">
        {STATUSES.map((s) => (
          <Paper key={s} withBorder p="xs" miw={110}>
            <Text size="xs" c="dimmed">
              {s} ({sapCodes(s)})
            </Text>
            <Text fw={700} size="lg" c={STATUS_COLOR[s]}>
              {d?.countsByStatus[s] ?? 0}
            </Text>
          </Paper>
        ))}
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <Paper withBorder p="sm">
          <Text fw={500}>Throughput per {d?.bucket ?? 'bucket'}</Text>
          <TimeChart times={charts.times} series={charts.throughput} unit="messages" />
        </Paper>
        <Paper withBorder p="sm">
          <Text fw={500}>Failures per {d?.bucket ?? 'bucket'}</Text>
          <TimeChart times={charts.times} series={charts.failures} unit="count" />
        </Paper>
        <Paper withBorder p="sm">
          <Text fw={500}>Latency receipt → delivered</Text>
          <TimeChart times={charts.times} series={charts.latency} unit="seconds" />
        </Paper>
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Queue depths (work in flight in Redis) · dead letters now: {d?.deadLetters ?? 0}
        </Title>
        <RecordTable
          rows={Object.entries(d?.queues ?? {}).map(([queue, v]) => ({
            queue,
            waiting: v['waiting'] ?? 0,
            active: v['active'] ?? 0,
            delayed: v['delayed'] ?? 0,
          }))}
          empty="No queue has jobs (or this process runs no queues)."
          testId="queue-depths"
        />
      </Paper>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Partners (WE20, read-only)
        </Title>
        <Table fz="sm" striped data-testid="partners">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Partner</Table.Th>
              <Table.Th>Number / type</Table.Th>
              <Table.Th>Sends to SAP</Table.Th>
              <Table.Th>Receives from SAP</Table.Th>
              <Table.Th>Retry / concurrency</Table.Th>
              <Table.Th>Credentials</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {session.meta.partners.map((p) => (
              <Table.Tr key={p.name}>
                <Table.Td fw={500}>{p.name}</Table.Td>
                <Table.Td>
                  {p.number} / {p.type}
                </Table.Td>
                <Table.Td>
                  {p.sends.map((s) => (
                    <div key={s.messageType + s.contract}>
                      <Code>{s.messageType}</Code> {s.contract} → port {s.port}
                      {s.mapping ? ` (${s.mapping})` : ''}
                    </div>
                  ))}
                </Table.Td>
                <Table.Td>
                  {p.receives.map((r) => (
                    <div key={r.messageType + (r.idocType ?? '')}>
                      <Code>{r.messageType}</Code> {r.idocType ?? ''} → {r.transport.kind}{' '}
                      {r.transport.target ?? ''}
                      {r.statusToSap !== 'none' ? ` · ${r.statusToSap}` : ''}
                    </div>
                  ))}
                </Table.Td>
                <Table.Td>
                  {p.retry.attempts} × from {fmtMs(p.retry.backoff)} up to {fmtMs(p.retry.maxBackoff)} ·{' '}
                  {p.concurrency} parallel
                </Table.Td>
                <Table.Td>
                  {p.apiKeys > 0 && <Text size="xs">{p.apiKeys} API key(s)</Text>}{' '}
                  {p.basicAuth && <Text size="xs">HTTP basic</Text>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Ports (WE21, read-only)
        </Title>
        <RecordTable
          rows={session.meta.ports.map((p) => ({
            port: p.name,
            description: p.description ?? '',
            transport: `${p.transport.kind} ${p.transport.target ?? ''}`,
            'SAP may call in': p.inboundAuth ? 'yes (basic)' : 'no',
            control: Object.entries(p.control)
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          }))}
          empty="No ports configured."
        />
      </Paper>
    </Stack>
  );
}
