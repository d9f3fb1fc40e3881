/**
 * Deliveries and pushback: expected deliveries by state (open, partially received, overdue with
 * the time left in the grace period, pushed back, closed), expected vs received per item and
 * serial for one delivery, and the discrepancy list. Reads the delivery ledger API.
 */
import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from 'wouter';
import { errorText, getJson, postJson, qs } from '../api';
import { useIsOperator } from '../session';
import { ErrorAlert } from '../components/ErrorAlert';
import { arrayOf, RecordTable } from '../components/RecordTable';
import { fmtAge, fmtDate } from '../format';
import {
  DELIVERY_STATE_LABEL,
  DeliveryPicture,
  DeliveryStateBadge,
  DiscrepancySentences,
  discrepancyLines,
  type DeliveryAnswer,
  type DiscrepancyItem,
} from '../components/DeliveryPicture';

const VIEWS = ['open', 'partially-received', 'overdue', 'pushed-back', 'closed'] as const;
interface DeliveryRow {
  readonly delivery: string;
  readonly view?: string;
  readonly state?: string;
  readonly originSite?: string;
  readonly destinationSite?: string;
  readonly goodsIssueAt?: string;
  readonly dueAt?: string;
  readonly expected?: number;
  readonly received?: number;
  readonly outstanding?: number;
  readonly unexpectedSerials?: number;
  readonly updatedAt?: string;
}

/** A delivery in transit as GET /api/deliveries/at-risk scores it (as of its goods issue). */
interface RiskRow {
  readonly delivery: string;
  readonly probability: number;
  readonly atRisk: boolean;
  readonly reasons: readonly {
    readonly feature: string;
    readonly value: number;
    readonly contribution: number;
  }[];
}
interface RiskAnswer {
  readonly threshold: number;
  readonly modelVersion: number | null;
  readonly deliveries: readonly RiskRow[];
}

/** The model's reason codes in words (src/intelligence/risk/features.ts). */
const REASON_WORDS: Readonly<Record<string, string>> = {
  lane_partial_rate: 'lane often short',
  dc_partial_rate: 'DC often short',
  store_partial_rate: 'store often short',
  lane_history: 'lane history',
  lane_expected_hu_loss: 'HUs lost on this lane',
  store_scan_loss_rate: 'store mis-scans',
  dc_shortfall_rate: 'DC short picks',
  log_quantity: 'large quantity',
  lines: 'many lines',
  handling_units: 'many HUs',
  loose_share: 'loose units',
  pick_to_issue_hours: 'pick-to-issue gap',
  rushed_pick: 'rushed pick',
  dc_reported_serials: 'DC reported serials',
  dc_confirmed_shortfall: 'DC confirmed short',
  carrier_partial_rate: 'carrier often short',
  carrier_expected_hu_loss: 'HUs lost by this carrier',
  carrier_history: 'carrier history',
};

function RiskCell({ risk, threshold }: { readonly risk: RiskRow | undefined; readonly threshold: number }) {
  if (risk === undefined)
    return (
      <Text span size="xs" c="dimmed">
        —
      </Text>
    );
  return (
    <Stack gap={0} data-testid="risk-cell" data-risk={risk.atRisk ? 'at-risk' : 'ok'}>
      <Badge
        size="sm"
        variant={risk.atRisk ? 'filled' : 'light'}
        color={risk.atRisk ? 'red' : risk.probability >= threshold / 2 ? 'orange' : 'gray'}
      >
        {Math.round(risk.probability * 100)} %
      </Badge>
      {risk.reasons.length > 0 && (
        <Text span size="xs" c="dimmed" data-testid="risk-reasons">
          {risk.reasons.map((r) => REASON_WORDS[r.feature] ?? r.feature).join(', ')}
        </Text>
      )}
    </Stack>
  );
}

function DeliveryDetail({ delivery }: { readonly delivery: string }) {
  const q = useQuery({
    queryKey: ['delivery', delivery],
    queryFn: () => getJson<DeliveryAnswer>(`/api/deliveries/${encodeURIComponent(delivery)}`),
    refetchInterval: 5_000,
  });
  if (q.error) return <ErrorAlert error={q.error} what="The delivery ledger API" />;
  if (!q.data) return <Text>Loading…</Text>;
  const d = q.data;
  return (
    <Stack gap="xs">
      <DeliveryPicture delivery={delivery} d={d} />
      {d.discrepancy !== null && d.discrepancy !== undefined && (
        <>
          <Text size="sm" fw={500} c="red">
            Discrepancy (for the freight claim)
          </Text>
          <DiscrepancySentences discrepancy={d.discrepancy} />
        </>
      )}
      <Anchor
        component={Link}
        href={`/messages?keyKind=delivery&key=${encodeURIComponent(delivery)}`}
        size="sm"
      >
        Messages of this delivery →
      </Anchor>
    </Stack>
  );
}

