/**
 * HMAC-SHA256 signatures for the JSON webhook (the scheme of Stripe-like webhooks):
 *
 *   X-Idocgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * Receivers recompute the HMAC over the raw body bytes, compare in constant time and reject
 * timestamps outside a tolerance (replay protection). Pure: no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Idocgate-Signature';

function mac(secret: string, t: number, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest();
}

/** The header value for `body` signed at `nowMs`. */
export function signWebhookBody(secret: string, body: Uint8Array, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, body).toString('hex')}`;
}

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'mismatch' | 'expired' };

/**
 * Verifies a signature header. Several `v1=` values are accepted (secret rotation: the sender
 * may sign with old and new secret); any match passes.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  body: Uint8Array,
  secret: string,
  options: { nowMs: number; toleranceSec?: number },
): SignatureCheck {
  if (header === undefined) return { ok: false, reason: 'malformed' };
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v !== undefined && /^\d+$/.test(v)) t = Number(v);
    else if (k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)) candidates.push(v);
  }
  if (t === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  const tolerance = options.toleranceSec ?? 300;
  if (Math.abs(Math.floor(options.nowMs / 1000) - t) > tolerance) return { ok: false, reason: 'expired' };
  const expected = mac(secret, t, body);
  const match = candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'mismatch' };
}
