/**
 * Logging, the implementation of the one logger port (src/logger.ts): one pino logger for the process (the use cases make a child logger per message or job),
 * and redaction of everything secret (authorization headers, API keys,
 * passwords, session tokens) wherever it appears in a logged object.
 */
import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type { PinoLogger };

/** Paths pino replaces with `[redacted]` (see https://getpino.io/#/docs/redaction). */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'authorization',
  'password',
  'passwordHash',
  'apiKey',
  'token',
  'secret',
  '*.password',
  '*.passwordHash',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.authorization',
];

export interface LoggerSettings {
  readonly level?: string;
  /** Where log lines go (default stdout); tests pass a stream to capture output. */
  readonly destination?: DestinationStream;
  readonly name?: string;
}

export function createLogger(settings: LoggerSettings = {}): PinoLogger {
  const options: LoggerOptions = {
    name: settings.name ?? 'idocgate',
    level: settings.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