function Sweeper() {
  const operator = useIsOperator();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const preview = useQuery({
    queryKey: ['sweeper-preview'],
    queryFn: () => getJson<unknown>('/api/sweeper/preview'),
  });
  const status = useQuery({
    queryKey: ['sweeper-status'],
    queryFn: () => getJson<{ enabled: boolean; schedule: string | null }>('/api/sweeper/status'),
  });
  const enabled = status.data?.enabled === true;
  const runs = useQuery({
    queryKey: ['sweeper-runs'],
    queryFn: () => getJson<unknown>('/api/sweeper/runs?limit=10'),
  });
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Pushback sweeper</Title>
        {status.data && (
          <Text size="sm" c="dimmed" data-testid="sweeper-status">
            {enabled
              ? `enabled, runs on schedule ${status.data.schedule ?? '?'}`
              : 'not enabled on this gateway (config sweeper.enabled)'}
          </Text>
        )}
        {operator && enabled && (
          <Button
            size="xs"
            color="orange"
            variant="light"
            onClick={() => {
              setError(null);
              postJson('/api/sweeper/run')
                .then(() => queryClient.invalidateQueries({ queryKey: ['sweeper-runs'] }))
                .catch((e: unknown) => setError(errorText(e)));
            }}
          >
            Run sweeper now
          </Button>
        )}
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {preview.error ? (
        <ErrorAlert error={preview.error} what="The pushback sweeper" />
      ) : (
        <>
          <Text size="sm">Next run would push back (dry run)</Text>
          <PreviewTable previews={arrayOf(preview.data, 'previews') as readonly SweepPreview[]} />
          <Text size="sm" mt="xs">
            Likely to need a pushback (in transit, at risk)
          </Text>
          <RecordTable
            rows={(
              (preview.data as { atRisk?: { deliveries?: RiskRow[] } } | undefined)?.atRisk?.deliveries ?? []
            ).map((d) => ({
              delivery: d.delivery,
              risk: `${Math.round(d.probability * 100)} %`,
              why: d.reasons.map((r) => REASON_WORDS[r.feature] ?? r.feature).join(', '),
            }))}
            empty="No delivery in transit is at risk."
            testId="sweeper-at-risk"
          />
        </>
      )}
      {!runs.error && (
        <>
          <Text size="sm" mt="xs">
            Last runs
          </Text>
          <RunsTable runs={arrayOf(runs.data, 'runs', 'items') as readonly SweeperRun[]} />
        </>
      )}
    </Paper>
  );
}

