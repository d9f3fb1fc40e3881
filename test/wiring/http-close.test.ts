/**
 * A stop with a request that never finishes: the HTTP server waits the drain time, names the
 * request in a warning and cuts its connection, so the gateway's close completes (a CI run saw
 * the console suite's gateway hang in its HTTP close).
 */
import { request } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/wiring/logging.js';
import { closeHttp, requestsInFlight, trackInFlight } from '../../src/wiring/http-close.js';
import { captureLogs } from '../api/helpers.js';

describe('closing the HTTP server', () => {
  it('cuts a request still open after the drain time and names it', async () => {
    const { stream, capture } = captureLogs();
    const logger = createLogger({ destination: stream, level: 'warn' });
    const app = Fastify();
    trackInFlight(app);
    let reached!: () => void;
    const inHandler = new Promise<void>((r) => (reached = r));
    app.get('/hang', () => {
      reached();
      return new Promise(() => undefined); // never answers
    });
    app.get('/quick', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/quick`)).text()).toBe('ok');

    const cut = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/hang?x=1' }, () => resolve('answered'));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    await inHandler;
    expect(requestsInFlight(app)).toEqual(['GET /hang']);
    await closeHttp(app, logger, 300);
    expect(await cut).toBe('ECONNRESET');
    const warning = capture.lines.find((l) => l.includes('still open after the drain time'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ requests: ['GET /hang'], drainMs: 300 });
  });

  it('an idle server closes at once, with no warning', async () => {
    const { stream, capture } = captureLogs();
    const app = Fastify();
    trackInFlight(app);
    app.get('/quick', async () => 'ok');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/quick`);
    await closeHttp(app, createLogger({ destination: stream, level: 'warn' }), 60_000);
    expect(requestsInFlight(app)).toEqual([]);
    expect(capture.lines).toEqual([]);
  });
});
