/**
 * One tiny database interface with two implementations: node-postgres (`pg.Pool`) when a
 * database URL is given, and embedded PGlite (Postgres compiled to WASM) with its data directory
 * on disk otherwise. The same SQL runs on both.
 */
import { IdocgateError } from '../../errors.js';
import type { Db, DbOptions, Queryable } from './types.js';

// The interface is ./db-types.ts (the drivers import it from there, so no module imports the one
// that loads it); re-exported here, where every repository imports it from.
export type { Db, DbOptions, Queryable, Row } from './types.js';

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
    const { openPgDb } = await import('./pg.js');
    return openPgDb(options.databaseUrl, options);
  }
  if (options.dataDir) {
    if (options.pgliteThread ?? true) {
      const { openPgliteThreadDb } = await import('./pglite-thread.js');
      return openPgliteThreadDb(options.dataDir, options);
    }
    const { openPgliteDb } = await import('./pglite.js');
    return openPgliteDb(options.dataDir, options);
  }
  throw new IdocgateError(
    'STORE_QUERY_FAILED',
    'Neither a database URL nor a PGlite data directory is configured',
  );
}

/** One round trip to the database (the readiness check of /readyz); throws when it cannot answer. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}
