/**
 * Guards in front of the support API (`/api/*`), for every route at once so a new route cannot
 * miss them:
 *
 * - **Cross-site requests** (CSRF): the console sends its session token as `Authorization:
 *   Bearer`, which a browser never attaches on its own, but HTTP basic credentials are cached by
 *   browsers and sent with any request to the origin, also one a foreign page triggers (a form
 *   post, a `no-cors` fetch). So a state-changing call (POST, PUT, PATCH, DELETE) is refused with
 *   403 CROSS_SITE_REQUEST when the browser says it comes from another site (`Sec-Fetch-Site:
 *   cross-site | same-site`) or, from a browser that does not send that header, its `Origin` is
 *   not the host the request was sent to (`X-Forwarded-Host` when a proxy sets it). Clients
 *   that are not browsers (curl, scripts) send neither header and pass.
 * - **JSON only**: a state-changing call with a body must say `application/json` (415 otherwise):
 *   `text/plain` and form bodies are exactly what a foreign page can send without a preflight.
 * - **Control characters**: strings in a JSON body (at any depth, keys too) must not hold C0
 *   control characters other than tab, line feed and carriage return, nor DEL: 400
 *   REQUEST_INVALID naming the JSON pointer. PostgreSQL refuses NUL in text, and terminal escape
 *   sequences in an audit reason would reach whoever reads the log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdocgateError, type Issue } from '../errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** C0 controls except \t \n \r, and DEL. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Control characters anywhere (for values where even line breaks are wrong). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const ANY_CONTROL = /[\u0000-\u001f\u007f]/;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function isApi(request: FastifyRequest): boolean {
  return request.url === '/api' || request.url.startsWith('/api/');
}

/** True when the request was sent from another site, by what the browser says. */
export function crossSite(request: FastifyRequest): boolean {
  const site = first(request.headers['sec-fetch-site'])?.toLowerCase();
  // Browsers that send Sec-Fetch-Site say it for themselves (and a proxy rewriting Host cannot
  // confuse it); Origin against Host is the fallback for older ones.
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = first(request.headers['origin']);
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true;
  }
  const host = (first(request.headers['x-forwarded-host']) ?? first(request.headers['host']) ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase();
  return originHost !== host;
}

function hasBody(request: FastifyRequest): boolean {
  const length = first(request.headers['content-length']);
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * Issues for strings in `value` (keys and values, any depth) that match `pattern`, at most
 * `limit`. Iterative, so 10,000 levels of nesting do not exhaust the stack.
 */
export function controlCharacterIssues(
  value: unknown,
  code: string,
  pattern: RegExp = CONTROL,
  limit = 20,
): Issue[] {
  const issues: Issue[] = [];
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  const say = (path: string): void => {
    issues.push({ code, path: path || '/', message: `${path || '/'}: control characters are not accepted` });
  };
  while (stack.length > 0 && issues.length < limit) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (pattern.test(v)) say(path);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}/${i}` });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const p = `${path}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (pattern.test(k)) say(p);
        stack.push({ v: child, path: p });
      }
    }
  }
  return issues;
}

export function registerApiGuards(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!isApi(request) || !STATE_CHANGING.has(request.method)) return;
    if (crossSite(request))
      throw new IdocgateError(
        'CROSS_SITE_REQUEST',
        `${request.method} ${request.url.split('?')[0] ?? ''} was sent from another site (Origin / Sec-Fetch-Site); the support API takes changes only from its own console or from non-browser clients`,
      );
    if (hasBody(request)) {
      const type = (first(request.headers['content-type']) ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json')
        throw new IdocgateError(
          'UNSUPPORTED_MEDIA_TYPE',
          `the support API accepts request bodies as application/json, not "${type || '(none)'}"`,
        );
    }
  });
  app.addHook('preValidation', async (request) => {
    if (!isApi(request) || request.body === undefined || request.body === null) return;
    const issues = controlCharacterIssues(request.body, 'REQUEST_INVALID');
    if (issues.length > 0)
      throw new IdocgateError('REQUEST_INVALID', 'The request body holds control characters', { issues });
  });
}
