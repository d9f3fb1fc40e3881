/**
 * Demand forecasts API (viewer role):
 *
 *   GET /api/forecasts?article=&site=&run=&grain=&format=csv
 *                                                       forecast days (grain=day, default) or weeks
 *                                                       (grain=week) of the latest run (or run=)
 *                                                       for an article and/or site; site=* is the
 *                                                       article total; format=csv downloads CSV
 *   GET /api/stock-signals?article=&site=&reviewDays=&format=csv
 *                                                       order-up-to level, suggested order,
 *                                                       projected stock-out day, overstock
 *   GET /api/lead-times?format=csv                      goods issue -> first receipt per lane (days)
 *                                                       and the measured deliveries (the distribution)
 *   GET /api/forecast-runs                              the latest runs (newest first)
 *   GET /api/forecast-series?run=&grain=                the series of a run: class, method, censored days
 *   GET /api/demand?article=&site=&from=&to=&format=csv observed daily demand, on hand, censored days
 *   GET /api/stock-projection?article=&site=&reviewDays=&format=csv
 *                                                       the projected stock day by day behind a signal
 *   GET /api/returns?article=&from=&to=                 returns rate per article; vendor-repair
 *                                                       turnaround (541 -> 542) per article and vendor
 *
 * Handlers parse input and call the store (src/store/analytics/forecast-repo.ts, signals-repo.ts) and the
 * stock-signal use case (src/forecast/stock-signals.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdocgateError } from '../errors.js';
import { csvField } from '../ledger/serials/recall.js';
import { normalizeKey } from '../ledger/serials/types.js';
import type { Queryable } from '../store/db/db.js';
import { actualDays, addDays, buildDemand, dayOf, type ActualDay } from '../forecast/demand.js';
import { leadTimes, type LeadTimeSample, type ProjectionDay, type StockSignal } from '../forecast/signals.js';
import { computeStockProjection, computeStockSignals } from '../forecast/stock-signals.js';
import {
  ledgerMovements,
  listForecastRuns,
  listForecasts,
  listForecastSeries,
  FORECAST_GRAINS,
  type ForecastGrain,
  type ForecastRow,
} from '../store/analytics/forecast-repo.js';
import { repairTurnarounds, returnsRates } from '../store/analytics/returns-repo.js';
import { leadTimeSamples, stockSignalPort } from '../store/analytics/signals-repo.js';

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface ForecastRouteDeps {
  readonly db: Queryable;
  /** Auth pre-handler (viewer); none = open (tests). */
  readonly viewer?: PreHandler;
}

const CSV_COLUMNS = [
  'runId',
  'grain',
  'material',
  'site',
  'day',
  'class',
  'method',
  'mean',
  'lower',
  'upper',
  'level',
] as const;

