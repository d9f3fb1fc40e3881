/**
 * The gateway process: `node dist/src/main.js [--config file] [--role api|worker|scheduler|all]
 * [--host addr] [--port n]` (`npm start` runs all roles in one process). With no config (neither
 * `--config` nor `IDOCGATE_CONFIG`) it starts the self-contained demo instead (src/demo/demo.ts:
 * example partners, fake SAP and webhooks in-process, loopback only). Loads the config once, builds the app, listens,
 * and on SIGTERM/SIGINT closes gracefully: stops taking requests and jobs, lets jobs in flight
 * finish, then closes queues, Redis and the store. A second signal exits at once.
 *
 * Exit codes: 0 after a graceful stop, 1 when start-up fails (config, Redis, database) or the
 * graceful stop fails or times out, 2 for a usage error.
 */
import { pathToFileURL } from 'node:url';
import { ALL_ROLES, buildApp, type App, type Role } from './wiring/app.js';
import { loadConfig } from './config/load.js';
import { isIdocgateError } from './errors.js';
import { createLogger } from './wiring/logging.js';
import { RedisUnavailableError } from './redis/connect.js';
import { DemoRefusedError, startDemo } from './demo/demo.js';

export interface ServeOptions {
  /** Config file; default $IDOCGATE_CONFIG; with neither, the demo starts. */
  readonly config?: string;
  readonly roles: readonly Role[];
  /** Overrides `server.host` / `server.port` of the config (the demo: 127.0.0.1:8080). */
  readonly host?: string;
  readonly port?: number;
  readonly logLevel?: string;
  /** Milliseconds a graceful stop may take before the process exits with 1 (default 30 s). */
  readonly stopTimeoutMs?: number;
}

/** `api,worker` / `all` -> roles; throws with a usage message for anything else. */
export function parseRoles(value: string | undefined): Role[] {
  if (value === undefined || value === 'all') return [...ALL_ROLES];
  const roles = value.split(',').map((r) => r.trim());
  const bad = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
  if (bad.length > 0 || roles.length === 0)
    throw new UsageError(`--role must be all or a comma list of ${ALL_ROLES.join(', ')} (got "${value}")`);
  return roles as Role[];
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Starts the gateway and installs the signal handlers; resolves once it listens (api) or runs. */
export async function serve(options: ServeOptions): Promise<App | undefined> {
  let app: App;
  let close: () => Promise<void>;
  const file = options.config ?? (process.env['IDOCGATE_CONFIG'] || undefined);
  const listenAt = {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  };
  try {
    if (file === undefined) {
      if (options.roles.length !== ALL_ROLES.length)
        throw new UsageError(
          'the demo (no config) runs all roles in one process; --role needs --config <file>',
        );
      // The demo's own lines are the point: the JSON log only says what goes wrong (LOG_LEVEL to change).
      const logger = createLogger({ level: options.logLevel ?? process.env['LOG_LEVEL'] ?? 'warn' });
      const demo = await startDemo({
        ...listenAt,
        env: process.env,
        logger,
        print: (text) => process.stdout.write(text),
        searchPath: process.env['PATH'] ?? '',
      });
      app = demo.app;
      close = () => demo.close();
    } else {
      const loaded = loadConfig({ file });
      const logger = createLogger({ level: options.logLevel ?? process.env['LOG_LEVEL'] ?? 'info' });
      logger.info({ config: loaded.source, roles: options.roles }, 'idocgate starting');
      const built = await buildApp({
        loaded,
        roles: options.roles,
        logger,
        searchPath: process.env['PATH'] ?? '',
      });
      app = built;
      close = () => built.close();
      if (options.roles.includes('api')) await built.listen(listenAt);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof DemoRefusedError) {
      process.stderr.write(`idocgate: ${err.message}\n`);
      process.exitCode = 2;
      return undefined;
    }
    if (err instanceof RedisUnavailableError) process.stderr.write(`${err.message}\n`);
    else if (isIdocgateError(err)) process.stderr.write(`idocgate: ${err.code}: ${err.message}\n`);
    else
      process.stderr.write(
        `idocgate: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    process.exitCode = 1;
    return undefined;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      app.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    app.logger.info({ signal }, 'stopping: draining requests and jobs in flight');
    const timer = setTimeout(() => {
      app.logger.error({ signal }, 'graceful stop timed out');
      process.exit(1);
    }, options.stopTimeoutMs ?? 30_000);
    timer.unref();
    close().then(
      () => {
        app.logger.info('stopped');
        clearTimeout(timer);
        process.exitCode = 0;
        app.logger.flush();
        // Handles of libraries (BullMQ, pg, PGlite) are closed; exit without waiting on stragglers.
        setImmediate(() => process.exit(0));
      },
      (err: unknown) => {
        app.logger.error({ err }, 'graceful stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return app;
}

function argValue(args: readonly string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
}

/** `--port 8080` -> 8080; throws a usage error for anything but 0..65535. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got "${value}")`);
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let roles: Role[];
  let port: number | undefined;
  try {
    roles = parseRoles(argValue(args, '--role'));
    port = parsePort(argValue(args, '--port'));
  } catch (e) {
    process.stderr.write(`idocgate: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const config = argValue(args, '--config');
  const host = argValue(args, '--host');
  await serve({
    roles,
    ...(config !== undefined ? { config } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
