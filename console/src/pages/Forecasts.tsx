/**
 * Forecasts and stock: for an article at a site (or all its sites), the forecast of a run next to
 * the observed demand with the prediction interval (censored zero-stock days marked); the
 * daily / weekly switch shows the run's weekly forecasts (fitted on 7-day buckets from the as-of
 * day) next to the observed weeks; the
 * lead-time distribution per lane (goods issue → first store receipt); the projected stock over
 * the latest forecast with the order-up-to level and the stock-out day. Each as CSV too. Reads
 * /api/forecast-runs, /api/forecast-series, /api/forecasts, /api/demand, /api/lead-times and
 * /api/stock-projection (docs/forecasting.md).
 */
import { useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { errorText, getBlob, getJson, qs } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SvgChart, niceTicks, type Layer } from '../components/SvgChart';

interface RunRow {
  readonly id: number;
  readonly createdAt: string;
  readonly asOf: string;
  readonly historyTo: string;
  readonly horizon: number;
  readonly level: number;
  readonly censored: boolean;
  readonly series: number;
}
interface SeriesRow {
  readonly material: string;
  readonly site: string;
  readonly class: string;
  readonly method: string;
  readonly observedDays: number;
  readonly censoredDays: number;
}
interface ForecastDay {
  readonly day: string;
  readonly mean: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}
interface ActualDay {
  readonly day: string;
  readonly issued: number;
  readonly onHand: number;
  readonly censored: boolean;
}
interface Lane {
  readonly originSite: string;
  readonly destSite: string;
  readonly deliveries: number;
  readonly p50Days: number;
  readonly p90Days: number;
  readonly maxDays: number;
}
interface LeadSample {
  readonly originSite: string;
  readonly destSite: string;
  readonly days: number;
}
interface Signal {
  readonly onHand: number;
  readonly inTransit: number;
  readonly leadTimeDays: number | null;
  readonly coverDays: number;
  readonly orderUpTo: number;
  readonly suggestedOrder: number;
  readonly stockOutDay: string | null;
  readonly overstock: boolean;
  readonly excess: number;
}
interface ProjectionDay {
  readonly day: string;
  readonly mean: number;
  readonly projected: number;
  readonly projectedLow: number;
}

const DAY_MS = 86_400_000;
const dayNo = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayText = (n: number): string => new Date(Math.round(n) * DAY_MS).toISOString().slice(0, 10);
const shortDay = (n: number): string => dayText(n).slice(5);
const addDays = (day: string, n: number): string => dayText(dayNo(day) + n);
const round = (v: number, d = 1): string => String(Math.round(v * 10 ** d) / 10 ** d);

function DownloadCsv(props: { readonly path: string; readonly name: string; readonly label?: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <Group gap="xs">
      <Button
        size="xs"
        variant="default"
        onClick={() => {
          setError(null);
          getBlob('GET', props.path)
            .then((blob) => {
              const a = document.createElement('a');
              a.href = URL.createObjectURL(blob);
              a.download = props.name;
              a.click();
              URL.revokeObjectURL(a.href);
            })
            .catch((e: unknown) => setError(errorText(e)));
        }}
      >
        {props.label ?? 'Download CSV'}
      </Button>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Group>
  );
}

type Grain = 'day' | 'week';

/**
 * The observed demand per 7-day week starting at `weekStart`: the observed days' sum scaled to 7
 * days when at least 4 days were observed (as the weekly model reads a week), else censored.
 */
function observedWeek(
  act: ReadonlyMap<string, ActualDay>,
  weekStart: string,
): { value: number | null; censored: boolean; days: number } {
  let sum = 0;
  let observed = 0;
  let days = 0;
  for (let k = 0; k < 7; k++) {
    const a = act.get(addDays(weekStart, k));
    if (a === undefined) continue;
    days++;
    if (a.censored) continue;
    sum += a.issued;
    observed++;
  }
  if (days === 0) return { value: null, censored: false, days };
  if (observed < 4) return { value: null, censored: true, days };
  return { value: observed === 7 ? sum : (sum * 7) / observed, censored: false, days };
}