export function forecastCsv(rows: readonly ForecastRow[]): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvField(String(r[c]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

const SIGNAL_COLUMNS = [
  'material',
  'site',
  'onHand',
  'inTransit',
  'leadTimeDays',
  'coverDays',
  'orderUpTo',
  'suggestedOrder',
  'stockOutDay',
  'overstock',
  'excess',
] as const;

export function signalsCsv(rows: readonly StockSignal[]): string {
  const lines: string[] = [SIGNAL_COLUMNS.join(',')];
  for (const r of rows)
    lines.push(SIGNAL_COLUMNS.map((c) => csvField(r[c] === null ? null : String(r[c]))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function csvOf<R>(
  columns: readonly string[],
  rows: readonly R[],
  cell: (r: R, c: string) => unknown,
): string {
  const lines: string[] = [columns.join(',')];
  for (const r of rows)
    lines.push(
      columns
        .map((c) => {
          const v = cell(r, c);
          return csvField(v === null || v === undefined ? null : String(v));
        })
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}

const DEMAND_COLUMNS = ['material', 'site', 'day', 'issued', 'onHand', 'censored'] as const;

export function demandCsv(material: string, site: string, rows: readonly ActualDay[]): string {
  return csvOf(DEMAND_COLUMNS, rows, (r, c) =>
    c === 'material' ? material : c === 'site' ? site : r[c as keyof ActualDay],
  );
}

const PROJECTION_COLUMNS = ['material', 'site', 'day', 'mean', 'upper', 'projected', 'projectedLow'] as const;

export function projectionCsv(material: string, site: string, rows: readonly ProjectionDay[]): string {
  return csvOf(PROJECTION_COLUMNS, rows, (r, c) =>
    c === 'material' ? material : c === 'site' ? site : r[c as keyof ProjectionDay],
  );
}

const LEAD_TIME_COLUMNS = [
  'delivery',
  'originSite',
  'destSite',
  'goodsIssueAt',
  'firstReceiptAt',
  'days',
] as const;

export function leadTimeCsv(samples: readonly LeadTimeSample[]): string {
  return csvOf(LEAD_TIME_COLUMNS, samples, (s, c) =>
    c === 'days'
      ? (s.firstReceiptAt.getTime() - s.goodsIssueAt.getTime()) / 86_400_000
      : c === 'goodsIssueAt'
        ? s.goodsIssueAt.toISOString()
        : c === 'firstReceiptAt'
          ? s.firstReceiptAt.toISOString()
          : s[c as 'delivery' | 'originSite' | 'destSite'],
  );
}

const csvReply = (reply: FastifyReply, name: string, body: string): FastifyReply =>
  reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(body);

function queryText(request: FastifyRequest): (k: string) => string | undefined {
  const q = request.query as Record<string, unknown>;
  return (k) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new IdocgateError('QUERY_INVALID', `${name} is required`);
  return value;
}

function isoDay(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new IdocgateError('QUERY_INVALID', `${name} must be a date YYYY-MM-DD`);
  return value;
}

function reviewDays(value: string | undefined): { reviewDays?: number } {
  if (value === undefined) return {};
  if (!/^([1-9]|[1-8]\d|90)$/.test(value))
    throw new IdocgateError('QUERY_INVALID', 'reviewDays must be an integer from 1 to 90');
  return { reviewDays: Number(value) };
}

function grainOf(value: string | undefined): { grain?: ForecastGrain } {
  if (value === undefined) return {};
  const g = FORECAST_GRAINS.find((x) => x === value);
  if (g === undefined)
    throw new IdocgateError('QUERY_INVALID', `grain must be one of ${FORECAST_GRAINS.join(', ')}`);
  return { grain: g };
}

/** Longest span GET /api/demand serves. */
const MAX_DEMAND_DAYS = 731;

export async function forecastRoutes(app: FastifyInstance, deps: ForecastRouteDeps): Promise<void> {
  const viewer = deps.viewer ? { onRequest: deps.viewer } : {};
  app.get('/api/forecasts', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary:
        'Demand forecasts with prediction intervals (latest run), daily or ?grain=week; ?format=csv for CSV',
    },
    handler: async (request, reply) => {
      const q = request.query as Record<string, unknown>;
      const text = (k: string): string | undefined =>
        typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined;
      const run = text('run');
      if (run !== undefined && !/^[1-9]\d{0,15}$/.test(run))
        throw new IdocgateError('QUERY_INVALID', 'run must be a positive integer');
      const article = text('article');
      const site = text('site');
      const grain = grainOf(text('grain'));
      const rows = await listForecasts(deps.db, {
        ...grain,
        ...(article !== undefined ? { article: normalizeKey(article) } : {}),
        ...(site !== undefined ? { site } : {}),
        ...(run !== undefined ? { runId: Number(run) } : {}),
      });
      if (text('format') === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="${grain.grain === 'week' ? 'forecasts-weekly' : 'forecasts'}.csv"`,
          )
          .send(forecastCsv(rows));
      return { items: rows };
    },
  });

  app.get('/api/stock-signals', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Order-up-to levels, projected stock-outs and overstock per article and site; ?format=csv',
    },
    handler: async (request, reply) => {
      const text = queryText(request);
      const review = reviewDays(text('reviewDays'));
      const article = text('article');
      const site = text('site');
      const r = await computeStockSignals(
        stockSignalPort(deps.db),
        {
          ...(article !== undefined ? { material: normalizeKey(article) } : {}),
          ...(site !== undefined ? { site } : {}),
        },
        review,
      );
      if (text('format') === 'csv') return csvReply(reply, 'stock-signals.csv', signalsCsv(r.signals));
      return { asOf: r.asOf, items: r.signals };
    },
  });

  app.get('/api/lead-times', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Lead time goods issue -> first store receipt per lane, in days',
    },
    handler: async (request, reply) => {
      const samples = await leadTimeSamples(deps.db);
      if (queryText(request)('format') === 'csv')
        return csvReply(reply, 'lead-times.csv', leadTimeCsv(samples));
      return {
        items: leadTimes(samples),
        samples: samples.map((s) => ({
          delivery: s.delivery ?? null,
          originSite: s.originSite,
          destSite: s.destSite,
          days: (s.firstReceiptAt.getTime() - s.goodsIssueAt.getTime()) / 86_400_000,
        })),
      };
    },
  });

  app.get('/api/forecast-runs', {
    ...viewer,
    schema: { tags: ['Forecasts'], summary: 'The latest forecast runs, newest first' },
    handler: async () => ({ items: await listForecastRuns(deps.db) }),
  });

  app.get('/api/forecast-series', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary:
        'The series of a forecast run (latest by default), daily or ?grain=week: class, method, observed and censored days (weeks)',
    },
    handler: async (request) => {
      const run = queryText(request)('run');
      if (run !== undefined && !/^[1-9]\d{0,15}$/.test(run))
        throw new IdocgateError('QUERY_INVALID', 'run must be a positive integer');
      const { grain } = grainOf(queryText(request)('grain'));
      return {
        items: await listForecastSeries(deps.db, run !== undefined ? Number(run) : undefined, grain),
      };
    },
  });

  app.get('/api/demand', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary:
        'Observed daily demand (units issued), on hand and censored days of an article at a site (site=* all sites); ?format=csv',
    },
    handler: async (request, reply) => {
      const text = queryText(request);
      const material = normalizeKey(required(text('article'), 'article'));
      const site = required(text('site'), 'site');
      const to = isoDay(text('to'), 'to') ?? addDays(dayOf(new Date()), -1);
      const from = isoDay(text('from'), 'from') ?? addDays(to, -89);
      if (from > to) throw new IdocgateError('QUERY_INVALID', 'from must not be after to');
      if (Date.parse(to) - Date.parse(from) >= MAX_DEMAND_DAYS * 86_400_000)
        throw new IdocgateError('QUERY_INVALID', `at most ${MAX_DEMAND_DAYS} days at a time`);
      const movements = await ledgerMovements(deps.db, new Date(`${addDays(to, 1)}T00:00:00Z`), material);
      const days = actualDays(buildDemand(movements, from, to), material, site);
      if (text('format') === 'csv') return csvReply(reply, 'demand.csv', demandCsv(material, site, days));
      return { material, site, from, to, items: days };
    },
  });

  app.get('/api/stock-projection', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Projected stock of an article at a site, day by day over the latest forecast; ?format=csv',
    },
    handler: async (request, reply) => {
      const text = queryText(request);
      const material = normalizeKey(required(text('article'), 'article'));
      const site = required(text('site'), 'site');
      const r = await computeStockProjection(
        stockSignalPort(deps.db),
        material,
        site,
        reviewDays(text('reviewDays')),
      );
      if (r === null)
        throw new IdocgateError(
          'FORECAST_NOT_FOUND',
          `the latest run has no forecast of article ${material} at site ${site} to project stock from (totals over variants or sites have no stock of their own)`,
        );
      if (text('format') === 'csv')
        return csvReply(reply, 'stock-projection.csv', projectionCsv(material, site, r.days));
      return { signal: r.signal, items: r.days };
    },
  });

  app.get('/api/returns', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Returns rate per article and vendor-repair turnaround (541 -> 542) per article and vendor',
    },
    handler: async (request) => {
      const q = request.query as Record<string, unknown>;
      const day = (k: string): Date | undefined => {
        const v = q[k];
        if (v === undefined || v === '') return undefined;
        const d = new Date(String(v));
        if (Number.isNaN(d.getTime()))
          throw new IdocgateError('QUERY_INVALID', `${k} must be an ISO 8601 date`);
        return d;
      };
      const article =
        typeof q['article'] === 'string' && q['article'] !== '' ? normalizeKey(q['article']) : undefined;
      const from = day('from');
      const to = day('to');
      const filter = {
        ...(article !== undefined ? { material: article } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      };
      return {
        returns: await returnsRates(deps.db, filter),
        repairs: await repairTurnarounds(deps.db, filter),
      };
    },
  });
}
