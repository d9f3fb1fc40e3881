/**
 * Secrets at rest: API keys are stored as SHA-256 hex digests (they are long random values, so a
 * fast hash is enough), passwords as scrypt hashes `scrypt$N$r$p$<salt>$<hash>` (base64url).
 * Every comparison runs in constant time.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT_KEYLEN = 32;
const DEFAULT_COST = { N: 16384, r: 8, p: 1 } as const;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** True when the API key's SHA-256 digest is one of `digests`; every digest is compared. */
export function apiKeyMatches(key: string, digests: readonly string[]): boolean {
  const given = Buffer.from(sha256Hex(key), 'hex');
  let found = false;
  for (const d of digests) {
    const want = Buffer.from(d, 'hex');
    if (want.length === given.length && timingSafeEqual(want, given)) found = true;
  }
  return found;
}

/** A new random API key (prefix `igk_`, 32 random bytes) and the digest to put in the config. */
export function newApiKey(): { key: string; sha256: string } {
  const key = `igk_${randomBytes(32).toString('base64url')}`;
  return { key, sha256: sha256Hex(key) };
}

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt hash of a password in the `scrypt$N$r$p$salt$hash` form the config accepts. */
export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = DEFAULT_COST,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_KEYLEN, { ...cost, maxmem: 256 * cost.N * cost.r });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checks a password against a `scrypt$...` hash; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(m[4] ?? '', 'base64url');
  const want = Buffer.from(m[5] ?? '', 'base64url');
  if (want.length === 0) return false;
  const got = await scryptAsync(password, salt, want.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(got, want);
}

/** `Authorization: Basic ...` decoded, or undefined. */
export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `Authorization: Bearer <token>`, or undefined. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
