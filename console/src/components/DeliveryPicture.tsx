/**
 * One delivery as a picture (GET /api/deliveries/:delivery): its route and state on top, the
 * totals and every item as an expected / received / outstanding bar, the serials as a checklist
 * (received, missing, unexpected, late), and the receipts and pushback postings on one timeline
 * with SAP's status for each posting (from the posting's message).
 */
import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { getBlob, getJson } from '../api';
import { fmtAge, fmtDate } from '../format';
import type { MessageDetail } from '../types';
import { StatusBadge } from './StatusBadge';

export interface DeliveryItemView {
  readonly position: string;
  readonly material: string;
  readonly unit: string;
  readonly expected: number;
  readonly received: number;
  readonly outstanding: number;
  readonly over: number;
  readonly missingSerials: readonly string[];
}

export interface DeliverySerialView {
  readonly material: string;
  readonly serial: string;
  readonly position: string | null;
  readonly handlingUnit: string | null;
  readonly expected: boolean;
  readonly received: boolean;
  readonly late: boolean;
  readonly receivedAt: string | null;
  readonly messageId: string | null;
}

export interface DeliveryReceiptView {
  readonly line: number;
  readonly source: string;
  readonly position: string | null;
  readonly material: string | null;
  readonly quantity: number;
  readonly unit: string | null;
  readonly serials: readonly string[];
  readonly eventAt: string;
  readonly messageId: string;
  readonly late: boolean;
}

export interface DeliveryAnswer {
  readonly delivery: {
    readonly delivery?: string;
    readonly originSite?: string;
    readonly destinationSite?: string;
    readonly state?: string;
    readonly view?: string;
    readonly dueAt?: string | null;
    readonly goodsIssueAt?: string | null;
    /** The forwarding agent's partner number from the announcement (E1ADRM1 SP), when named. */
    readonly carrier?: string | null;
    readonly [k: string]: unknown;
  };
  readonly totals: {
    readonly expected: number;
    readonly received: number;
    readonly outstanding: number;
    readonly unexpectedSerials: number;
    readonly lateReceipts: number;
  };
  readonly items: readonly DeliveryItemView[];
  readonly serials: readonly DeliverySerialView[];
  readonly receipts: readonly DeliveryReceiptView[];
  readonly pushback: {
    readonly decidedAt: string;
    readonly completedAt: string | null;
    readonly postings: readonly { name: string; kind: string; messageId: string | null }[];
  } | null;
  readonly discrepancy?: unknown;
}

/** The ledger's states and list views in words (docs/sweeper.md "delivery lifecycle"). */
export const DELIVERY_STATE_LABEL: Readonly<Record<string, string>> = {
  announced: 'announced',
  picked: 'picked at the DC',
  open: 'in transit',
  partial: 'partially received',
  'pushing-back': 'pushing back',
  'pushed-back': 'pushed back',
  closed: 'closed',
  'partially-received': 'partially received',
  overdue: 'overdue',
};

export const DELIVERY_STATE_COLOR: Readonly<Record<string, string>> = {
  announced: 'gray',
  picked: 'cyan',
  open: 'blue',
  partial: 'yellow',
  'partially-received': 'yellow',
  overdue: 'red',
  'pushing-back': 'orange',
  'pushed-back': 'grape',
  closed: 'green',
};

export function DeliveryStateBadge({ state }: { readonly state: string | undefined }) {
  const s = state ?? '';
  return (
    <Badge
      color={DELIVERY_STATE_COLOR[s] ?? 'gray'}
      variant="light"
      data-state={s}
      // never truncated: the state is the point of the column
      styles={{ root: { flexShrink: 0, maxWidth: 'none' }, label: { overflow: 'visible' } }}
    >
      {DELIVERY_STATE_LABEL[s] ?? s}
    </Badge>
  );
}

function pct(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, (part / whole) * 100) : 0;
}

