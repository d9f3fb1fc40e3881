/**
 * Closing the HTTP server: stop accepting, let the requests in flight finish (Fastify answers new
 * ones 503 while closing), and after `drainMs` cut the connections still open, naming the
 * requests they were serving, so a hung stop says what held it. A client cut off this way gets no
 * answer and retries; what it sent is either stored (its retry is then a duplicate of it) or not.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';

const IN_FLIGHT = new WeakMap<FastifyInstance, Set<FastifyRequest>>();

/** Keeps the requests in flight of `app` (call right after creating it, before any route). */
export function trackInFlight(app: FastifyInstance): void {
  const open = new Set<FastifyRequest>();
  IN_FLIGHT.set(app, open);
  app.addHook('onRequest', async (req) => {
    open.add(req);
  });
  app.addHook('onResponse', async (req) => {
    open.delete(req);
  });
  app.addHook('onRequestAbort', async (req) => {
    open.delete(req);
  });
}

/** `POST /sap/idoc-xml` for each request still in flight. */
export function requestsInFlight(app: FastifyInstance): string[] {
  return [...(IN_FLIGHT.get(app) ?? [])].map((r) => `${r.method} ${r.url.split('?')[0]}`);
}

export async function closeHttp(app: FastifyInstance, logger: Logger, drainMs: number): Promise<void> {
  const closing = app.close();
  const timer = setTimeout(() => {
    logger.warn(
      { requests: requestsInFlight(app), drainMs },
      'HTTP connections still open after the drain time: closing them',
    );
    app.server.closeAllConnections();
  }, drainMs);
  try {
    await closing;
  } finally {
    clearTimeout(timer);
  }
}