/** Forecast of the chosen run over its horizon, the observed days (or weeks) before and during it. */
function ForecastVsActuals(props: {
  readonly run: RunRow;
  readonly series: SeriesRow;
  readonly grain: Grain;
}) {
  const { run, series, grain } = props;
  const step = grain === 'week' ? 7 : 1;
  const horizonDays = grain === 'week' ? Math.ceil(run.horizon / 7) * 7 : run.horizon;
  const from = addDays(run.asOf, -56);
  const to = addDays(run.asOf, horizonDays - 1);
  const yesterday = dayText(Math.floor(Date.now() / DAY_MS) - 1);
  const target = qs({ article: series.material, site: series.site });
  const grainQuery = grain === 'week' ? '&grain=week' : '';
  const fq = useQuery({
    queryKey: ['forecasts', run.id, series.material, series.site, grain],
    queryFn: () => getJson<{ items: ForecastDay[] }>(`/api/forecasts${target}&run=${run.id}${grainQuery}`),
  });
  const demandPath = `/api/demand${target}&from=${from}&to=${to < yesterday ? to : yesterday}`;
  const aq = useQuery({
    queryKey: ['demand', demandPath],
    queryFn: () => getJson<{ items: ActualDay[] }>(demandPath),
  });
  if (fq.error) return <ErrorAlert error={fq.error} what="The forecast API" />;
  if (aq.error) return <ErrorAlert error={aq.error} what="The demand API" />;
  if (!fq.data || !aq.data) return <Text>Loading…</Text>;
  const fc = new Map(fq.data.items.map((f) => [f.day, f]));
  const act = new Map(aq.data.items.map((a) => [a.day, a]));
  const points: string[] = [];
  for (let d = dayNo(from); d <= dayNo(to); d += step) points.push(dayText(d));
  const obs = points.map((d) => {
    if (grain === 'week') return observedWeek(act, d);
    const a = act.get(d);
    return {
      value: a === undefined || a.censored ? null : a.issued,
      censored: a?.censored ?? false,
      days: 1,
    };
  });
  const observed = obs.map((o) => o.value);
  const censored = obs.map((o) => (o.censored ? 0 : null));
  const level = fq.data.items[0]?.level ?? run.level;
  // the horizon's points with an observation (a whole week for weekly): inside the interval? error?
  let n = 0;
  let inside = 0;
  let absErr = 0;
  points.forEach((d, i) => {
    const f = fc.get(d);
    const o = obs[i];
    if (f === undefined || o === undefined || o.value === null || o.days < step) return;
    n++;
    if (o.value >= f.lower && o.value <= f.upper) inside++;
    absErr += Math.abs(o.value - f.mean);
  });
  const unit = grain === 'week' ? 'week' : 'day';
  const layers: Layer[] = [
    {
      kind: 'band',
      id: 'interval',
      label: `${Math.round(level * 100)} % prediction interval`,
      color: '#228be6',
      lower: points.map((d) => fc.get(d)?.lower ?? null),
      upper: points.map((d) => fc.get(d)?.upper ?? null),
    },
    {
      kind: 'line',
      id: 'forecast',
      label: 'forecast (mean)',
      color: '#1864ab',
      values: points.map((d) => fc.get(d)?.mean ?? null),
      dashed: true,
    },
    {
      kind: 'line',
      id: 'actual',
      label: `observed demand per ${unit}`,
      color: '#e8590c',
      values: observed,
      dots: true,
    },
    {
      kind: 'line',
      id: 'censored',
      label: grain === 'week' ? 'censored (fewer than 4 days with stock)' : 'censored (no stock all day)',
      color: '#adb5bd',
      values: censored,
      dots: true,
    },
    { kind: 'vline', id: 'as-of', label: `as of ${run.asOf}`, color: '#495057', x: dayNo(run.asOf) },
  ];
  return (
    <Stack gap="xs">
      <SvgChart
        testId="forecast-chart"
        title={`${series.material} at ${series.site === '*' ? 'all sites' : series.site} — run ${run.id} (as of ${run.asOf})${grain === 'week' ? ', weekly' : ''}`}
        xs={points.map(dayNo)}
        layers={layers}
        xLabel={shortDay}
        yUnit={`units / ${unit}`}
      />
      <Text size="sm" data-testid="forecast-fit">
        {n === 0
          ? `No observed ${unit}s in the forecast horizon yet.`
          : `${inside} of ${n} observed ${unit}s in the horizon inside the ${Math.round(level * 100)} % interval; mean absolute error ${round(absErr / n, 2)} units/${unit}.`}{' '}
        Class {series.class}, method {series.method}; {series.censoredDays} censored {unit}s in the history.
      </Text>
      <Group gap="xs">
        <DownloadCsv
          path={`/api/forecasts${target}&run=${run.id}${grainQuery}&format=csv`}
          name={grain === 'week' ? 'forecasts-weekly.csv' : 'forecasts.csv'}
          label="Forecast CSV"
        />
        <DownloadCsv path={`${demandPath}&format=csv`} name="demand.csv" label="Observed demand CSV" />
      </Group>
    </Stack>
  );
}

