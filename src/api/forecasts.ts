/**
 * Demand forecasts API (viewer role):
 *
 *   GET /api/forecasts?article=&site=&run=&format=csv   forecast days of the latest run (or run=)
 *                                                       for an article and/or site; site=* is the
 *                                                       article total; format=csv downloads CSV
 *   GET /api/stock-signals?article=&site=&reviewDays=&format=csv
 *                                                       order-up-to level, suggested order,
 *                                                       projected stock-out day, overstock
 *   GET /api/lead-times                                 goods issue -> first receipt per lane (days)
 *   GET /api/returns?article=&from=&to=                 returns rate per article; vendor-repair
 *                                                       turnaround (541 -> 542) per article and vendor
 *
 * Handlers parse input and call the store (src/store/forecast-repo.ts, signals-repo.ts) and the
 * stock-signal use case (src/forecast/stock-signals.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdocgateError } from '../errors.js';
import { csvField } from '../ledger/serials/recall.js';
import { normalizeKey } from '../ledger/serials/types.js';
import type { Queryable } from '../store/db.js';
import { leadTimes, type StockSignal } from '../forecast/signals.js';
import { computeStockSignals } from '../forecast/stock-signals.js';
import { listForecasts, type ForecastRow } from '../store/forecast-repo.js';
import { repairTurnarounds, returnsRates } from '../store/returns-repo.js';
import { leadTimeSamples, stockSignalPort } from '../store/signals-repo.js';

type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface ForecastRouteDeps {
  readonly db: Queryable;
  /** Auth pre-handler (viewer); none = open (tests). */
  readonly viewer?: PreHandler;
}

const CSV_COLUMNS = [
  'runId',
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

export async function forecastRoutes(app: FastifyInstance, deps: ForecastRouteDeps): Promise<void> {
  const viewer = deps.viewer ? { onRequest: deps.viewer } : {};
  app.get('/api/forecasts', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Daily demand forecasts with prediction intervals (latest run); ?format=csv for CSV',
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
      const rows = await listForecasts(deps.db, {
        ...(article !== undefined ? { article: normalizeKey(article) } : {}),
        ...(site !== undefined ? { site } : {}),
        ...(run !== undefined ? { runId: Number(run) } : {}),
      });
      if (text('format') === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="forecasts.csv"')
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
      const q = request.query as Record<string, unknown>;
      const text = (k: string): string | undefined =>
        typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined;
      const review = text('reviewDays');
      if (review !== undefined && !/^([1-9]|[1-8]\d|90)$/.test(review))
        throw new IdocgateError('QUERY_INVALID', 'reviewDays must be an integer from 1 to 90');
      const article = text('article');
      const site = text('site');
      const r = await computeStockSignals(
        stockSignalPort(deps.db),
        {
          ...(article !== undefined ? { material: normalizeKey(article) } : {}),
          ...(site !== undefined ? { site } : {}),
        },
        review !== undefined ? { reviewDays: Number(review) } : {},
      );
      if (text('format') === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="stock-signals.csv"')
          .send(signalsCsv(r.signals));
      return { asOf: r.asOf, items: r.signals };
    },
  });

  app.get('/api/lead-times', {
    ...viewer,
    schema: {
      tags: ['Forecasts'],
      summary: 'Lead time goods issue -> first store receipt per lane, in days',
    },
    handler: async () => ({ items: leadTimes(await leadTimeSamples(deps.db)) }),
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
