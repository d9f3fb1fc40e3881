/**
 * Delivery ledger and pushback sweeper API (operators; role `viewer` reads, `operator` runs):
 *
 *   GET  /api/deliveries                 list by state (?state=open|partially-received|overdue|pushed-back|closed
 *                                        &site=&origin=&limit=&after=) with expected/received/outstanding and counts
 *   GET  /api/deliveries/:delivery       one delivery: expected vs received per item and per serial, receipts
 *                                        (late ones flagged), the pushback postings (message ids) and discrepancy
 *   GET  /api/discrepancies              what went missing, newest first (?site=&limit=&beforeId=) — freight claims
 *   GET  /api/sweeper/preview            dry run: what the next run would post
 *   GET  /api/sweeper/runs               the last runs (?limit=)
 *   POST /api/sweeper/run                run now (role operator; a run holding the lease makes it `skipped`)
 *
 * Handlers parse input and call the ledger store / sweeper runtime (src/sweeper/runtime.ts, built by src/wiring/pushback.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { IdocgateError } from '../errors.js';
import { computeDeliveryStatus } from '../ledger/deliveries/status.js';
import { normalizeKey, VIEW_STATES, viewStateOf, type ViewState } from '../ledger/deliveries/types.js';
import type { DeliveryLedgerStore } from '../ledger/deliveries/port.js';
import type { SupportStore } from '../pipeline/store-port.js';
import type { SweepResult } from '../sweeper/run.js';
import type { PushbackRuntime } from '../sweeper/runtime.js';
import { requireOperator, type Authenticator } from './auth.js';

export interface DeliveryRoutesDeps {
  readonly auth: Authenticator;
  readonly pushback: Pick<PushbackRuntime, 'ledger' | 'sweep' | 'now'> &
    Partial<Pick<PushbackRuntime, 'sweeper'>>;
  /** The pushback postings' messages: their status and SAP's word on each (posted, 51...). */
  readonly messages?: Pick<SupportStore, 'get'>;
  /**
   * The deliveries in transit whose at-risk score reaches the threshold (src/intelligence/at-risk.ts):
   * listed in the sweeper preview as the ones likely to need a pushback.
   */
  readonly atRisk?: (now: Date) => Promise<{
    readonly threshold: number;
    readonly modelVersion: number | null;
    readonly deliveries: readonly unknown[];
  }>;
}

const security = [{ basic: [] }, { session: [] }];

