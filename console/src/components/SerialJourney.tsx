/**
 * One serial's chain of custody as a picture (GET /api/serials/:serial): the current state on top,
 * the places it went through as a strip of nodes (sites, customers, vendors) joined by the
 * movements between them, every movement as a step with its time, document, delivery, partner and
 * message, and its alerts in sentences with their evidence.
 */
import { Anchor, Badge, Box, Group, Paper, Stack, Text, Timeline, Title } from '@mantine/core';
import { Fragment } from 'react';
import { Link } from 'wouter';
import { fmtDate } from '../format';
import { ruleLabel } from '../rules';

export interface SerialStateView {
  readonly material: string;
  readonly serial: string;
  readonly state: string;
  readonly site: string | null;
  readonly sloc: string | null;
  readonly delivery: string | null;
  readonly handlingUnit: string | null;
  readonly partner: string | null;
  readonly since: string;
  readonly lastMovement: string;
  readonly lastEventAt: string;
  readonly eventCount: number;
}

export interface SerialEventView {
  readonly id: number;
  readonly movement: string;
  readonly moveType: string | null;
  readonly fromSite: string | null;
  readonly fromSloc: string | null;
  readonly toSite: string | null;
  readonly toSloc: string | null;
  readonly handlingUnit: string | null;
  readonly delivery: string | null;
  readonly partner: string | null;
  readonly eventTime: string;
  readonly docRef: string | null;
  readonly stateAfter: string;
  readonly messageId: string | null;
}

export interface SerialAlertView {
  readonly id: number;
  readonly rule: string;
  readonly severity: string;
  readonly state: string;
  readonly summary: string;
  readonly evidence: unknown;
  readonly detectedAt: string;
}

export interface SerialAnswer {
  readonly state: SerialStateView;
  readonly history: readonly SerialEventView[];
  readonly alerts: readonly SerialAlertView[];
}

/** The ledger's states in words (src/ledger/serials/types.ts SERIAL_STATES). */
export const SERIAL_STATE_LABEL: Readonly<Record<string, string>> = {
  'in-stock': 'in stock',
  'in-transit': 'in transit',
  issued: 'issued to a customer',
  'out-to-vendor': 'at a vendor',
  returned: 'returned by a customer',
  scrapped: 'scrapped',
  unknown: 'unknown (after a reversal)',
};

const STATE_COLOR: Readonly<Record<string, string>> = {
  'in-stock': 'green',
  'in-transit': 'blue',
  issued: 'gray',
  'out-to-vendor': 'orange',
  returned: 'teal',
  scrapped: 'dark',
  unknown: 'red',
};

/** Movements in words (MOVEMENTS). */
export const MOVEMENT_LABEL: Readonly<Record<string, string>> = {
  'initial-load': 'initial stock load',
  received: 'received',
  shipped: 'shipped',
  transferred: 'transferred',
  issued: 'issued',
  'out-to-vendor': 'out to vendor',
  'back-from-vendor': 'back from vendor',
  returned: 'returned by customer',
  'returned-to-vendor': 'returned to vendor',
  scrapped: 'scrapped',
  packed: 'packed',
  announced: 'announced on a delivery',
  reversal: 'reversed',
  other: 'other movement',
};

const MOVEMENT_COLOR: Readonly<Record<string, string>> = {
  received: 'green',
  'initial-load': 'green',
  'back-from-vendor': 'green',
  returned: 'teal',
  shipped: 'blue',
  transferred: 'blue',
  issued: 'gray',
  'out-to-vendor': 'orange',
  'returned-to-vendor': 'orange',
  scrapped: 'dark',
  reversal: 'red',
};

export function SerialStateBadge({ state }: { readonly state: string }) {
  return (
    <Badge
      color={STATE_COLOR[state] ?? 'gray'}
      size="lg"
      data-state={state}
      styles={{ root: { flexShrink: 0, maxWidth: 'none' }, label: { overflow: 'visible' } }}
    >
      {SERIAL_STATE_LABEL[state] ?? state}
    </Badge>
  );
}

/** A place in the journey: a site, or the customer / vendor it went to. */
interface Place {
  readonly label: string;
  readonly kind: 'site' | 'partner';
}

