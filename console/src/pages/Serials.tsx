/**
 * Serials: look up a serial's state and history; run a recall (by delivery, handling unit, list or
 * range) and download it as CSV or as EPCIS 2.0 (the recalled serials' events); anomaly alerts with their evidence, to acknowledge or close.
 */
import { useState } from 'react';
import { useSearch } from 'wouter';
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText, getBlob, getJson, postJson, qs } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { arrayOf } from '../components/RecordTable';
import { useIsOperator } from '../session';
import {
  EvidenceSentences,
  MOVEMENT_LABEL,
  SerialJourney,
  SerialStateBadge,
  type SerialAnswer,
} from '../components/SerialJourney';
import { fmtDate } from '../format';
import { ruleLabel } from '../rules';

interface RecallRowView {
  readonly material: string;
  readonly serial: string;
  readonly state: string | null;
  readonly site: string | null;
  readonly sloc: string | null;
  readonly partner: string | null;
  readonly delivery: string | null;
  readonly handlingUnit: string | null;
  readonly lastMovement: string | null;
  readonly lastEventAt: string | null;
  readonly lastMessageId: string | null;
}

/** Recall results with human headers; a serial the ledger does not know says so. */
function RecallTable({ rows }: { readonly rows: readonly RecallRowView[] }) {
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        The recall found no serial.
      </Text>
    );
  return (
    <Table striped fz="sm" data-testid="recall-rows">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Article</Table.Th>
          <Table.Th>Serial number</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th>Where</Table.Th>
          <Table.Th>Delivery</Table.Th>
          <Table.Th>Handling unit</Table.Th>
          <Table.Th>Last movement</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={`${r.material}:${r.serial}`}>
            <Table.Td className="mono">{r.material}</Table.Td>
            <Table.Td className="mono">{r.serial}</Table.Td>
            <Table.Td>
              {r.state ? <SerialStateBadge state={r.state} /> : <Text size="sm">not in the ledger</Text>}
            </Table.Td>
            <Table.Td>
              {[r.site && `${r.site}${r.sloc ? `/${r.sloc}` : ''}`, r.partner && `partner ${r.partner}`]
                .filter(Boolean)
                .join(', ') || '—'}
            </Table.Td>
            <Table.Td className="mono">{r.delivery ?? '—'}</Table.Td>
            <Table.Td className="mono">{r.handlingUnit ?? '—'}</Table.Td>
            <Table.Td>
              {r.lastMovement
                ? `${MOVEMENT_LABEL[r.lastMovement] ?? r.lastMovement}, ${fmtDate(r.lastEventAt)}`
                : '—'}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function SerialLookup() {
  // `/serials?serial=X` (the links of a delivery's checklist, the demo banner) opens X's journey
  const linked = new URLSearchParams(useSearch()).get('serial') ?? '';
  const [serial, setSerial] = useState(linked);
  const [material, setMaterial] = useState('');
  const [asked, setAsked] = useState<{ serial: string; material: string } | null>(
    linked ? { serial: linked, material: '' } : null,
  );
  const q = useQuery({
    queryKey: ['serial', asked],
    queryFn: () =>
      getJson<SerialAnswer>(
        `/api/serials/${encodeURIComponent(asked?.serial ?? '')}${qs({ material: asked?.material })}`,
      ),
    enabled: asked !== null,
  });
  return (
    <Paper withBorder p="sm">
      <Title order={5} mb="xs">
        Where is serial…
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ serial: serial.trim(), material: material.trim() });
        }}
      >
        <Group align="flex-end">
          <TextInput
            size="xs"
            label="Serial number"
            value={serial}
            onChange={(e) => setSerial(e.currentTarget.value)}
            required
          />
          <TextInput
            size="xs"
            label="Material (when ambiguous)"
            value={material}
            onChange={(e) => setMaterial(e.currentTarget.value)}
          />
          <Button size="xs" type="submit">
            Look up
          </Button>
        </Group>
      </form>
      {q.error && <ErrorAlert error={q.error} what="The serial ledger API" />}
      {q.data && <SerialJourney answer={q.data} />}
    </Paper>
  );
}

