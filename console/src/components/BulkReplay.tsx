/**
 * Bulk replay by the current filter: dry-run count first, then a throttled job with progress,
 * pause/resume and cancel. The API audits the request with its query.
 */
import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Progress,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText, getJson, postJson } from '../api';
import { apiQuery, describeFilters, type Filters } from '../filters';
import type { BulkJob } from '../types';

export function BulkReplayModal(props: {
  readonly opened: boolean;
  readonly filters: Filters;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState<number>(20);
  const [count, setCount] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const job = useQuery({
    queryKey: ['bulk-job', jobId],
    queryFn: () => getJson<BulkJob>(`/api/bulk-replays/${jobId}`),
    enabled: jobId !== null,
    refetchInterval: (q) =>
      q.state.data && (q.state.data.state === 'done' || q.state.data.state === 'cancelled') ? false : 1000,
  });

  const body = (dryRun: boolean) => ({
    query: apiQuery(props.filters),
    reason: reason.trim() || 'dry run',
    ratePerSecond: rate,
    dryRun,
  });

  const run = (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    fn()
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };

  const control = (id: string, action: 'pause' | 'resume' | 'cancel') =>
    run(async () => {
      await postJson(`/api/bulk-replays/${id}/${action}`);
      await job.refetch();
    });

  const close = () => {
    setCount(null);
    setJobId(null);
    setReason('');
    void queryClient.invalidateQueries({ queryKey: ['messages'] });
    props.onClose();
  };

  const j = job.data;
  return (
    <Modal opened={props.opened} onClose={close} title="Bulk replay by the current filter" size="lg">
      <Stack>
        <Text size="sm">
          Filter: <Code>{describeFilters(props.filters)}</Code>
        </Text>
        <Text size="xs" c="dimmed">
          Only dead, failed, delivered and cancelled messages are replayed; others the filter matches are
          skipped.
        </Text>
        {jobId === null && (
          <>
            <Group align="flex-end">
              <Button
                variant="default"
                loading={busy}
                onClick={() =>
                  run(async () =>
                    setCount((await postJson<{ count: number }>('/api/bulk-replays', body(true))).count),
                  )
                }
              >
                Count (dry run)
              </Button>
              {count !== null && (
                <Text data-testid="bulk-dry-run-count">
                  <b>{count}</b> message(s) would be replayed
                </Text>
              )}
            </Group>
            <NumberInput
              label="Throttle (messages per second)"
              min={1}
              max={1000}
              value={rate}
              onChange={(v) => setRate(typeof v === 'number' ? v : Number(v) || 1)}
              w={240}
            />
            <Textarea
              label="Reason (kept in the audit log)"
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              autosize
              minRows={2}
            />
            <Group justify="flex-end">
              <Button
                color="orange"
                disabled={reason.trim() === '' || count === null || count === 0}
                loading={busy}
                onClick={() =>
                  run(async () => {
                    const r = await postJson<{ count: number; job?: BulkJob }>(
                      '/api/bulk-replays',
                      body(false),
                    );
                    if (r.job) setJobId(r.job.id);
                    else setCount(r.count);
                  })
                }
              >
                Start bulk replay
              </Button>
            </Group>
          </>
        )}
        {j && (
          <Stack gap="xs" data-testid="bulk-progress">
            <Group justify="space-between">
              <Text>
                Job <Code>{j.id.slice(0, 8)}</Code> by {j.actor}
              </Text>
              <Badge
                data-testid="bulk-state"
                color={
                  j.state === 'done'
                    ? 'green'
                    : j.state === 'cancelled'
                      ? 'gray'
                      : j.state === 'paused'
                        ? 'yellow'
                        : 'blue'
                }
              >
                {j.state}
              </Badge>
            </Group>
            <Progress value={j.total > 0 ? (100 * j.done) / j.total : 100} animated={j.state === 'running'} />
            <Text size="sm" data-testid="bulk-counts">
              {j.done} of {j.total} replayed{j.failed > 0 ? `, ${j.failed} refused` : ''}
            </Text>
            <Group>
              {j.state === 'running' && (
                <Button size="xs" variant="default" onClick={() => control(j.id, 'pause')}>
                  Pause
                </Button>
              )}
              {j.state === 'paused' && (
                <Button size="xs" variant="default" onClick={() => control(j.id, 'resume')}>
                  Resume
                </Button>
              )}
              {(j.state === 'running' || j.state === 'paused') && (
                <Button size="xs" color="red" variant="light" onClick={() => control(j.id, 'cancel')}>
                  Cancel job
                </Button>
              )}
            </Group>
          </Stack>
        )}
        {error && <Alert color="red">{error}</Alert>}
      </Stack>
    </Modal>
  );
}
