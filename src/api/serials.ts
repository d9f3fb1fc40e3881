/**
 * Serial ledger API (operators; `viewer` reads, `operator` acknowledges and closes alerts):
 *
 *   GET  /api/serials/:serial                 where is serial X: state + history (?material= when ambiguous)
 *   GET  /api/serials/:serial/history         events only (?material=, ?limit=)
 *   POST /api/serials/recall                  recall (material + serials | range, delivery, handlingUnit); ?format=csv
 *   GET  /api/serials/counts                  serials per site and state (?material=)
 *   GET  /api/serials/alerts                  alerts (?state=&rule=&severity=&material=&serial=&beforeId=&limit=)
 *   GET  /api/serials/alerts/counts           alert counts by rule, severity and state (metrics)
 *   GET  /api/serials/custody-model           the custody-path rule's newest model (version, miss rate, routes)
 *   POST /api/serials/alerts/:id/acknowledge  { note? }
 *   POST /api/serials/alerts/:id/close        { note? }
 *   GET  /api/serials/epcis/events            EPCIS 2.0 EPCISDocument (GE_eventTime, LT_eventTime, EQ_bizStep,
 *                                             EQ_bizLocation, MATCH_epc, EQ_action, perPage, nextPageToken)
 *
 * Handlers parse input and call the ledger's queries (src/store/serials/*.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { LedgerConfig } from '../config/ledger.js';
import { IdocgateError } from '../errors.js';
import {
  epcisDocument,
  matchesFilters,
  movementsForBizSteps,
  type EpcisFilters,
} from '../ledger/serials/epcis/epcis.js';
import { epcNaming } from '../ledger/serials/epcis/identifiers.js';
import { recallCsv, recallQuerySchema } from '../ledger/serials/recall.js';
import { normalizeKey } from '../ledger/serials/types.js';
import { latestCustodyModel } from '../store/serials/custody-models.js';
import type { Queryable } from '../store/db/db.js';
import {
  ALERT_STATES,
  alertCounts,
  changeAlertState,
  listAlerts,
  type AlertState,
} from '../store/serials/alerts.js';
import {
  countsBySite,
  eventsOfSerials,
  materialsOfSerial,
  recall,
  selectEvents,
  serialHistory,
  serialLookup,
} from '../store/serials/queries.js';

/**
 * Prometheus gauges of the anomaly alerts: `idocgate_serial_alerts_open{rule,severity}` and
 * `idocgate_serial_alerts_acknowledged{rule,severity}`, read from the database on each scrape
 * (cached for a second). Every enabled rule is exported at its configured severity with 0 when it
 * has no alert, so a dashboard or alert rule sees the series from the start.
 */
export function registerSerialAlertMetrics(
  registry: Registry,
  source: { readonly db: Queryable; readonly ledger: LedgerConfig },
): void {
  let cached: { at: number; value: Promise<Awaited<ReturnType<typeof alertCounts>>> } | undefined;
  const read = (): Promise<Awaited<ReturnType<typeof alertCounts>>> => {
    const t = Date.now();
    if (cached === undefined || t - cached.at > 1000) {
      const value = alertCounts(source.db);
      cached = { at: t, value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
  const baseline = Object.entries(source.ledger.rules)
    .filter(([, r]) => r.enabled)
    .map(([rule, r]) => ({ rule, severity: r.severity }));
  for (const state of ['open', 'acknowledged'] as const) {
    new Gauge({
      name: `idocgate_serial_alerts_${state}`,
      help: `Serial ledger anomaly alerts in state ${state}, by rule and severity`,
      labelNames: ['rule', 'severity'],
      registers: [registry],
      async collect() {
        const counts = await read();
        this.reset();
        for (const b of baseline) this.set(b, 0);
        for (const c of counts)
          if (c.state === state) this.set({ rule: c.rule, severity: c.severity }, c.count);
      },
    });
  }
}

function ambiguous(serial: string, materials: readonly string[]): IdocgateError {
  return new IdocgateError(
    'QUERY_INVALID',
    `Serial ${serial} exists for several materials: give ?material=`,
    {
      issues: materials.map((m) => ({
        code: 'AMBIGUOUS_SERIAL',
        message: `material ${m}`,
        path: 'material',
      })),
    },
  );
}

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface SerialRouteDeps {
  /** The store's database (OpenedStore.db). */
  readonly db: Queryable;
  readonly ledger: LedgerConfig;
  readonly clock: () => Date;
  /** Auth pre-handlers, e.g. requireOperator(auth, 'viewer') / (auth, 'operator'). None = open (tests). */
  readonly viewer?: PreHandler;
  readonly operator?: PreHandler;
  /** Name of the caller for alert changes (default: request.principal name, else `operator`). */
  readonly actorOf?: (request: FastifyRequest) => string;
}

const tags = ['Serial ledger'];

function list(v: unknown): string[] | undefined {
  if (v === undefined || v === '') return undefined;
  const items = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim());
  return items.filter((s) => s !== '');
}

function intParam(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new IdocgateError('QUERY_INVALID', `${name} must be an integer from ${min} to ${max}`);
  return n;
}

function dateParam(v: unknown, name: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime()))
    throw new IdocgateError('QUERY_INVALID', `${name} must be an ISO 8601 date-time`);
  return d;
}

