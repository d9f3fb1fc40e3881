/**
 * Serials: look up a serial's state and history; run a recall (by delivery, handling unit, list or
 * range) and download it as CSV; anomaly alerts with their evidence, to acknowledge or close.
 */
import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { errorText, getBlob, getJson, postJson, qs } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { RecordTable, arrayOf } from '../components/RecordTable';
import { useIsOperator } from '../session';

function SerialLookup() {
  const [serial, setSerial] = useState('');
  const [material, setMaterial] = useState('');
  const [asked, setAsked] = useState<{ serial: string; material: string } | null>(null);
  const q = useQuery({
    queryKey: ['serial', asked],
    queryFn: () =>
      getJson<Record<string, unknown>>(
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
      {q.data && (
        <Stack gap="xs" mt="sm">
          <Text size="sm">Current state</Text>
          <RecordTable
            rows={q.data['state'] ? [q.data['state']] : []}
            empty="No state."
            testId="serial-state"
          />
          <Text size="sm">History</Text>
          <RecordTable rows={arrayOf(q.data, 'history')} empty="No events." testId="serial-history" />
          <Text size="sm">Alerts</Text>
          <RecordTable rows={arrayOf(q.data, 'alerts')} empty="No alerts." testId="serial-alerts" />
        </Stack>
      )}
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
          <Button
            size="xs"
            variant="default"
            onClick={() => {
              setError(null);
              getBlob('POST', '/api/serials/recall?format=csv', body())
                .then((blob) => {
                  const a = document.createElement('a');
                  a.href = URL.createObjectURL(blob);
                  a.download = 'recall.csv';
                  a.click();
                  URL.revokeObjectURL(a.href);
                })
                .catch((e: unknown) => setError(errorText(e)));
            }}
          >
            Download CSV
          </Button>
        </Group>
        {error && <Alert color="red">{error}</Alert>}
        {result !== null && (
          <RecordTable
            rows={arrayOf(result, 'rows', 'items')}
            empty="The recall found no serial."
            testId="recall-rows"
          />
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
                <Code>{a.rule}</Code>
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
              detected {a.detectedAt}
              {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ''}
              {a.closedBy ? ` · closed by ${a.closedBy}` : ''}
              {a.note ? ` · ${a.note}` : ''}
            </Text>
            <pre className="payload" style={{ maxHeight: 160 }}>
              {JSON.stringify(a.evidence, null, 2)}
            </pre>
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