/** Expected vs received as one bar: received (green), outstanding (orange), over (grape). */
export function ExpectedBar({
  expected,
  received,
  outstanding,
  over = 0,
  label,
}: {
  readonly expected: number;
  readonly received: number;
  readonly outstanding: number;
  readonly over?: number;
  readonly label: string;
}) {
  const whole = Math.max(expected, received);
  const inExpected = Math.min(received, expected);
  return (
    <Progress.Root size={18} aria-label={label} data-testid="expected-bar">
      <Progress.Section value={pct(inExpected, whole)} color="green" title={`received ${inExpected}`}>
        <Progress.Label>{inExpected > 0 ? `${inExpected} received` : ''}</Progress.Label>
      </Progress.Section>
      <Progress.Section value={pct(outstanding, whole)} color="orange" title={`outstanding ${outstanding}`}>
        <Progress.Label>{outstanding > 0 ? `${outstanding} outstanding` : ''}</Progress.Label>
      </Progress.Section>
      {over > 0 && (
        <Progress.Section value={pct(over, whole)} color="grape" title={`over ${over}`}>
          <Progress.Label>{`${over} over`}</Progress.Label>
        </Progress.Section>
      )}
    </Progress.Root>
  );
}

type SerialMark = 'received' | 'missing' | 'unexpected' | 'late';

function serialMark(s: DeliverySerialView): SerialMark {
  if (s.late) return 'late';
  if (!s.expected) return 'unexpected';
  return s.received ? 'received' : 'missing';
}

const MARK: Readonly<Record<SerialMark, { sign: string; color: string; text: string }>> = {
  received: { sign: '✓', color: 'green', text: 'received' },
  missing: { sign: '✗', color: 'red', text: 'missing' },
  unexpected: { sign: '!', color: 'orange', text: 'not on the delivery' },
  late: { sign: '◷', color: 'gray', text: 'arrived after the pushback' },
};

function SerialChecklist({ serials }: { readonly serials: readonly DeliverySerialView[] }) {
  if (serials.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No serial numbers on this delivery.
      </Text>
    );
  return (
    <Stack gap={4} data-testid="serial-checklist">
      {serials.map((s) => {
        const mark = serialMark(s);
        const m = MARK[mark];
        return (
          <Group key={`${s.material}:${s.serial}`} gap="xs" wrap="nowrap" data-mark={mark}>
            <Text c={m.color} fw={700} w={16} ta="center" aria-hidden>
              {m.sign}
            </Text>
            <Anchor
              component={Link}
              href={`/serials?serial=${encodeURIComponent(s.serial)}`}
              className="mono"
              size="sm"
            >
              {s.serial}
            </Anchor>
            <Text size="sm" c={m.color}>
              {m.text}
            </Text>
            <Text size="xs" c="dimmed">
              article {s.material}
              {s.position ? `, item ${s.position}` : ''}
              {s.handlingUnit ? `, HU ${s.handlingUnit}` : ''}
              {s.receivedAt ? `, ${fmtDate(s.receivedAt)}` : ''}
            </Text>
          </Group>
        );
      })}
    </Stack>
  );
}

const SOURCE_LABEL: Readonly<Record<string, string>> = {
  handheld: 'handheld scan',
  'goods-movement': 'goods receipt in SAP (MBGMCR03)',
  'wms-confirmation': 'WMS confirmation',
};

interface TimelineEvent {
  readonly at: string;
  readonly key: string;
  readonly node: React.ReactNode;
  readonly color: string;
}

