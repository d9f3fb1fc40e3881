/**
 * Calls to the gateway API with the operator's session token. Every answer is JSON (or text for
 * payload views); errors are the API's problem objects, raised as ApiError.
 */
import type { Problem } from './types';

const TOKEN_KEY = 'idocgate.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.message);
  }
}

let onUnauthorized: () => void = () => undefined;

export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

async function problemOf(res: Response): Promise<Problem> {
  try {
    const body: unknown = await res.json();
    if (typeof body === 'object' && body !== null && 'message' in body) return body as Problem;
  } catch {
    // not JSON
  }
  return { code: `HTTP_${res.status}`, message: `${res.status} ${res.statusText}` };
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
  const token = getToken();
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) {
    const problem = await problemOf(res);
    if (res.status === 401 && path !== '/api/session') onUnauthorized();
    throw new ApiError(res.status, problem);
  }
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  const res = await request('GET', path);
  return (await res.json()) as T;
}

export async function getText(path: string): Promise<string> {
  const res = await request('GET', path);
  return res.text();
}

export async function getBlob(method: string, path: string, body?: unknown): Promise<Blob> {
  const res = await request(method, path, body);
  return res.blob();
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const res = await request('POST', path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export async function del(path: string): Promise<void> {
  await request('DELETE', path);
}

/** URL query string from a record, leaving out empty values. */
export function qs(params: Readonly<Record<string, string | number | undefined | null>>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const issues = e.problem.issues ?? [];
    const more =
      issues.length > 0
        ? ` — ${issues.map((i) => (i.path ? `${i.path}: ` : '') + i.message).join('; ')}`
        : '';
    return `${e.problem.code}: ${e.problem.message}${more}`;
  }
  return e instanceof Error ? e.message : String(e);
}
