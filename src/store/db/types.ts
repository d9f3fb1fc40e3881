/** The database interface both drivers (./pg.ts, ./pglite.ts, ./pglite-thread.ts) implement; ./db.ts opens one. */
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
   * PGlite in a worker thread of its own (default true; false: on the main thread). See src/store/db/pglite-thread.ts.
   */
  readonly pgliteThread?: boolean;
  /** Called with errors of idle pool connections (which would otherwise crash the process). */
  readonly onError?: (err: unknown) => void;
}
