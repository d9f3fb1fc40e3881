/**
 * Demand forecasts API (viewer role):
 *
 *   GET /api/forecasts?article=&site=&run=&format=csv   forecast days of the latest run (or run=)
 *                                                       for an article and/or site; site=* is the
 *                                                       article total; format=csv downloads CSV
 *
 * The handler parses input and calls the store's listForecasts (src/store/forecast-repo.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IdocgateError } from '../errors.js';
import { csvField } from '../ledger/serials/recall.js';
import { normalizeKey } from '../ledger/serials/types.js';
import type { Queryable } from '../store/db.js';
import { listForecasts, type ForecastRow } from '../store/forecast-repo.js';

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

export async function forecastRoutes(app: FastifyInstance, deps: ForecastRouteDeps): Promise<void> {
  const viewer = deps.viewer ? { preHandler: deps.viewer } : {};
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
}
