/**
 * Logging: one pino logger for the process, a child logger per message (messageId, DOCNUM,
 * partner, message type), and redaction of everything secret (authorization headers, API keys,
 * passwords, session tokens) wherever it appears in a logged object.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

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

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'idocgate',
    level: settings.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

export interface MessageLogFields {
  readonly id: string;
  readonly docnum?: string | null;
  readonly partner?: string | null;
  readonly messageType?: string | null;
}

/** A child logger that names the message in every line it writes. */
export function messageLogger(logger: Logger, message: MessageLogFields): Logger {
  return logger.child({
    messageId: message.id,
    ...(message.docnum ? { docnum: message.docnum } : {}),
    ...(message.partner ? { partner: message.partner } : {}),
    ...(message.messageType ? { mestyp: message.messageType } : {}),
  });
}

/** A logger that writes nothing (unit tests, CLI commands that must keep stdout clean). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