function defaultActor(request: FastifyRequest): string {
  const p = (request as { principal?: { name?: string } | null }).principal;
  return p?.name ?? 'operator';
}

export async function serialRoutes(app: FastifyInstance, deps: SerialRouteDeps): Promise<void> {
  const { db } = deps;
  const viewer = deps.viewer ? { onRequest: deps.viewer } : {};
  const operator = deps.operator ? { onRequest: deps.operator } : {};
  const actorOf = deps.actorOf ?? defaultActor;
  const naming = epcNaming(deps.ledger);

  async function resolveMaterial(serial: string, material: string | undefined): Promise<string> {
    if (material !== undefined && material !== '') return material;
    const found = await materialsOfSerial(db, serial);
    if (found.length === 0)
      throw new IdocgateError('LEDGER_SERIAL_NOT_FOUND', `The ledger has no serial ${serial}`);
    if (found.length > 1) throw ambiguous(serial, found);
    return found[0]!;
  }

  app.get('/api/serials/counts', {
    ...viewer,
    schema: { tags, summary: 'Serials per site and state' },
    handler: async (request) => {
      const q = request.query as { material?: string };
      return { counts: await countsBySite(db, q.material || undefined) };
    },
  });

  app.get('/api/serials/alerts', {
    ...viewer,
    schema: { tags, summary: 'Anomaly alerts, newest first, with filters' },
    handler: async (request) => {
      const q = request.query as Record<string, unknown>;
      const states = list(q['state']);
      if (states?.some((s) => !(ALERT_STATES as readonly string[]).includes(s)))
        throw new IdocgateError('QUERY_INVALID', `state must be one of ${ALERT_STATES.join(', ')}`);
      const beforeId = intParam(q['beforeId'], 'beforeId', 1, Number.MAX_SAFE_INTEGER);
      const limit = intParam(q['limit'], 'limit', 1, 500) ?? 50;
      const from = dateParam(q['from'], 'from');
      const to = dateParam(q['to'], 'to');
      const rules = list(q['rule']);
      const severities = list(q['severity']);
      const alerts = await listAlerts(db, {
        ...(states ? { states: states as AlertState[] } : {}),
        ...(rules ? { rules } : {}),
        ...(severities ? { severities } : {}),
        ...(typeof q['material'] === 'string' && q['material']
          ? { material: normalizeKey(q['material']) }
          : {}),
        ...(typeof q['serial'] === 'string' && q['serial'] ? { serial: normalizeKey(q['serial']) } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
        limit,
      });
      const last = alerts[alerts.length - 1];
      return { items: alerts, nextBeforeId: alerts.length === limit && last ? last.id : null };
    },
  });

  app.get('/api/serials/alerts/counts', {
    ...viewer,
    schema: { tags, summary: 'Alert counts by rule, severity and state' },
    handler: async () => ({ counts: await alertCounts(db) }),
  });

  app.get('/api/serials/custody-model', {
    ...viewer,
    schema: { tags, summary: "The custody-path rule's model in use (learned from the ledger's history)" },
    handler: async () => {
      const m = await latestCustodyModel(db);
      const settings = deps.ledger.rules.custodyPath;
      if (m === undefined)
        return { model: null, threshold: settings.threshold, note: 'no custody-path model learned yet' };
      return {
        version: m.version,
        trainedAt: m.trainedAt.toISOString(),
        threshold: settings.threshold,
        enabled: settings.enabled,
        model: m.model,
      };
    },
  });

  for (const action of ['acknowledge', 'close'] as const) {
    app.post(`/api/serials/alerts/:id/${action}`, {
      ...operator,
      schema: { tags, summary: action === 'close' ? 'Close an alert' : 'Acknowledge an alert' },
      handler: async (request) => {
        const id = intParam((request.params as { id: string }).id, 'id', 1, Number.MAX_SAFE_INTEGER);
        const body = (request.body ?? {}) as { note?: unknown };
        const note = typeof body.note === 'string' ? body.note.slice(0, 2000) : undefined;
        return changeAlertState(
          db,
          id ?? 0,
          action === 'close' ? 'closed' : 'acknowledged',
          actorOf(request),
          note,
          deps.clock(),
        );
      },
    });
  }

  app.post('/api/serials/recall', {
    ...viewer,
    schema: {
      tags,
      summary:
        'Recall: every affected serial with its current location; ?format=csv for CSV, ?format=epcis for their events as EPCIS 2.0',
    },
    handler: async (request, reply) => {
      const parsed = recallQuerySchema.safeParse(request.body ?? {});
      if (!parsed.success)
        throw new IdocgateError('REQUEST_INVALID', 'Invalid recall query', {
          issues: parsed.error.issues.map((i) => ({
            code: 'REQUEST_INVALID',
            message: i.message,
            path: i.path.join('.'),
          })),
        });
      const result = await recall(db, parsed.data);
      const format = (request.query as { format?: string }).format;
      if (format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="recall.csv"')
          .send(recallCsv(result.rows));
      if (format === 'epcis') {
        // the recalled serials' chain of custody as one EPCIS 2.0 document (serials the ledger
        // does not know have no events and are left out)
        const known = result.rows.filter((r) => r.state !== null);
        const events = await eventsOfSerials(db, known);
        return reply
          .header('content-type', 'application/ld+json; charset=utf-8')
          .header('content-disposition', 'attachment; filename="recall.epcis.jsonld"')
          .header('gs1-epcis-version', '2.0.0')
          .header('gs1-cbv-version', '2.0.0')
          .send(epcisDocument(events, naming, deps.clock()));
      }
      if (format !== undefined && format !== 'json')
        throw new IdocgateError('QUERY_INVALID', `format: use json, csv or epcis, not "${format}"`);
      return result;
    },
  });

  app.get('/api/serials/epcis/events', {
    ...viewer,
    schema: { tags, summary: 'Serial events as an EPCIS 2.0 document (EPCIS query-style filters)' },
    handler: async (request, reply) => {
      const q = request.query as Record<string, unknown>;
      const filters: EpcisFilters = {
        ...(list(q['EQ_bizStep']) ? { EQ_bizStep: list(q['EQ_bizStep'])! } : {}),
        ...(list(q['EQ_bizLocation']) ? { EQ_bizLocation: list(q['EQ_bizLocation'])! } : {}),
        ...(list(q['MATCH_epc']) ? { MATCH_epc: list(q['MATCH_epc'])! } : {}),
        ...(list(q['EQ_action']) ? { EQ_action: list(q['EQ_action'])! } : {}),
      };
      const perPage = intParam(q['perPage'], 'perPage', 1, 1000) ?? 100;
      const afterId = intParam(q['nextPageToken'], 'nextPageToken', 0, Number.MAX_SAFE_INTEGER);
      const from = dateParam(q['GE_eventTime'], 'GE_eventTime');
      const to = dateParam(q['LT_eventTime'], 'LT_eventTime');
      const movements = filters.EQ_bizStep ? movementsForBizSteps(filters.EQ_bizStep) : undefined;
      const out: Record<string, unknown>[] = [];
      let cursor = afterId;
      let lastId: number | undefined;
      // Filters SQL cannot express (MATCH_epc patterns, EQ_bizLocation) are applied after; keep reading pages.
      for (let round = 0; round < 20 && out.length < perPage; round++) {
        const events = await selectEvents(db, {
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(movements ? { movements } : {}),
          ...(cursor !== undefined ? { afterId: cursor } : {}),
          limit: perPage * 2,
        });
        if (events.length === 0) {
          lastId = undefined;
          break;
        }
        for (const e of events) {
          const doc = epcisDocument([e], naming, deps.clock());
          const ev = (doc['epcisBody'] as { eventList: Record<string, unknown>[] }).eventList[0]!;
          lastId = e.id;
          if (matchesFilters(ev, filters)) out.push(ev);
          if (out.length >= perPage) break;
        }
        cursor = lastId;
        if (events.length < perPage * 2 && out.length < perPage) {
          lastId = undefined;
          break;
        }
      }
      if (lastId !== undefined) reply.header('link', `<?nextPageToken=${lastId}>; rel="next"`);
      reply.header('content-type', 'application/ld+json; charset=utf-8');
      reply.header('gs1-epcis-version', '2.0.0');
      reply.header('gs1-cbv-version', '2.0.0');
      return {
        '@context': [
          'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
          { idocgate: 'https://idocgate.dev/ns/epcis/' },
        ],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: deps.clock().toISOString(),
        epcisBody: { eventList: out },
      };
    },
  });

  app.get('/api/serials/:serial/history', {
    ...viewer,
    schema: { tags, summary: "One serial's events, oldest first" },
    handler: async (request) => {
      const { serial } = request.params as { serial: string };
      const q = request.query as { material?: string; limit?: string };
      const material = await resolveMaterial(serial, q.material);
      const limit = intParam(q.limit, 'limit', 1, 10_000) ?? 1000;
      return { material, serial, events: await serialHistory(db, material, serial, limit) };
    },
  });

  app.get('/api/serials/:serial', {
    ...viewer,
    schema: { tags, summary: 'Where is serial X: current state and history' },
    handler: async (request) => {
      const { serial } = request.params as { serial: string };
      const m = (request.query as { material?: string }).material;
      const found = await serialLookup(db, m !== undefined && m !== '' ? m : undefined, serial);
      if (found.found === 'none')
        throw new IdocgateError(
          'LEDGER_SERIAL_NOT_FOUND',
          m ? `The ledger has no serial ${serial} of material ${m}` : `The ledger has no serial ${serial}`,
        );
      if (found.found === 'several') throw ambiguous(serial, found.materials);
      const { state, history } = found;
      const alerts = await listAlerts(db, { material: state.material, serial: state.serial, limit: 50 });
      return { state, history, alerts };
    },
  });
}
