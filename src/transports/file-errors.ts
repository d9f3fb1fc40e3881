/**
 * Classification of file-system errors for the file port: conditions that pass (disk full, I/O
 * error, share not mounted yet) are transient; permission and path problems are permanent.
 */
import type { ErrorCode } from '../errors.js';
import { errnoCode } from './classify-http.js';
import { TransportError } from './transport-error.js';

const TRANSIENT = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EBUSY',
  'ETIMEDOUT',
  'ESTALE',
  'ENOENT',
  'EINTR',
]);

const PERMANENT = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'ENAMETOOLONG',
  'EISDIR',
  'EINVAL',
  'ELOOP',
]);

export function fileErrorCode(e: unknown): ErrorCode {
  const code = errnoCode(e) ?? '';
  if (PERMANENT.has(code)) return 'TRANSPORT_FILE_REJECTED';
  if (TRANSIENT.has(code)) return 'TRANSPORT_FILE_IO';
  return 'TRANSPORT_FILE_IO';
}

export function fileError(e: unknown, action: string, path: string): TransportError {
  if (e instanceof TransportError) return e;
  const errno = errnoCode(e) ?? 'error';
  return new TransportError(fileErrorCode(e), `${action} ${path} failed (${errno})`, { cause: e });
}
