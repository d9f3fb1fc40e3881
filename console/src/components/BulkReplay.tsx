/**
 * Bulk replay by the current filter: the API's dry run says what it will replay (the query as it
 * runs it — statuses limited to replayable ones, dead when none is chosen — and the count), the
 * job is started with exactly that query, then runs throttled with progress, pause/resume and
 * cancel. The API audits the request with its query.
 */
import { useState } from 'react';
import {
  Alert,
  Anchor,
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
import { Link } from 'wouter';
import { errorText, getJson, postJson } from '../api';
import { apiQuery, describeFilters, searchFromFilters, type Filters } from '../filters';
import type { BulkJob } from '../types';
import { REPLAYABLE } from '../../../src/pipeline/lifecycle';

/** The API's answer: the count and the query as it runs it (GET /api/messages parameters). */
interface BulkAnswer {
  readonly count: number;
  readonly query: Filters;
  readonly job?: BulkJob;
}

/** Why the query as run differs from the filter on screen, in words. */
function statusNote(filters: Filters, run: Filters): string | null {
  const chosen = filters.status ? filters.status.split(',') : [];
  if (chosen.length === 0)
    return `No status chosen: a bulk replay takes dead messages only (status=${run.status}).`;
  const left = chosen.filter((st) => !(REPLAYABLE as readonly string[]).includes(st));
  if (left.length === 0) return null;
  return `${left.join(', ')} cannot be replayed and ${left.length === 1 ? 'is' : 'are'} left out (replayable: ${REPLAYABLE.join(', ')}).`;
}

export function BulkReplayModal(props: {
  readonly opened: boolean;
  readonly filters: Filters;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [rate, setRate] = useState<number>(20);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startedWith, setStartedWith] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const job = useQuery({
    queryKey: ['bulk-job', jobId],
    queryFn: () => getJson<BulkJob>(`/api/bulk-replays/${jobId}`),
    enabled: jobId !== null,
    refetchInterval: (q) =>
      q.state.data && (q.state.data.state === 'done' || q.state.data.state === 'cancelled') ? false : 1000,
  });

  // Asked as soon as the dialog opens: the API's own dry run, never a guess made here.
  const dry = useQuery({
    queryKey: ['bulk-dry-run', apiQuery(props.filters)],
    queryFn: () =>
      postJson<BulkAnswer>('/api/bulk-replays', {
        query: apiQuery(props.filters),
        reason: 'dry run',
        dryRun: true,
      }),
    enabled: props.opened && jobId === null,
    staleTime: 0,
    gcTime: 0,
  });
  const planned = dry.data;
  const note = planned ? statusNote(props.filters, planned.query) : null;

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
    setJobId(null);
    setStartedWith(null);
    setReason('');
    void queryClient.invalidateQueries({ queryKey: ['messages'] });
    props.onClose();
  };

  const j = job.data;
  return (
    <Modal opened={props.opened} onClose={close} title="Bulk replay by the current filter" size="lg">
      <Stack>
        <Text size="sm">
          Filter on screen: <Code>{describeFilters(props.filters)}</Code>
        </Text>
        {dry.error && <Alert color="red">{errorText(dry.error)}</Alert>}
        {planned && (
          <Alert color="orange" variant="light" p="xs" data-testid="bulk-plan">
            <Text size="sm">
              The API will replay what matches{' '}
              <Code data-testid="bulk-query">{describeFilters(planned.query)}</Code>
              {' — '}
              <Anchor component={Link} href={`/messages?${searchFromFilters(planned.query)}`} onClick={close}>
                see these messages
              </Anchor>
            </Text>
            {note && (
              <Text size="xs" mt={4} data-testid="bulk-status-note">
                {note}
              </Text>
            )}
          </Alert>
        )}
        {jobId === null && (
          <>
            <Group align="flex-end">
              <Button variant="default" loading={dry.isFetching} onClick={() => void dry.refetch()}>
                Count (dry run)
              </Button>
              {planned && (
                <Text data-testid="bulk-dry-run-count">
                  <b>{planned.count}</b> message(s) would be replayed
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
                disabled={reason.trim() === '' || !planned || planned.count === 0}
                loading={busy}
                onClick={() =>
                  run(async () => {
                    if (!planned) return;
                    // exactly the query the dry run answered with: what was shown is what runs
                    const r = await postJson<BulkAnswer>('/api/bulk-replays', {
                      query: planned.query,
                      reason: reason.trim(),
                      ratePerSecond: rate,
                    });
                    if (r.job) {
                      setStartedWith(r.count);
                      setJobId(r.job.id);
                    }
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
            {startedWith !== null && planned && startedWith !== planned.count && (
              <Text size="xs" c="dimmed" data-testid="bulk-count-changed">
                {startedWith} matched when the job started; the dry run had counted {planned.count}.
              </Text>
            )}
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