/** A table with plain headers, or a dimmed line when there are no rows. */
function PlainTable(props: {
  readonly headers: readonly string[];
  readonly empty: string;
  readonly testId: string;
  readonly children: React.ReactNode[];
}) {
  if (props.children.length === 0)
    return (
      <Text c="dimmed" size="sm">
        {props.empty}
      </Text>
    );
  return (
    <Table striped fz="sm" verticalSpacing={3} data-testid={props.testId}>
      <Table.Thead>
        <Table.Tr>
          {props.headers.map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>{props.children}</Table.Tbody>
    </Table>
  );
}

/** One delivery the next run would push back (`previews` of GET /api/sweeper/preview). */
interface SweepPreview {
  readonly delivery?: string;
  readonly originSite?: string;
  readonly destinationSite?: string;
  readonly dueAt?: string;
  readonly outstanding?: number;
  readonly missingSerials?: number;
  readonly steps?: readonly { readonly name?: string; readonly kind?: string }[];
}

/** The sweeper's dry run: what the next run would post, per delivery. */
function PreviewTable({ previews }: { readonly previews: readonly SweepPreview[] }) {
  return (
    <PlainTable
      headers={['Delivery', 'From → to', 'Due', 'Outstanding', 'Missing serials', 'Would post']}
      empty="Nothing is overdue."
      testId="sweeper-preview"
    >
      {previews.map((p, i) => (
        <Table.Tr key={p.delivery ?? i}>
          <Table.Td className="mono">{p.delivery ?? '?'}</Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            {p.originSite ?? '?'} → {p.destinationSite ?? '?'}
          </Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>{fmtDate(p.dueAt)}</Table.Td>
          <Table.Td>{p.outstanding ?? ''}</Table.Td>
          <Table.Td>{p.missingSerials ?? ''}</Table.Td>
          <Table.Td>
            {(p.steps ?? []).length} posting(s):{' '}
            {(p.steps ?? []).map((s) => s.name ?? s.kind ?? '?').join(', ')}
          </Table.Td>
        </Table.Tr>
      ))}
    </PlainTable>
  );
}

interface SweeperRun {
  readonly id?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string | null;
  readonly outcome?: string;
  readonly scanned?: number;
  readonly pushedBack?: number;
  readonly postings?: number;
  readonly closed?: number;
  readonly error?: string | null;
}

/** The sweeper's last runs with plain headers. */
function RunsTable({ runs }: { readonly runs: readonly SweeperRun[] }) {
  return (
    <PlainTable
      headers={[
        'Started',
        'Finished',
        'Outcome',
        'Deliveries looked at',
        'Pushed back',
        'Postings',
        'Closed',
        'Error',
      ]}
      empty="No run yet."
      testId="sweeper-runs"
    >
      {runs.map((r, i) => (
        <Table.Tr key={r.id ?? i}>
          <Table.Td>{fmtDate(r.startedAt)}</Table.Td>
          <Table.Td>{r.finishedAt ? fmtDate(r.finishedAt) : 'running'}</Table.Td>
          <Table.Td>{r.outcome ?? ''}</Table.Td>
          <Table.Td>{r.scanned ?? ''}</Table.Td>
          <Table.Td>{r.pushedBack ?? ''}</Table.Td>
          <Table.Td>{r.postings ?? ''}</Table.Td>
          <Table.Td>{r.closed ?? ''}</Table.Td>
          <Table.Td>{r.error ?? ''}</Table.Td>
        </Table.Tr>
      ))}
    </PlainTable>
  );
}

interface DiscrepancyRow {
  readonly id?: number;
  readonly delivery?: string;
  readonly originSite?: string | null;
  readonly destinationSite?: string | null;
  readonly missingQuantity?: number;
  readonly items?: readonly DiscrepancyItem[];
  readonly resolution?: string;
  readonly createdAt?: string;
}

/** The freight-claim list: per delivery its route, what is missing in sentences, the resolution. */
function DiscrepancyTable(props: {
  readonly rows: readonly DiscrepancyRow[];
  readonly onOpen: (delivery: string) => void;
}) {
  return (
    <PlainTable
      headers={['Delivery', 'From → to', 'Missing', 'What is missing', 'Resolution', 'Recorded']}
      empty="No discrepancies."
      testId="discrepancies"
    >
      {props.rows.map((r, i) => (
        <Table.Tr key={r.id ?? i}>
          <Table.Td className="mono">
            {r.delivery ? (
              <Anchor size="sm" onClick={() => props.onOpen(r.delivery ?? '')}>
                {r.delivery}
              </Anchor>
            ) : (
              '?'
            )}
          </Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>
            {r.originSite ?? '?'} → {r.destinationSite ?? '?'}
          </Table.Td>
          <Table.Td>{r.missingQuantity ?? ''}</Table.Td>
          <Table.Td>
            {discrepancyLines(r.items).map((line) => (
              <Text size="sm" key={line}>
                {line}
              </Text>
            ))}
          </Table.Td>
          <Table.Td>{r.resolution?.replaceAll('-', ' ') ?? ''}</Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>{fmtDate(r.createdAt)}</Table.Td>
        </Table.Tr>
      ))}
    </PlainTable>
  );
}

export function DeliveriesPage() {
  const [view, setView] = useState<string>('open');
  const [site, setSite] = useState('');
  // `/deliveries?delivery=N` (the demo banner, links) opens delivery N's picture
  const [selected, setSelected] = useState<string | null>(new URLSearchParams(useSearch()).get('delivery'));
  const [atRiskOnly, setAtRiskOnly] = useState(false);
  const risk = useQuery({
    queryKey: ['deliveries-at-risk'],
    queryFn: () => getJson<RiskAnswer>('/api/deliveries/at-risk'),
    refetchInterval: 30_000,
  });
  const riskOf = new Map((risk.data?.deliveries ?? []).map((r) => [r.delivery, r]));
  const threshold = risk.data?.threshold ?? 0.3;
  const list = useQuery({
    queryKey: ['deliveries', view, site],
    queryFn: () => getJson<unknown>(`/api/deliveries${qs({ state: view, site, limit: 200 })}`),
    refetchInterval: 10_000,
  });
  const discrepancies = useQuery({
    queryKey: ['discrepancies'],
    queryFn: () => getJson<unknown>('/api/discrepancies?limit=200'),
    refetchInterval: 30_000,
  });
  const all = arrayOf(list.data, 'items', 'deliveries') as DeliveryRow[];
  const rows = atRiskOnly ? all.filter((r) => riskOf.get(r.delivery)?.atRisk === true) : all;
  const counts = ((list.data as { counts?: Record<string, number> } | undefined)?.counts ?? {}) as Record<
    string,
    number
  >;
  return (
    <Stack>
      <Title order={3}>Deliveries & pushback</Title>
      <Group>
        <SegmentedControl
          value={view}
          onChange={setView}
          data={VIEWS.map((v) => {
            const label = DELIVERY_STATE_LABEL[v] ?? v;
            return { value: v, label: counts[v] !== undefined ? `${label} (${counts[v]})` : label };
          })}
          size="xs"
        />
        <TextInput
          size="xs"
          placeholder="destination site"
          value={site}
          onChange={(e) => setSite(e.currentTarget.value)}
        />
        <Checkbox
          size="xs"
          label={`at risk only (score ≥ ${Math.round(threshold * 100)} %)`}
          checked={atRiskOnly}
          onChange={(e) => setAtRiskOnly(e.currentTarget.checked)}
          data-testid="at-risk-only"
        />
        {risk.data?.modelVersion === null && (
          <Text size="xs" c="dimmed">
            no at-risk model trained yet (idocgate models train)
          </Text>
        )}
      </Group>
      {list.error ? (
        <ErrorAlert error={list.error} what="The delivery ledger API" />
      ) : (
        <Table striped highlightOnHover fz="sm" data-testid="deliveries-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Delivery</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>From → to</Table.Th>
              <Table.Th>Goods issue</Table.Th>
              <Table.Th>Due (grace period)</Table.Th>
              <Table.Th>Expected</Table.Th>
              <Table.Th>Received</Table.Th>
              <Table.Th>Outstanding</Table.Th>
              <Table.Th>Unexpected serials</Table.Th>
              <Table.Th>Risk of a partial receipt</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.delivery} className="clickable" onClick={() => setSelected(r.delivery)}>
                <Table.Td className="mono">{r.delivery}</Table.Td>
                <Table.Td>
                  <DeliveryStateBadge state={r.view ?? r.state} />
                </Table.Td>
                <Table.Td>
                  {r.originSite} → {r.destinationSite}
                </Table.Td>
                <Table.Td>{fmtDate(r.goodsIssueAt)}</Table.Td>
                <Table.Td>
                  {r.dueAt && r.dueAt < '9999' ? (
                    <>
                      {fmtDate(r.dueAt)}{' '}
                      <Text span size="xs" c={new Date(r.dueAt).getTime() < Date.now() ? 'red' : 'dimmed'}>
                        (
                        {new Date(r.dueAt).getTime() < Date.now()
                          ? `overdue ${fmtAge(r.dueAt).replace(' ago', '')}`
                          : `${fmtAge(r.dueAt).replace('in ', '')} left`}
                        )
                      </Text>
                    </>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>{r.expected}</Table.Td>
                <Table.Td>{r.received}</Table.Td>
                <Table.Td>{r.outstanding}</Table.Td>
                <Table.Td>{r.unexpectedSerials}</Table.Td>
                <Table.Td>
                  <RiskCell risk={riskOf.get(r.delivery)} threshold={threshold} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {list.data !== undefined && rows.length === 0 && (
        <Text c="dimmed">
          No {atRiskOnly ? 'at-risk ' : ''}
          {DELIVERY_STATE_LABEL[view] ?? view} deliveries.
        </Text>
      )}
      {selected && (
        <Paper withBorder p="sm">
          <DeliveryDetail delivery={selected} />
        </Paper>
      )}
      <Sweeper />
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Discrepancies
        </Title>
        {discrepancies.error ? (
          <ErrorAlert error={discrepancies.error} what="The discrepancy list" />
        ) : (
          <DiscrepancyTable
            rows={arrayOf(discrepancies.data, 'items', 'discrepancies') as readonly DiscrepancyRow[]}
            onOpen={setSelected}
          />
        )}
      </Paper>
    </Stack>
  );
}