function placeAfter(e: SerialEventView): Place | undefined {
  if (e.toSite) return { label: e.toSite, kind: 'site' };
  if (
    (e.movement === 'issued' || e.movement === 'out-to-vendor' || e.movement === 'returned-to-vendor') &&
    e.partner
  )
    return { label: e.partner, kind: 'partner' };
  if (e.movement === 'shipped' && e.delivery) return { label: `delivery ${e.delivery}`, kind: 'partner' };
  return undefined;
}

/** Sites and partners in the order the serial went through them, and the movement into each. */
function journeyOf(
  history: readonly SerialEventView[],
): { place: Place; via: SerialEventView | undefined }[] {
  const steps: { place: Place; via: SerialEventView | undefined }[] = [];
  const chronological = [...history].sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.id - b.id);
  for (const e of chronological) {
    if (e.movement === 'announced' || e.movement === 'packed' || e.movement === 'other') continue;
    const last = steps[steps.length - 1];
    if (last === undefined && e.fromSite)
      steps.push({ place: { label: e.fromSite, kind: 'site' }, via: undefined });
    const next = placeAfter(e);
    if (next !== undefined && steps[steps.length - 1]?.place.label !== next.label)
      steps.push({ place: next, via: e });
  }
  return steps;
}

function JourneyStrip({ history }: { readonly history: readonly SerialEventView[] }) {
  const steps = journeyOf(history);
  if (steps.length === 0) return null;
  return (
    <Group gap={0} wrap="wrap" data-testid="serial-journey" align="center">
      {steps.map((s, i) => (
        <Fragment key={`${s.place.label}:${i}`}>
          {s.via && (
            <Stack gap={0} align="center" px={6}>
              <Text size="xs" c={MOVEMENT_COLOR[s.via.movement] ?? 'dimmed'}>
                {MOVEMENT_LABEL[s.via.movement] ?? s.via.movement}
              </Text>
              <Text size="lg" lh={1} c="dimmed" aria-hidden>
                ⟶
              </Text>
              <Text size="xs" c="dimmed">
                {fmtDate(s.via.eventTime).slice(0, 10)}
              </Text>
            </Stack>
          )}
          <Paper
            withBorder
            px="sm"
            py={6}
            radius={s.place.kind === 'site' ? 'md' : 'xl'}
            bg={i === steps.length - 1 ? 'var(--mantine-color-blue-light)' : 'transparent'}
            data-place={s.place.label}
          >
            <Text size="sm" fw={600} className="mono">
              {s.place.label}
            </Text>
          </Paper>
        </Fragment>
      ))}
    </Group>
  );
}

function where(e: SerialEventView): string {
  const from = e.fromSite ? `${e.fromSite}${e.fromSloc ? `/${e.fromSloc}` : ''}` : '';
  const to = e.toSite ? `${e.toSite}${e.toSloc ? `/${e.toSloc}` : ''}` : '';
  if (from && to && from !== to) return `${from} → ${to}`;
  return to || from;
}

