/**
 * The error every transport throws (declared with the pipeline's transport port,
 * src/pipeline/transport-port.ts, and re-exported here): its verdict comes from the error
 * catalogue (src/errors.ts), so a transport classifies a failure by choosing the code. Plus the
 * transports' redaction of secrets from response excerpts.
 */
export { isTransportError, TransportError, type TransportErrorDetails } from '../pipeline/transport-port.js';

/** Longest response excerpt kept in receipts and errors. */
export const EXCERPT_LENGTH = 500;

/**
 * Removes every occurrence of the given secrets (and their base64 form, as in a Basic
 * Authorization header) from a text, and shortens it to `max` characters.
 */
export function redact(text: string, secrets: readonly string[], max = EXCERPT_LENGTH): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 3) continue;
    out = out.split(s).join('***');
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
