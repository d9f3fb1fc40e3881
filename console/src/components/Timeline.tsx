/** Status history and delivery attempts of a message on one time line, errors in red. */
import { Badge, Group, Text, Timeline } from '@mantine/core';
import { fmtDate } from '../format';
import { STATUS_COLOR } from '../status';
import type { Attempt, HistoryEntry } from '../types';

type Item = { at: string; kind: 'status'; h: HistoryEntry } | { at: string; kind: 'attempt'; a: Attempt };

export function MessageTimeline({
  history,
  attempts,
}: {
  readonly history: readonly HistoryEntry[];
  readonly attempts: readonly Attempt[];
}) {
  const items: Item[] = [
    ...history.map((h) => ({ at: h.at, kind: 'status' as const, h })),
    ...attempts.map((a) => ({ at: a.at, kind: 'attempt' as const, a })),
  ].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.kind === 'attempt' ? -1 : 1));
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
      {items.map((it) =>
        it.kind === 'status' ? (
          <Timeline.Item
            key={`h${it.h.id}`}
            color={STATUS_COLOR[it.h.to]}
            title={
              <Group gap={6}>
                <Badge color={STATUS_COLOR[it.h.to]} size="sm">
                  {it.h.to}
                  {it.h.sapStatus ? ` · ${it.h.sapStatus}` : ''}
                </Badge>
                <Text size="xs" c="dimmed">
                  {it.h.from ? `from ${it.h.from}` : 'first status'} by {it.h.by}
                </Text>
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {fmtDate(it.at)}
            </Text>
            {it.h.text && <Text size="sm">{it.h.text}</Text>}
          </Timeline.Item>
        ) : (
          <Timeline.Item
            key={`a${it.a.id}`}
            color={it.a.outcome === 'ok' ? 'green' : 'red'}
            title={
              <Text size="sm" fw={500}>
                Attempt {it.a.attemptNo} via {it.a.transport}: {it.a.outcome === 'ok' ? 'OK' : 'error'} (
                {it.a.durationMs} ms)
              </Text>
            }
          >
            <Text size="xs" c="dimmed">
              {fmtDate(it.at)}
            </Text>
            {it.a.errorCode && (
              <Text size="sm" c="red.8">
                {it.a.errorCode}: {it.a.errorText}
              </Text>
            )}
          </Timeline.Item>
        ),
      )}
    </Timeline>
  );
}
