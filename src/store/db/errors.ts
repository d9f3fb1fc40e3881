/** Turns driver errors into catalogue errors with a retry verdict. */
import { IdocgateError } from '../../errors.js';

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

function sqlState(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** SQLSTATE classes that may pass: connection (08), resources (53), shutdown (57P), conflicts (40). */
export function isTransientDbError(err: unknown): boolean {
  const code = sqlState(err);
  if (code === undefined) {
    const message = err instanceof Error ? err.message : '';
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  }
  return (
    TRANSIENT_NODE_CODES.has(code) ||
    code.startsWith('08') ||
    code.startsWith('53') ||
    code.startsWith('57P') ||
    code === '40001' ||
    code === '40P01' ||
    code === '55P03'
  );
}

export function wrapDbError(err: unknown, sql: string): IdocgateError {
  if (err instanceof IdocgateError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  const statement = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
  const text = `${message}${state ? ` (SQLSTATE ${state})` : ''} in: ${statement}`;
  return new IdocgateError(isTransientDbError(err) ? 'STORE_UNAVAILABLE' : 'STORE_QUERY_FAILED', text, {
    cause: err,
  });
}
