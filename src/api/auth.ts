/**
 * Who is calling. Senders (SAP ports and partners) authenticate with an API key
 * (`Authorization: Bearer <key>` or `X-Api-Key`, stored as SHA-256 digests) or HTTP basic (SAP's
 * HTTP destination: the port's `inboundAuth`, or a partner's `credentials.basic`). Operators sign
 * in to the support API with HTTP basic (scrypt hashes) or a session token from POST /api/session.
 * Sender credentials never open the support API, operator credentials never post messages.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/load.js';
import { IdocgateError } from '../errors.js';
import type { Principal } from '../pipeline/gateway-port.js';
import {
  apiKeyMatches,
  parseBasic,
  parseBearer,
  safeEqual,
  sha256Hex,
  verifyPassword,
} from './credentials.js';
import { LoginLimiter, type LoginLimits } from './login-limit.js';

export type OperatorRole = 'viewer' | 'operator';
export type OperatorPrincipal = Extract<Principal, { kind: 'operator' }>;
export type SenderPrincipal = Extract<Principal, { kind: 'port' | 'partner' }>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface Session {
  readonly token: string;
  readonly operator: OperatorPrincipal;
  readonly expiresAt: Date;
}

export interface AuthOptions {
  readonly config: Readonly<Config>;
  readonly secrets: Secrets;
  readonly now?: () => number;
  /** Session lifetime (default 8 hours). */
  readonly sessionTtlMs?: number;
  /** Operator sign-in throttling (./login-limit.ts; default: 5 failures of a name in 15 min lock it 15 min). */
  readonly loginLimits?: Partial<LoginLimits>;
}

type Headers = FastifyRequest['headers'];

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const SESSION_PREFIX = 'igs_';
const MAX_CACHED = 1000;

interface BasicAccount {
  readonly principal: Principal;
  readonly password: { readonly plain: string } | { readonly hash: string };
}

export class Authenticator {
  readonly #config: Readonly<Config>;
  readonly #secrets: Secrets;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #sessions = new Map<string, Session>();
  /** Successful scrypt checks (digest of user + password -> until), so basic auth stays cheap. */
  readonly #verified = new Map<string, number>();
  readonly #limiter: LoginLimiter;

  constructor(options: AuthOptions) {
    this.#config = options.config;
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
    this.#ttl = options.sessionTtlMs ?? 8 * 3_600_000;
    this.#limiter = new LoginLimiter(options.loginLimits, this.#now);
  }