function Steps({ history }: { readonly history: readonly SerialEventView[] }) {
  const newestFirst = [...history].sort((a, b) => b.eventTime.localeCompare(a.eventTime) || b.id - a.id);
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="serial-history">
      {newestFirst.map((e) => (
        <Timeline.Item
          key={e.id}
          color={MOVEMENT_COLOR[e.movement] ?? 'gray'}
          title={
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {MOVEMENT_LABEL[e.movement] ?? e.movement}
              </Text>
              <Text size="sm">{where(e)}</Text>
              <Text size="xs" c="dimmed">
                {fmtDate(e.eventTime)}
              </Text>
            </Group>
          }
        >
          <Text size="xs" c="dimmed">
            {[
              e.moveType ? `movement type ${e.moveType}` : '',
              e.delivery ? `delivery ${e.delivery}` : '',
              e.handlingUnit ? `HU ${e.handlingUnit}` : '',
              e.partner ? `partner ${e.partner}` : '',
              e.docRef ? `document ${e.docRef}` : '',
              `then ${SERIAL_STATE_LABEL[e.stateAfter] ?? e.stateAfter}`,
            ]
              .filter(Boolean)
              .join(' · ')}
            {e.messageId && (
              <>
                {' · '}
                <Anchor component={Link} href={`/messages/${e.messageId}`} size="xs">
                  message →
                </Anchor>
              </>
            )}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

interface EvidenceEvent {
  readonly movement?: string;
  readonly at?: string;
  readonly site?: string | null;
  readonly messageId?: string | null;
}

/** An alert's evidence events in sentences; other evidence as "name: value" pairs. */
export function EvidenceSentences({ evidence }: { readonly evidence: unknown }) {
  const ev = (evidence ?? {}) as { events?: readonly EvidenceEvent[]; [k: string]: unknown };
  const events = Array.isArray(ev.events) ? ev.events : [];
  const rest = Object.entries(ev).filter(
    ([k, v]) => k !== 'events' && (typeof v === 'string' || typeof v === 'number'),
  );
  return (
    <Stack gap={0} data-testid="alert-evidence">
      {events.map((e, i) => (
        <Text size="xs" key={i}>
          {i === 0 ? 'Seen' : 'then'}{' '}
          {e.movement ? (MOVEMENT_LABEL[e.movement] ?? e.movement) : 'in its state'}
          {e.site ? ` at ${e.site}` : ''}
          {e.at ? ` on ${fmtDate(e.at)}` : ''}
          {e.messageId && (
            <>
              {' ('}
              <Anchor component={Link} href={`/messages/${e.messageId}`} size="xs">
                message
              </Anchor>
              {')'}
            </>
          )}
          .
        </Text>
      ))}
      {rest.length > 0 && (
        <Text size="xs" c="dimmed">
          {rest.map(([k, v]) => `${k.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${String(v)}`).join(' · ')}
        </Text>
      )}
    </Stack>
  );
}

export function SerialJourney({ answer }: { readonly answer: SerialAnswer }) {
  const s = answer.state;
  return (
    <Stack gap="sm" mt="sm">
      <Paper withBorder p="sm" data-testid="serial-state">
        <Group gap="sm">
          <Title order={4} className="mono">
            {s.serial}
          </Title>
          <Text size="sm" c="dimmed">
            article {s.material}
          </Text>
          <SerialStateBadge state={s.state} />
        </Group>
        <Text size="sm" mt={4}>
          {SERIAL_STATE_LABEL[s.state] ?? s.state}
          {s.site ? ` at ${s.site}${s.sloc ? ` (storage location ${s.sloc})` : ''}` : ''}
          {s.state === 'in-transit' && s.delivery ? ` on delivery ${s.delivery}` : ''}
          {s.partner ? `, partner ${s.partner}` : ''} since {fmtDate(s.since)} — {s.eventCount} movement
          {s.eventCount === 1 ? '' : 's'} recorded
        </Text>
      </Paper>
      <JourneyStrip history={answer.history} />
      <Paper withBorder p="sm">
        <Title order={5} mb="xs">
          Chain of custody
        </Title>
        {answer.history.length === 0 ? (
          <Text size="sm">No movements.</Text>
        ) : (
          <Steps history={answer.history} />
        )}
      </Paper>
      <Paper withBorder p="sm" data-testid="serial-alerts">
        <Title order={5} mb="xs">
          Alerts
        </Title>
        {answer.alerts.length === 0 && (
          <Text size="sm" c="dimmed">
            No alerts for this serial.
          </Text>
        )}
        {answer.alerts.map((a) => (
          <Box key={a.id} mb="xs">
            <Group gap={6}>
              <Badge color={a.severity === 'critical' || a.severity === 'high' ? 'red' : 'yellow'}>
                {a.severity}
              </Badge>
              <Badge variant="light" color="gray" title={ruleLabel(a.rule).description}>
                {ruleLabel(a.rule).label}
              </Badge>
              <Text size="sm" fw={500}>
                {a.summary}
              </Text>
              <Text size="xs" c="dimmed">
                ({a.state}, detected {fmtDate(a.detectedAt)})
              </Text>
            </Group>
            <EvidenceSentences evidence={a.evidence} />
          </Box>
        ))}
      </Paper>
    </Stack>
  );
}