function Recall() {
  const [by, setBy] = useState('delivery');
  const [value, setValue] = useState('');
  const [to, setTo] = useState('');
  const [material, setMaterial] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<unknown>(null);
  const body = () => {
    const m = material.trim() ? { material: material.trim() } : {};
    if (by === 'delivery') return { ...m, delivery: value.trim() };
    if (by === 'handlingUnit') return { ...m, handlingUnit: value.trim() };
    if (by === 'range') return { ...m, range: { from: value.trim(), to: to.trim() } };
    return { ...m, serials: value.split(/[\s,;]+/).filter((s) => s !== '') };
  };
  const download = (format: 'csv' | 'epcis', name: string) => {
    setError(null);
    getBlob('POST', `/api/serials/recall?format=${format}`, body())
      .then((blob) => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = name;
        a.click();
        URL.revokeObjectURL(a.href);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  return (
    <Paper withBorder p="sm">
      <Title order={5} mb="xs">
        Recall
      </Title>
      <Stack gap="xs">
        <SegmentedControl
          size="xs"
          value={by}
          onChange={setBy}
          data={[
            { value: 'delivery', label: 'by delivery' },
            { value: 'handlingUnit', label: 'by handling unit' },
            { value: 'serials', label: 'by serial list' },
            { value: 'range', label: 'by serial range' },
          ]}
          w={520}
        />
        <Group align="flex-end">
          {(by === 'serials' || by === 'range') && (
            <TextInput
              size="xs"
              label="Material"
              value={material}
              onChange={(e) => setMaterial(e.currentTarget.value)}
            />
          )}
          {by === 'serials' ? (
            <Textarea
              size="xs"
              label="Serials (one per line)"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              autosize
              minRows={2}
              w={300}
            />
          ) : (
            <TextInput
              size="xs"
              label={by === 'range' ? 'From serial' : by === 'delivery' ? 'Delivery' : 'Handling unit'}
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
            />
          )}
          {by === 'range' && (
            <TextInput
              size="xs"
              label="To serial"
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
            />
          )}
          <Button
            size="xs"
            onClick={() => {
              setError(null);
              postJson<unknown>('/api/serials/recall', body())
                .then(setResult)
                .catch((e: unknown) => setError(errorText(e)));
            }}
          >
            Run recall
          </Button>
          <Button size="xs" variant="default" onClick={() => download('csv', 'recall.csv')}>
            Download CSV
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => download('epcis', 'recall.epcis.jsonld')}
            title="The recalled serials' events (chain of custody) as an EPCIS 2.0 JSON-LD document"
          >
            Download EPCIS 2.0
          </Button>
        </Group>
        {error && <Alert color="red">{error}</Alert>}
        {result !== null && (
          <RecallTable rows={arrayOf(result, 'rows', 'items') as unknown as RecallRowView[]} />
        )}
      </Stack>
    </Paper>
  );
}

interface AlertRow {
  readonly id: number;
  readonly rule: string;
  readonly severity: string;
  readonly state: string;
  readonly material: string;
  readonly serial: string;
  readonly summary: string;
  readonly evidence: unknown;
  readonly detectedAt: string;
  readonly acknowledgedBy: string | null;
  readonly closedBy: string | null;
  readonly note: string | null;
}

function Alerts() {
  const operator = useIsOperator();
  const queryClient = useQueryClient();
  const [state, setState] = useState('open');
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['alerts', state],
    queryFn: () => getJson<{ items: AlertRow[] }>(`/api/serials/alerts${qs({ state, limit: 200 })}`),
    refetchInterval: 15_000,
  });
  const act = (id: number, action: 'acknowledge' | 'close') => {
    const note = window.prompt(`Note for ${action} (optional)`) ?? undefined;
    postJson(`/api/serials/alerts/${id}/${action}`, note ? { note } : {})
      .then(() => queryClient.invalidateQueries({ queryKey: ['alerts'] }))
      .catch((e: unknown) => setError(errorText(e)));
  };
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb="xs">
        <Title order={5}>Anomaly alerts</Title>
        <SegmentedControl
          size="xs"
          value={state}
          onChange={setState}
          data={['open', 'acknowledged', 'closed']}
        />
      </Group>
      {q.error && <ErrorAlert error={q.error} what="The serial alerts API" />}
      {error && <Alert color="red">{error}</Alert>}
      <Stack gap="xs">
        {q.data && q.data.items.length === 0 && (
          <Text c="dimmed" size="sm">
            No {state} alerts.
          </Text>
        )}
        {q.data?.items.map((a) => (
          <Paper key={a.id} withBorder p="xs">
            <Group justify="space-between">
              <Group gap={6}>
                <Badge color={a.severity === 'critical' || a.severity === 'high' ? 'red' : 'yellow'}>
                  {a.severity}
                </Badge>
                <Text
                  size="xs"
                  c="dimmed"
                  title={ruleLabel(a.rule).description}
                  data-testid="alert-rule"
                  data-rule={a.rule}
                >
                  {ruleLabel(a.rule).label}
                </Text>
                <Text size="sm" fw={500}>
                  {a.material} / {a.serial}
                </Text>
                <Text size="sm">{a.summary}</Text>
              </Group>
              {operator && a.state !== 'closed' && (
                <Group gap={4}>
                  {a.state === 'open' && (
                    <Button size="xs" variant="default" onClick={() => act(a.id, 'acknowledge')}>
                      Acknowledge
                    </Button>
                  )}
                  <Button size="xs" variant="light" onClick={() => act(a.id, 'close')}>
                    Close
                  </Button>
                </Group>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              detected {fmtDate(a.detectedAt)}
              {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ''}
              {a.closedBy ? ` · closed by ${a.closedBy}` : ''}
              {a.note ? ` · ${a.note}` : ''}
            </Text>
            <EvidenceSentences evidence={a.evidence} />
          </Paper>
        ))}
      </Stack>
    </Paper>
  );
}

export function SerialsPage() {
  return (
    <Stack>
      <Title order={3}>Serials</Title>
      <SerialLookup />
      <Recall />
      <Alerts />
    </Stack>
  );
}
