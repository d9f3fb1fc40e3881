/** Db on real PostgreSQL through a node-postgres pool. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, DbOptions, Queryable, Row } from './types.js';
import { wrapDbError } from './errors.js';

type Client = pg.PoolClient;

/** At most this many distinct statements are prepared per process (search SQL varies with its filters). */
const MAX_NAMED = 1000;
const names = new Map<string, string>();

/**
 * The query config: parameterised SQL runs as a named prepared statement, so each pooled
 * connection parses and plans it once and later calls send only the name and the values.
 */
export function queryConfig(sql: string, params: readonly unknown[]): pg.QueryConfig {
  const values = params as unknown[];
  if (values.length === 0) return { text: sql, values };
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `idg_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name === undefined ? { text: sql, values } : { name, text: sql, values };
}

function clientQueryable(client: Client): Queryable {
  return {
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: T[] }> {
      try {
        const result = await client.query(queryConfig(sql, params));
        return { rows: result.rows as T[] };
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
  };
}

export function openPgDb(databaseUrl: string, options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    // search_path as a startup parameter: set before the first statement of every connection.
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  pool.on('error', (err) => options.onError?.(err));

  return {
    kind: 'postgres',
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: T[] }> {
      try {
        const result = await pool.query(queryConfig(sql, params));
        return { rows: result.rows as T[] };
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await pool.query(sql);
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: Client;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrapDbError(err, 'connect');
      }
      let broken = false;
      let phase = 'BEGIN';
      try {
        await client.query('BEGIN');
        phase = 'fn';
        const result = await fn(clientQueryable(client));
        phase = 'COMMIT';
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        // Errors of `fn` pass unchanged (its queries are already wrapped).
        throw phase === 'fn' ? err : wrapDbError(err, phase);
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
