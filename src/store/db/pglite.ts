/**
 * Db on embedded PGlite with its data directory on disk. PGlite is one connection: queries and
 * transactions are serialized through a mutex (PGlite also serializes internally).
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Db, DbOptions, Queryable, Row } from './types.js';
import { wrapDbError } from './errors.js';
import { lockDataDir } from './dir-lock.js';
import { Mutex } from './mutex.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

function queryable(target: PgliteLike): Queryable {
  return {
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: T[] }> {
      try {
        const result = await target.query<T>(sql, [...params]);
        return { rows: result.rows };
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await target.exec(sql);
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
  };
}

export async function openPgliteDb(dataDir: string, options: DbOptions): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const unlock = inMemory ? async () => undefined : await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    if (!inMemory) await mkdir(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir);
  } catch (err) {
    await unlock();
    throw wrapDbError(err, `open PGlite data directory ${dataDir}`);
  }
  const direct = queryable(pglite);
  if (options.schema !== undefined) {
    try {
      await direct.exec(
        `CREATE SCHEMA IF NOT EXISTS ${options.schema}; SET search_path TO ${options.schema}`,
      );
    } catch (err) {
      await pglite.close().catch(() => undefined);
      await unlock();
      throw err;
    }
  }
  const mutex = new Mutex();

  return {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => direct.query(sql, params)),
    exec: (sql) => mutex.run(() => direct.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return mutex.run(async () => {
        let fnError: { error: unknown } | undefined;
        try {
          return await pglite.transaction(async (tx) => {
            try {
              return await fn(queryable(tx));
            } catch (error) {
              fnError = { error };
              throw error;
            }
          });
        } catch (err) {
          // Errors of `fn` pass unchanged (its queries are already wrapped).
          if (fnError !== undefined && fnError.error === err) throw err;
          throw wrapDbError(err, 'transaction');
        }
      });
    },
    async close(): Promise<void> {
      await mutex.run(async () => {
        if (!pglite.closed) await pglite.close();
        await unlock();
      });
    },
  };
}