  /** The port or partner behind the request's credentials; undefined when none are valid. */
  async sender(headers: Headers): Promise<SenderPrincipal | undefined> {
    const authorization = header(headers, 'authorization');
    const key = header(headers, 'x-api-key') || parseBearer(authorization);
    if (key !== undefined && !key.startsWith(SESSION_PREFIX)) {
      let found: SenderPrincipal | undefined;
      for (const [name, p] of Object.entries(this.#config.partners)) {
        if (apiKeyMatches(key, p.credentials.apiKeySha256) && found === undefined)
          found = { kind: 'partner', name };
      }
      return found;
    }
    const basic = parseBasic(authorization);
    if (basic === undefined) return undefined;
    const account = this.#senderAccount(basic.username);
    if (account === undefined || account.principal.kind === 'operator') return undefined;
    return (await this.#passwordOk(basic.username, basic.password, account)) ? account.principal : undefined;
  }

  /**
   * The operator behind a session token or basic credentials; undefined when none are valid.
   * A locked user name (too many failed sign-ins, ./login-limit.ts) throws LOGIN_LOCKED.
   */
  async operator(headers: Headers): Promise<OperatorPrincipal | undefined> {
    const authorization = header(headers, 'authorization');
    const token = parseBearer(authorization);
    if (token !== undefined) return this.#session(token)?.operator;
    const basic = parseBasic(authorization);
    if (basic === undefined) return undefined;
    // A port's or partner's user name is no operator sign-in attempt (nor a guess at one).
    if (!Object.hasOwn(this.#config.operators, basic.username) && this.#senderAccount(basic.username))
      return undefined;
    return this.checkOperatorPassword(basic.username, basic.password);
  }

  /** Checks an operator's password; throws LOGIN_LOCKED while the user name is locked. */
  async checkOperatorPassword(username: string, password: string): Promise<OperatorPrincipal | undefined> {
    const wait = this.#limiter.lockedFor(username);
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      throw new IdocgateError(
        'LOGIN_LOCKED',
        `too many failed sign-ins: try again in ${retryAfterSeconds} s`,
        { issues: [{ code: 'LOGIN_LOCKED', message: 'locked', details: { retryAfterSeconds } }] },
      );
    }
    const account = this.#operatorAccount(username);
    if (account === undefined) {
      // Same work for an unknown name as for a wrong password.
      await verifyPassword(password, DUMMY_HASH);
      this.#limiter.failed(username);
      return undefined;
    }
    const ok = await this.#passwordOk(username, password, account);
    if (!ok) {
      this.#limiter.failed(username);
      return undefined;
    }
    this.#limiter.succeeded(username);
    return account.principal as OperatorPrincipal;
  }

  async openSession(username: string, password: string): Promise<Session | undefined> {
    const operator = await this.checkOperatorPassword(username, password);
    if (operator === undefined) return undefined;
    this.#expireSessions();
    const session: Session = {
      token: `${SESSION_PREFIX}${randomBytes(32).toString('base64url')}`,
      operator,
      expiresAt: new Date(this.#now() + this.#ttl),
    };
    this.#sessions.set(sha256Hex(session.token), session);
    return session;
  }

  closeSession(headers: Headers): boolean {
    const token = parseBearer(header(headers, 'authorization'));
    return token !== undefined && this.#sessions.delete(sha256Hex(token));
  }

  #session(token: string): Session | undefined {
    const key = sha256Hex(token);
    const s = this.#sessions.get(key);
    if (s === undefined) return undefined;
    if (s.expiresAt.getTime() <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return s;
  }

  #expireSessions(): void {
    const now = this.#now();
    for (const [k, s] of this.#sessions) if (s.expiresAt.getTime() <= now) this.#sessions.delete(k);
  }

  #senderAccount(username: string): BasicAccount | undefined {
    for (const [name, port] of Object.entries(this.#config.ports)) {
      const a = port.inboundAuth;
      if (a !== undefined && a.username === username)
        return { principal: { kind: 'port', name }, password: this.#password(a) };
    }
    for (const [name, partner] of Object.entries(this.#config.partners)) {
      const b = partner.credentials.basic;
      if (b !== undefined && b.username === username)
        return { principal: { kind: 'partner', name }, password: this.#password(b) };
    }
    return undefined;
  }

  #operatorAccount(username: string): BasicAccount | undefined {
    const op = Object.hasOwn(this.#config.operators, username) ? this.#config.operators[username] : undefined;
    if (op === undefined) return undefined;
    const hash = op.passwordHash ?? (op.passwordHashEnv ? this.#secrets.get(op.passwordHashEnv) : '');
    return { principal: { kind: 'operator', name: username, role: op.role }, password: { hash } };
  }

  #password(c: {
    passwordEnv?: string | undefined;
    passwordHash?: string | undefined;
  }): BasicAccount['password'] {
    if (c.passwordHash !== undefined) return { hash: c.passwordHash };
    return { plain: c.passwordEnv !== undefined ? this.#secrets.get(c.passwordEnv) : '' };
  }

  async #passwordOk(username: string, password: string, account: BasicAccount): Promise<boolean> {
    if ('plain' in account.password)
      return account.password.plain !== '' && safeEqual(password, account.password.plain);
    const cacheKey = sha256Hex(`${username}\u0000${password}\u0000${account.password.hash}`);
    const until = this.#verified.get(cacheKey);
    if (until !== undefined && until > this.#now()) return true;
    const ok = await verifyPassword(password, account.password.hash);
    if (ok) {
      if (this.#verified.size >= MAX_CACHED) this.#verified.clear();
      this.#verified.set(cacheKey, this.#now() + 5 * 60_000);
    }
    return ok;
  }
}

/** A valid hash of a random password, verified against when the user name is unknown. */
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$9o2Y2m8U6yR0h3y1m1xJb2f6mY0hH3hYbXg6oS2kq7k';

/** True when the request carries credentials of any kind (basic, bearer, API key). */
function carriesCredentials(headers: Headers): boolean {
  return header(headers, 'authorization') !== undefined || header(headers, 'x-api-key') !== undefined;
}

/** Sent credentials that matched no account (which part was wrong is not said). */
const NOT_ACCEPTED =
  'the credentials sent were not accepted: unknown user, wrong password or unknown API key';

function unauthorized(reply: FastifyReply, message: string): IdocgateError {
  void reply.header('www-authenticate', 'Basic realm="idocgate", charset="UTF-8"');
  return new IdocgateError('AUTH_REQUIRED', message);
}

/**
 * onRequest hook for endpoints where SAP and partners post messages: runs before the body is read,
 * so a caller without credentials never gets its body parsed (or its size checked).
 */
export function requireSender(auth: Authenticator) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = await auth.sender(request.headers);
    if (principal !== undefined) {
      request.principal = principal;
      return;
    }
    if ((await auth.operator(request.headers)) !== undefined)
      throw new IdocgateError(
        'FORBIDDEN',
        'operators cannot post messages; use a partner or port credential',
      );
    throw unauthorized(
      reply,
      carriesCredentials(request.headers)
        ? NOT_ACCEPTED
        : 'a partner API key (Authorization: Bearer / X-Api-Key) or HTTP basic credentials are required',
    );
  };
}

/** onRequest hook for the support API: `viewer` reads, `operator` also changes. */
export function requireOperator(auth: Authenticator, role: OperatorRole) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = await auth.operator(request.headers);
    if (principal === undefined) {
      if ((await auth.sender(request.headers)) !== undefined)
        throw new IdocgateError('FORBIDDEN', 'partner and SAP credentials cannot use the support API');
      throw unauthorized(
        reply,
        carriesCredentials(request.headers)
          ? `${NOT_ACCEPTED} (or the session expired)`
          : 'operator credentials (HTTP basic or a session token) are required',
      );
    }
    if (role === 'operator' && principal.role !== 'operator')
      throw new IdocgateError(
        'FORBIDDEN',
        `operator "${principal.name}" has role viewer; this needs role operator`,
      );
    request.principal = principal;
  };
}

/** The operator a support handler runs for (set by requireOperator). */
export function operatorOf(request: FastifyRequest): OperatorPrincipal {
  const p = request.principal;
  if (p === null || p.kind !== 'operator')
    throw new IdocgateError('AUTH_REQUIRED', 'operator credentials are required');
  return p;
}

/** The sender a posting handler runs for (set by requireSender). */
export function senderOf(request: FastifyRequest): SenderPrincipal {
  const p = request.principal;
  if (p === null || p.kind === 'operator')
    throw new IdocgateError('AUTH_REQUIRED', 'sender credentials are required');
  return p;
}
