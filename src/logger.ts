/**
 * The one logger type of idocgate, a port: what every layer may log through (a child logger per
 * message or job, structured fields first, then the text). Pino implements it, created once by
 * the composition root (src/wiring/logging.ts: redaction of secrets, one logger per process).
 * Never give it secrets or payloads.
 */
export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that writes nothing (unit tests, commands that keep stdout clean). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