function LeadTimes() {
  const q = useQuery({
    queryKey: ['lead-times'],
    queryFn: () => getJson<{ items: Lane[]; samples: LeadSample[] }>('/api/lead-times'),
  });
  const [lane, setLane] = useState<string | null>(null);
  if (q.error) return <ErrorAlert error={q.error} what="The lead-time API" />;
  if (!q.data) return <Text>Loading…</Text>;
  const lanes = q.data.items;
  if (lanes.length === 0)
    return <Alert color="gray">No delivery with a goods issue and a store receipt yet.</Alert>;
  const key = (l: { originSite: string; destSite: string }): string => `${l.originSite} → ${l.destSite}`;
  const chosen = lanes.find((l) => key(l) === lane) ?? lanes[0]!;
  const days = q.data.samples.filter((s) => key(s) === key(chosen)).map((s) => s.days);
  const max = Math.max(...days, 1);
  const width = Math.max(0.25, (niceTicks(0, max, 12)[1] ?? 1) - (niceTicks(0, max, 12)[0] ?? 0));
  const buckets = Math.floor(max / width) + 1;
  const counts = new Array<number>(buckets).fill(0);
  for (const d of days) counts[Math.min(buckets - 1, Math.floor(d / width))]! += 1;
  return (
    <Stack gap="xs">
      <Table striped withTableBorder data-testid="lead-time-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>lane</Table.Th>
            <Table.Th>deliveries</Table.Th>
            <Table.Th>p50 days</Table.Th>
            <Table.Th>p90 days</Table.Th>
            <Table.Th>max days</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lanes.map((l) => (
            <Table.Tr key={key(l)} onClick={() => setLane(key(l))} style={{ cursor: 'pointer' }}>
              <Table.Td>{key(l)}</Table.Td>
              <Table.Td>{l.deliveries}</Table.Td>
              <Table.Td>{round(l.p50Days, 2)}</Table.Td>
              <Table.Td>{round(l.p90Days, 2)}</Table.Td>
              <Table.Td>{round(l.maxDays, 2)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <SvgChart
        testId="lead-time-chart"
        title={`Lead time ${key(chosen)}: deliveries per ${width}-day bucket`}
        xs={counts.map((_, i) => (i + 0.5) * width)}
        barWidth={width}
        layers={[
          { kind: 'bars', id: 'deliveries', label: 'deliveries', color: '#2f9e44', values: counts },
          {
            kind: 'vline',
            id: 'p50',
            label: `p50 ${round(chosen.p50Days, 2)} d`,
            color: '#1864ab',
            x: chosen.p50Days,
          },
          {
            kind: 'vline',
            id: 'p90',
            label: `p90 ${round(chosen.p90Days, 2)} d`,
            color: '#c92a2a',
            x: chosen.p90Days,
          },
        ]}
        xLabel={(x) => `${round(x, 2)} d`}
        yUnit="deliveries"
        height={220}
      />
      <DownloadCsv path="/api/lead-times?format=csv" name="lead-times.csv" />
    </Stack>
  );
}

function StockProjection(props: { readonly series: SeriesRow }) {
  const { series } = props;
  const path = `/api/stock-projection${qs({ article: series.material, site: series.site })}`;
  const q = useQuery({
    queryKey: ['stock-projection', path],
    queryFn: () => getJson<{ signal: Signal; items: ProjectionDay[] }>(path),
    enabled: series.site !== '*',
  });
  if (series.site === '*') return <Alert color="gray">Pick one site: stock is projected per site.</Alert>;
  if (q.error) return <ErrorAlert error={q.error} what="The stock-projection API" />;
  if (!q.data) return <Text>Loading…</Text>;
  const { signal, items } = q.data;
  const layers: Layer[] = [
    {
      kind: 'line',
      id: 'projected',
      label: 'projected stock (mean demand)',
      color: '#1864ab',
      values: items.map((d) => d.projected),
    },
    {
      kind: 'line',
      id: 'projected-low',
      label: 'projected stock, 95 % demand',
      color: '#c92a2a',
      values: items.map((d) => d.projectedLow),
      dashed: true,
    },
    {
      kind: 'hline',
      id: 'order-up-to',
      label: `order-up-to level ${signal.orderUpTo}`,
      color: '#2f9e44',
      y: signal.orderUpTo,
    },
    { kind: 'hline', id: 'zero', label: 'stock-out (0)', color: '#495057', y: 0 },
  ];
  if (signal.stockOutDay !== null)
    layers.push({
      kind: 'vline',
      id: 'stock-out',
      label: `stock-out ${signal.stockOutDay}`,
      color: '#e8590c',
      x: dayNo(signal.stockOutDay),
    });
  return (
    <Stack gap="xs">
      <SvgChart
        testId="projection-chart"
        title={`Projected stock of ${series.material} at ${series.site}`}
        xs={items.map((d) => dayNo(d.day))}
        layers={layers}
        xLabel={shortDay}
        yUnit="units"
      />
      <Text size="sm" data-testid="projection-summary">
        On hand {signal.onHand}, in transit {signal.inTransit}; lead time{' '}
        {signal.leadTimeDays === null
          ? 'not measured (2 days assumed)'
          : `${round(signal.leadTimeDays, 2)} days (p90)`}
        ; order-up-to {signal.orderUpTo} over {signal.coverDays} days; suggested order {signal.suggestedOrder}
        ;{' '}
        {signal.stockOutDay === null
          ? 'no stock-out within the horizon'
          : `stock-out projected on ${signal.stockOutDay}`}
        {signal.overstock ? `; overstocked by ${signal.excess}` : ''}.
      </Text>
      <DownloadCsv path={`${path}&format=csv`} name="stock-projection.csv" />
    </Stack>
  );
}

export function ForecastsPage() {
  const runs = useQuery({
    queryKey: ['forecast-runs'],
    queryFn: () => getJson<{ items: RunRow[] }>('/api/forecast-runs'),
  });
  const [runId, setRunId] = useState<string | null>(null);
  const [grain, setGrain] = useState<Grain>('day');
  const run = runs.data?.items.find((r) => String(r.id) === runId) ?? runs.data?.items[0];
  const series = useQuery({
    queryKey: ['forecast-series', run?.id, grain],
    queryFn: () =>
      getJson<{ items: SeriesRow[] }>(`/api/forecast-series?run=${run?.id ?? ''}&grain=${grain}`),
    enabled: run !== undefined,
  });
  const [seriesKey, setSeriesKey] = useState<string | null>(null);
  const options = useMemo(
    () =>
      (series.data?.items ?? []).map((s) => ({
        value: `${s.material}\u0000${s.site}`,
        label: `${s.material} @ ${s.site === '*' ? 'all sites' : s.site} (${s.class})`,
      })),
    [series.data],
  );
  const chosen =
    series.data?.items.find((s) => `${s.material}\u0000${s.site}` === seriesKey) ??
    series.data?.items.find((s) => s.site !== '*');
  return (
    <Stack>
      <Title order={3}>Forecasts &amp; stock</Title>
      {runs.error && <ErrorAlert error={runs.error} what="The forecast API" />}
      {runs.data && runs.data.items.length === 0 && (
        <Alert color="gray">
          No forecast run yet: run `idocgate forecast run` or enable the scheduled job.
        </Alert>
      )}
      {run && (
        <Paper withBorder p="sm">
          <Group align="end">
            <Select
              size="xs"
              w={360}
              label="Forecast run"
              data-testid="run-select"
              value={String(run.id)}
              onChange={setRunId}
              data={(runs.data?.items ?? []).map((r) => ({
                value: String(r.id),
                label: `#${r.id} as of ${r.asOf} (${r.horizon} days, ${r.censored ? 'censored' : 'not censored'})`,
              }))}
              allowDeselect={false}
            />
            <Select
              size="xs"
              w={300}
              label="Article @ site"
              data-testid="series-select"
              searchable
              value={chosen ? `${chosen.material}\u0000${chosen.site}` : null}
              onChange={setSeriesKey}
              data={options}
              allowDeselect={false}
            />
            <SegmentedControl
              size="xs"
              data-testid="grain-switch"
              value={grain}
              onChange={(v) => setGrain(v === 'week' ? 'week' : 'day')}
              data={[
                { value: 'day', label: 'Daily' },
                { value: 'week', label: 'Weekly' },
              ]}
            />
          </Group>
        </Paper>
      )}
      <Tabs defaultValue="forecast" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="forecast">Forecast vs actuals</Tabs.Tab>
          <Tabs.Tab value="lead-times">Lead times</Tabs.Tab>
          <Tabs.Tab value="projection">Stock projection</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="forecast" pt="sm">
          {run && chosen ? (
            <ForecastVsActuals run={run} series={chosen} grain={grain} />
          ) : (
            <Text>No series.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="lead-times" pt="sm">
          <LeadTimes />
        </Tabs.Panel>
        <Tabs.Panel value="projection" pt="sm">
          {chosen ? (
            <>
              <Text size="xs" c="dimmed" mb="xs">
                Over the latest run, with the stock the serial ledger sees now.
              </Text>
              <StockProjection series={chosen} />
            </>
          ) : (
            <Text>No series.</Text>
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
