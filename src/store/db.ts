/**
 * One tiny database interface with two implementations: node-postgres (`pg.Pool`) when a
 * database URL is given, and embedded PGlite (Postgres compiled to WASM) with its data directory
 * on disk otherwise. The same SQL runs on both.
 */
import { IdocgateError } from '../errors.js';

/** A row as the driver returns it; repositories parse it (bigint may be number or string). */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of several statements (no parameters), e.g. a migration file. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://... — without it the embedded PGlite database in `dataDir` is used. */
  readonly databaseUrl?: string;
  /** PGlite data directory on disk (`memory://` for a throw-away in-memory database). */
  readonly dataDir?: string;
  /** Schema to work in (created when missing): one per test file, or per tenant. */
  readonly schema?: string;
  /** pg pool size (default 10). */
  readonly poolSize?: number;
  /**
   * PGlite in a worker thread of its own (default true; false: on the main thread). See src/store/db-pglite-thread.ts.
   */
  readonly pgliteThread?: boolean;
  /** Called with errors of idle pool connections (which would otherwise crash the process). */
  readonly onError?: (err: unknown) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new IdocgateError(
      'STORE_QUERY_FAILED',
      `Invalid schema name "${schema}": use lowercase letters, digits and _ (max 63)`,
    );
  }
  return schema;
}

/** Opens the database named by the options (no migrations: see openStore). */
export async function openDb(options: DbOptions): Promise<Db> {
  if (options.schema !== undefined) checkSchemaName(options.schema);
  if (options.databaseUrl) {
    const { openPgDb } = await import('./db-pg.js');
    return openPgDb(options.databaseUrl, options);
  }
  if (options.dataDir) {
    if (options.pgliteThread ?? true) {
      const { openPgliteThreadDb } = await import('./db-pglite-thread.js');
      return openPgliteThreadDb(options.dataDir, options);
    }
    const { openPgliteDb } = await import('./db-pglite.js');
    return openPgliteDb(options.dataDir, options);
  }
  throw new IdocgateError(
    'STORE_QUERY_FAILED',
    'Neither a database URL nor a PGlite data directory is configured',
  );
}
