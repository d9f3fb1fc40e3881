/**
 * Serves the operations console (the single-page app built by Vite from console/ into
 * console/dist) at /console:
 *
 *   /console/assets/*   hashed bundles: long cache (1 year, immutable)
 *   /console, /console/* index.html (no-cache): the SPA's router takes the path from there
 *
 * Nothing is fetched from elsewhere: a Content-Security-Policy allows only this origin. When the
 * console was not built, /console answers 503 with how to build it (the API works regardless).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PROJECT_ROOT } from '../paths.js';

export const CONSOLE_DIST = join(PROJECT_ROOT, 'console', 'dist');

export interface ConsoleOptions {
  /** Folder of the built console (default console/dist of the project). */
  readonly dist?: string;
}

/** Only this origin; inline styles are needed by the component library's CSS variables. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>idocgate console not built</title>
<body style="font-family: system-ui, sans-serif; margin: 2rem">
<h1>The idocgate console is not built</h1>
<p>Run <code>npm run console:build</code> (part of <code>npm install</code> and <code>npm start</code>) and reload.
The API under <a href="/docs">/docs</a> works without it.</p></body>`;

export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions = {}): Promise<void> {
  const dist = options.dist ?? CONSOLE_DIST;
  const assets = join(dist, 'assets');
  const indexFile = join(dist, 'index.html');

  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/console/assets/',
      wildcard: true,
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
      schemaHide: true,
      logLevel: 'warn',
    });
  } else {
    app.log.warn({ dist }, 'console not built (run npm run console:build); /console answers 503');
  }

  const sendIndex = async (reply: FastifyReply): Promise<FastifyReply> => {
    void reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8');
    } catch {
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    return reply.type('text/html; charset=utf-8').send(html);
  };

  const route = { schema: { hide: true }, logLevel: 'warn' as const };
  app.get('/console', route, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console/', route, async (_request, reply) => sendIndex(reply));
  app.get('/console/*', route, async (request, reply) => {
    // A missing hashed asset is a 404, not the app (a stale tab after an upgrade reloads instead).
    if (request.url.startsWith('/console/assets/'))
      return reply.code(404).type('text/plain').send('not found');
    return sendIndex(reply);
  });
}
