/**
 * Operator sign-in throttling: failed password checks are counted per user name. After
 * `maxFailures` failures of one name within `windowMs` the name is locked for `lockMs`: even the
 * right password is refused meanwhile (429 LOGIN_LOCKED with Retry-After), so guessing cannot go
 * on. A successful sign-in clears the name's count. Unknown names count like known ones, so a
 * lock says nothing about whether a name exists.
 *
 * Deliberately not per client address: behind a reverse proxy every caller has the proxy's
 * address, and one client's failures would lock everybody out. Spraying one password over many
 * names still meets each name's own limit. State is per API process (like sessions), bounded to
 * `maxEntries` names.
 */

export interface LoginLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
  readonly maxEntries: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = Object.freeze({
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxEntries: 10_000,
});

interface Entry {
  count: number;
  first: number;
  lockedUntil: number;
}

export class LoginLimiter {
  readonly #limits: LoginLimits;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(limits: Partial<LoginLimits> = {}, now: () => number = Date.now) {
    this.#limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.#now = now;
  }

  /** Milliseconds until the user name may try again; 0 when it is not locked. */
  lockedFor(username: string): number {
    const e = this.#entries.get(username);
    const now = this.#now();
    return e !== undefined && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  failed(username: string): void {
    const now = this.#now();
    let e = this.#entries.get(username);
    if (e === undefined || (now - e.first > this.#limits.windowMs && e.lockedUntil <= now)) {
      this.#entries.delete(username);
      e = { count: 0, first: now, lockedUntil: 0 };
      this.#make(username, e);
    }
    e.count++;
    if (e.count >= this.#limits.maxFailures) e.lockedUntil = now + this.#limits.lockMs;
  }

  succeeded(username: string): void {
    this.#entries.delete(username);
  }

  /** Number of names tracked (bounded by maxEntries). */
  get size(): number {
    return this.#entries.size;
  }

  #make(key: string, e: Entry): void {
    if (this.#entries.size >= this.#limits.maxEntries) {
      const now = this.#now();
      for (const [k, v] of this.#entries)
        if (v.lockedUntil <= now && now - v.first > this.#limits.windowMs) this.#entries.delete(k);
      // Still full: forget the oldest names that are not locked (Map keeps insertion order).
      for (const [k, v] of this.#entries) {
        if (this.#entries.size < this.#limits.maxEntries) break;
        if (v.lockedUntil <= now) this.#entries.delete(k);
      }
      if (this.#entries.size >= this.#limits.maxEntries) return; // every slot holds a lock: count no more
    }
    this.#entries.set(key, e);
  }
}