function intParam(v: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new IdocgateError('QUERY_INVALID', `${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

function viewParam(v: string | undefined): ViewState | undefined {
  if (v === undefined || v === '') return undefined;
  if (!(VIEW_STATES as readonly string[]).includes(v)) {
    throw new IdocgateError('QUERY_INVALID', `state must be one of ${VIEW_STATES.join(', ')}`);
  }
  return v as ViewState;
}

function runSummary(r: SweepResult): Record<string, unknown> {
  return {
    runId: r.runId,
    dryRun: r.dryRun,
    ...(r.skipped !== undefined ? { skipped: r.skipped } : {}),
    scanned: r.scanned,
    pushedBack: r.pushedBack,
    postings: r.postings,
    closed: r.closed,
    resumed: r.resumed,
    previews: r.previews,
    problems: r.problems,
  };
}

const stringQuery = (names: readonly string[]) => ({
  type: 'object',
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
});

export async function deliveryRoutes(app: FastifyInstance, deps: DeliveryRoutesDeps): Promise<void> {
  const viewer = requireOperator(deps.auth, 'viewer');
  const operator = requireOperator(deps.auth, 'operator');
  const { ledger } = deps.pushback;
  const now = (): Date => new Date(deps.pushback.now());

  app.get('/api/deliveries', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'Deliveries to stores by state, with expected, received and outstanding quantities',
      security,
      querystring: stringQuery(['state', 'site', 'origin', 'limit', 'after']),
    },
    handler: async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = intParam(q['limit'], 'limit', 1, 500, 50);
      const at = now();
      const view = viewParam(q['state']);
      const items = await ledger.listDeliveries({
        now: at,
        limit,
        ...(view !== undefined ? { view } : {}),
        ...(q['site'] ? { destinationSite: q['site'] } : {}),
        ...(q['origin'] ? { originSite: q['origin'] } : {}),
        ...(q['after'] ? { after: q['after'] } : {}),
      });
      return {
        items,
        next: items.length === limit ? (items[items.length - 1]?.delivery ?? null) : null,
        counts: await ledger.countByView(at, q['site'] || undefined),
      };
    },
  });

  app.get('/api/deliveries/:delivery', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary:
        'One delivery: expected vs received per item and serial, receipts, pushback postings, discrepancy',
      security,
      params: { type: 'object', required: ['delivery'], properties: { delivery: { type: 'string' } } },
    },
    handler: async (request) => {
      const { delivery } = request.params as { delivery: string };
      const rec = await ledger.getDelivery(normalizeKey(delivery));
      if (rec === undefined)
        throw new IdocgateError('DELIVERY_NOT_FOUND', `No delivery ${delivery} in the ledger`);
      const status = computeDeliveryStatus(rec.expected, rec.receipts);
      const { items: _items, serials: _serials, ...header } = rec.expected;
      return {
        delivery: {
          ...header,
          state: rec.state,
          view: viewStateOf(rec.state, rec.dueAt, now()),
          dueAt: rec.dueAt,
        },
        totals: {
          expected: status.expectedMilli / 1000,
          received: status.receivedMilli / 1000,
          outstanding: status.outstandingMilli / 1000,
          overReceived: status.overReceived,
          unexpectedSerials: status.unexpectedSerials,
          lateReceipts: status.lateReceipts,
        },
        items: status.items.map((i) => ({
          position: i.position,
          material: i.material,
          unit: i.unit,
          expected: i.expectedMilli / 1000,
          received: i.receivedMilli / 1000,
          outstanding: i.outstandingMilli / 1000,
          over: i.overMilli / 1000,
          missingSerials: i.missingSerials,
        })),
        serials: status.serials,
        receipts: rec.receipts.map((r) => ({
          ...r,
          quantity: r.quantityMilli / 1000,
          quantityMilli: undefined,
        })),
        pushback:
          rec.pushback === null
            ? null
            : {
                decidedAt: rec.pushback.decidedAt,
                completedAt: rec.pushback.completedAt,
                runId: rec.pushback.runId,
                postings: await Promise.all(
                  rec.pushback.steps.map(async (s) => {
                    const m =
                      s.messageId !== null && s.messageId !== undefined
                        ? await deps.messages?.get(s.messageId)
                        : undefined;
                    return {
                      name: s.name,
                      kind: s.kind,
                      idempotencyKey: s.idempotencyKey,
                      orderingKey: s.orderingKey,
                      messageId: s.messageId,
                      // what became of it: blocked behind its receipt, posted (53), sap-error (51)...
                      ...(m !== undefined
                        ? {
                            status: m.status,
                            sapStatus: m.sapStatus,
                            sapDocument: m.sapDocument,
                            statusText: m.statusText,
                            error: m.lastError,
                          }
                        : {}),
                    };
                  }),
                ),
              },
        discrepancy: rec.discrepancy,
      };
    },
  });

  app.get('/api/discrepancies', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'Pushback discrepancies (delivery, items, missing quantity and serials), newest first',
      security,
      querystring: stringQuery(['site', 'limit', 'beforeId']),
    },
    handler: async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = intParam(q['limit'], 'limit', 1, 500, 50);
      const beforeId = q['beforeId']
        ? intParam(q['beforeId'], 'beforeId', 1, Number.MAX_SAFE_INTEGER, 0)
        : undefined;
      const items = await ledger.listDiscrepancies({
        limit,
        ...(q['site'] ? { destinationSite: q['site'] } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
      });
      return { items, nextBeforeId: items.length === limit ? (items[items.length - 1]?.id ?? null) : null };
    },
  });

  app.get('/api/sweeper/status', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'Whether the pushback sweeper is enabled on this gateway, and its schedule',
      security,
    },
    handler: async () => ({
      enabled: deps.pushback.sweeper?.enabled === true,
      schedule: deps.pushback.sweeper?.enabled === true ? deps.pushback.sweeper.schedule : null,
    }),
  });

  app.get('/api/sweeper/preview', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'Dry run: the postings the next sweeper run would create',
      security,
    },
    handler: async () => ({
      ...runSummary(await deps.pushback.sweep({ dryRun: true })),
      ...(deps.atRisk !== undefined ? { atRisk: await deps.atRisk(now()) } : {}),
    }),
  });

  app.get('/api/sweeper/runs', {
    onRequest: viewer,
    schema: {
      tags: ['Deliveries'],
      summary: 'The last sweeper runs',
      security,
      querystring: stringQuery(['limit']),
    },
    handler: async (request) => {
      const q = request.query as Record<string, string | undefined>;
      return { items: await ledger.lastRuns(intParam(q['limit'], 'limit', 1, 100, 20)) };
    },
  });

  app.post('/api/sweeper/run', {
    onRequest: operator,
    schema: {
      tags: ['Deliveries'],
      summary: 'Run the sweeper now (skipped when another run holds the lease)',
      security,
    },
    handler: async (request) => {
      const r = await deps.pushback.sweep();
      request.log.info(
        { runId: r.runId, pushedBack: r.pushedBack, postings: r.postings },
        'sweeper run by operator',
      );
      return runSummary(r);
    },
  });
}

/**
 * Scrape-time gauges on the app's metrics registry (src/api/metrics.ts `PromMetrics.registry`):
 *
 *   idocgate_deliveries_overdue{site}                   open / partially received deliveries past their grace period
 *   idocgate_deliveries_overdue_quantity{site}          their outstanding quantity
 *   idocgate_deliveries_pushed_back{site}               deliveries pushed back (total)
 *   idocgate_deliveries_pushed_back_quantity{site}      quantity pushed back (total)
 *
 * One grouped query per scrape for all four (cached for the scrape).
 */
export function registerDeliveryMetrics(
  registry: Registry,
  source: { readonly ledger: Pick<DeliveryLedgerStore, 'siteMetrics'>; readonly now: () => number },
): void {
  let pending: { at: number; value: ReturnType<DeliveryLedgerStore['siteMetrics']> } | undefined;
  const read = (): ReturnType<DeliveryLedgerStore['siteMetrics']> => {
    const t = Date.now();
    if (pending === undefined || t - pending.at > 1000)
      pending = { at: t, value: source.ledger.siteMetrics(new Date(source.now())) };
    return pending.value;
  };
  const gauge = (
    name: string,
    help: string,
    pick: (m: Awaited<ReturnType<typeof read>>[number]) => number,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['site'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const m of await read()) this.set({ site: m.site }, pick(m));
      },
    });
  };
  gauge(
    'idocgate_deliveries_overdue',
    'Deliveries to stores past their grace period and not fully received',
    (m) => m.overdue,
  );
  gauge(
    'idocgate_deliveries_overdue_quantity',
    'Outstanding quantity of overdue deliveries',
    (m) => m.overdueQuantity,
  );
  gauge(
    'idocgate_deliveries_pushed_back',
    'Deliveries pushed back to their origin by the sweeper',
    (m) => m.pushedBack,
  );
  gauge(
    'idocgate_deliveries_pushed_back_quantity',
    'Quantity pushed back to the origin by the sweeper',
    (m) => m.pushedBackQuantity,
  );
}