function DeliveryTimeline({ d }: { readonly d: DeliveryAnswer }) {
  const postings = d.pushback?.postings ?? [];
  const messages = useQueries({
    queries: postings.map((p) => ({
      queryKey: ['message', p.messageId],
      queryFn: () => getJson<MessageDetail>(`/api/messages/${p.messageId ?? ''}`),
      enabled: p.messageId !== null,
      refetchInterval: 5_000,
    })),
  });
  const events: TimelineEvent[] = [];
  if (d.delivery.goodsIssueAt)
    events.push({
      at: d.delivery.goodsIssueAt,
      key: 'gi',
      color: 'blue',
      node: (
        <Text size="sm">
          Goods issue at {d.delivery.originSite ?? 'the DC'} — the grace period starts here
        </Text>
      ),
    });
  for (const r of d.receipts)
    events.push({
      at: r.eventAt,
      key: `r:${r.messageId}:${r.line}`,
      color: r.late ? 'gray' : 'green',
      node: (
        <Stack gap={0}>
          <Text size="sm">
            {r.quantity} {r.unit ?? ''} of article {r.material ?? '?'} received
            {r.position ? ` (item ${r.position})` : ''} — {SOURCE_LABEL[r.source] ?? r.source}
            {r.late ? ', after the pushback (not counted)' : ''}
          </Text>
          {r.serials.length > 0 && (
            <Text size="xs" c="dimmed" className="mono">
              {r.serials.join(', ')}
            </Text>
          )}
          <Anchor component={Link} href={`/messages/${r.messageId}`} size="xs">
            message {r.messageId.slice(0, 8)} →
          </Anchor>
        </Stack>
      ),
    });
  if (d.pushback) {
    events.push({
      at: d.pushback.decidedAt,
      key: 'pb',
      color: 'grape',
      node: (
        <Text size="sm">
          Pushback decided: the outstanding quantity goes back
          {d.pushback.completedAt ? ` (completed ${fmtDate(d.pushback.completedAt)})` : ' (in progress)'}
        </Text>
      ),
    });
    postings.forEach((p, i) => {
      const m = messages[i]?.data?.message;
      events.push({
        at: m?.createdAt ?? d.pushback?.decidedAt ?? '',
        key: `p:${p.name}`,
        color:
          m?.status === 'posted'
            ? 'green'
            : m?.status === 'sap-error' || m?.status === 'dead'
              ? 'red'
              : 'grape',
        node: (
          <Group gap="xs" data-testid="pushback-posting">
            <Text size="sm">
              Posting {p.name} ({p.kind})
            </Text>
            {m ? (
              <StatusBadge message={m} />
            ) : (
              <Badge color="gray">{p.messageId ? 'loading' : 'not sent yet'}</Badge>
            )}
            {m?.sapDocument && (
              <Text size="xs" c="dimmed">
                SAP document {m.sapDocument}
              </Text>
            )}
            {p.messageId && (
              <Anchor component={Link} href={`/messages/${p.messageId}`} size="xs">
                message →
              </Anchor>
            )}
          </Group>
        ),
      });
    });
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  if (events.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing received yet.
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="delivery-timeline">
      {events.map((e) => (
        <Timeline.Item
          key={e.key}
          color={e.color}
          title={
            <Text size="xs" c="dimmed">
              {fmtDate(e.at)}
            </Text>
          }
        >
          {e.node}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function dueText(dueAt: string | null | undefined): string {
  if (!dueAt || dueAt >= '9999') return 'no due date (not goods-issued yet)';
  const overdue = new Date(dueAt).getTime() < Date.now();
  return overdue
    ? `due ${fmtDate(dueAt)}, overdue ${fmtAge(dueAt).replace(' ago', '')}`
    : `due ${fmtDate(dueAt)}, ${fmtAge(dueAt).replace('in ', '')} left`;
}

/**
 * The freight-claim packet of a short delivery (GET /api/deliveries/:delivery/claim?format=pdf)
 * as a PDF download: fetched with the session token, saved as claim-<delivery>.pdf.
 */
export function ClaimDownload({ delivery }: { readonly delivery: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <Group gap="xs">
      <Button
        size="xs"
        variant="default"
        data-testid="claim-pdf"
        onClick={() => {
          setError(null);
          getBlob('GET', `/api/deliveries/${encodeURIComponent(delivery)}/claim?format=pdf`)
            .then((blob) => {
              const a = document.createElement('a');
              a.href = URL.createObjectURL(blob);
              a.download = `claim-${delivery}.pdf`;
              a.click();
              URL.revokeObjectURL(a.href);
            })
            .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
        }}
      >
        Freight claim (PDF)
      </Button>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Group>
  );
}

export function DeliveryPicture({ delivery, d }: { readonly delivery: string; readonly d: DeliveryAnswer }) {
  const h = d.delivery;
  return (
    <Stack gap="sm" data-testid="delivery-detail">
      <Group gap="sm">
        <Title order={4}>Delivery {delivery}</Title>
        <DeliveryStateBadge state={h.state} />
        {h.view && h.view !== h.state && <DeliveryStateBadge state={h.view} />}
      </Group>
      <Text size="sm">
        {h.originSite ?? '?'} → {h.destinationSite ?? '?'} · {dueText(h.dueAt)}
        {h.carrier ? ` · carrier ${h.carrier}` : ''}
      </Text>
      <ExpectedBar
        label="delivery total"
        expected={d.totals.expected}
        received={d.totals.received}
        outstanding={d.totals.outstanding}
      />
      <Text size="xs" c="dimmed">
        {d.totals.received} of {d.totals.expected} received, {d.totals.outstanding} outstanding
        {d.totals.unexpectedSerials > 0 ? `, ${d.totals.unexpectedSerials} serials not on the delivery` : ''}
        {d.totals.lateReceipts > 0 ? `, ${d.totals.lateReceipts} late receipts` : ''}
      </Text>
      {d.totals.outstanding > 0 && h.goodsIssueAt && <ClaimDownload delivery={delivery} />}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="sm">
          <Title order={5} mb="xs">
            Items: expected vs received
          </Title>
          <Table fz="sm" verticalSpacing={6} data-testid="delivery-items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Item</Table.Th>
                <Table.Th>Article</Table.Th>
                <Table.Th w="50%">Received / expected</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.items.map((i) => (
                <Table.Tr key={i.position}>
                  <Table.Td className="mono">{i.position}</Table.Td>
                  <Table.Td className="mono">{i.material}</Table.Td>
                  <Table.Td>
                    <ExpectedBar
                      label={`item ${i.position}`}
                      expected={i.expected}
                      received={i.received}
                      outstanding={i.outstanding}
                      over={i.over}
                    />
                    <Text size="xs" c="dimmed">
                      {i.received} of {i.expected} {i.unit}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
        <Paper withBorder p="sm">
          <Title order={5} mb="xs">
            Serials
          </Title>
          <SerialChecklist serials={d.serials} />
        </Paper>
      </SimpleGrid>
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Receipts and pushback
        </Title>
        <DeliveryTimeline d={d} />
      </Paper>
    </Stack>
  );
}

export interface DiscrepancyItem {
  readonly position?: string;
  readonly material?: string;
  readonly unit?: string;
  readonly expected?: number;
  readonly received?: number;
  readonly missing?: number;
  readonly missingSerials?: readonly string[];
}

/** One sentence per item short: "item 10, article 4711: 1 of 2 PCE missing — serials SN-1". */
export function discrepancyLines(items: readonly DiscrepancyItem[] | undefined): string[] {
  return (items ?? [])
    .filter((i) => (i.missing ?? 0) > 0)
    .map(
      (i) =>
        `item ${i.position ?? '?'}, article ${i.material ?? '?'}: ${i.missing} of ${i.expected} ${i.unit ?? ''} missing` +
        (i.missingSerials && i.missingSerials.length > 0 ? ` — serials ${i.missingSerials.join(', ')}` : ''),
    );
}

/** The discrepancy for the freight claim in sentences, one per item short. */
export function DiscrepancySentences({ discrepancy }: { readonly discrepancy: unknown }) {
  const d = discrepancy as {
    readonly missingQuantity?: number;
    readonly resolution?: string;
    readonly createdAt?: string;
    readonly items?: readonly DiscrepancyItem[];
  };
  return (
    <Stack gap={2} data-testid="discrepancy">
      <Text size="sm">
        {d.missingQuantity ?? '?'} missing, recorded {fmtDate(d.createdAt)}
        {d.resolution ? ` (${d.resolution.replaceAll('-', ' ')})` : ''}:
      </Text>
      {discrepancyLines(d.items).map((line) => (
        <Text size="sm" key={line}>
          • {line}
        </Text>
      ))}
    </Stack>
  );
}
