/**
 * Db on embedded PGlite running in a worker thread (docs/store.md, "PGlite off the main
 * thread"): the WASM Postgres works on the second core while the main thread parses, maps and
 * serves HTTP. Each query is one message to the thread and one back (structured clone). The
 * thread is one connection: queries and transactions are serialized here through a mutex, a
 * transaction being BEGIN, the caller's queries, COMMIT (ROLLBACK when it throws).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { IdocgateError } from '../../errors.js';
import type { Db, DbOptions, Queryable, Row } from './types.js';
import { wrapDbError } from './errors.js';
import { lockDataDir } from './dir-lock.js';
import { Mutex } from './mutex.js';

interface ThreadInit {
  /** Absolute path of PGlite's CommonJS entry, resolved here (the thread has no module base). */
  readonly pglite: string;
  readonly dataDir: string;
  readonly schema?: string;
}

type Request =
  | { readonly op: 'query'; readonly sql: string; readonly params: unknown[] }
  | { readonly op: 'exec'; readonly sql: string }
  | { readonly op: 'close' };

type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly rows: unknown[] }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly message: string; readonly code?: string };
    };

/**
 * The thread's code: plain JavaScript (no TypeScript loader in a worker thread), run with
 * `eval`. It owns the PGlite instance and answers one request at a time; rows, Dates and byte
 * arrays cross by structured clone, errors as their message and SQLSTATE. Reply 0 = opened.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { mkdirSync } = require('node:fs');
const { PGlite } = require(workerData.pglite);
const errorOf = (err) => ({
  message: err instanceof Error ? err.message : String(err),
  ...(err && typeof err.code === 'string' ? { code: err.code } : {}),
});
(async () => {
  let db;
  try {
    if (!workerData.dataDir.startsWith('memory://')) mkdirSync(workerData.dataDir, { recursive: true });
    db = await PGlite.create(workerData.dataDir);
    if (workerData.schema !== undefined) {
      await db.exec('CREATE SCHEMA IF NOT EXISTS ' + workerData.schema + '; SET search_path TO ' + workerData.schema);
    }
    parentPort.postMessage({ id: 0, ok: true, rows: [] });
  } catch (err) {
    parentPort.postMessage({ id: 0, ok: false, error: errorOf(err) });
    return;
  }
  parentPort.on('message', async (r) => {
    try {
      if (r.op === 'query') {
        const result = await db.query(r.sql, r.params);
        parentPort.postMessage({ id: r.id, ok: true, rows: result.rows });
      } else if (r.op === 'exec') {
        await db.exec(r.sql);
        parentPort.postMessage({ id: r.id, ok: true, rows: [] });
      } else {
        if (!db.closed) await db.close();
        parentPort.postMessage({ id: r.id, ok: true, rows: [] });
      }
    } catch (err) {
      parentPort.postMessage({ id: r.id, ok: false, error: errorOf(err) });
    }
  });
})();
`;

class ThreadError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

export async function openPgliteThreadDb(dataDir: string, options: DbOptions): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  const unlock = inMemory ? async () => undefined : await lockDataDir(dataDir);
  const init: ThreadInit = {
    pglite: createRequire(import.meta.url).resolve('@electric-sql/pglite'),
    dataDir,
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  };
  // No execArgv: the code is plain CommonJS whatever the main process was started with.
  const worker = new Worker(THREAD_CODE, { eval: true, workerData: init, execArgv: [] });
  const waiting = new Map<number, { resolve(rows: unknown[]): void; reject(err: unknown): void }>();
  let nextId = 1;
  let failed: Error | undefined;
  const fail = (err: Error): void => {
    failed = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (reply: ThreadReply) => {
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    // Idle, the thread does not keep the process alive (as an in-process PGlite would not).
    if (waiting.size === 0) worker.unref();
    if (reply.ok) w.resolve(reply.rows);
    else w.reject(new ThreadError(reply.error.message, reply.error.code));
  });
  worker.on('error', (err) => fail(err));
  worker.on('exit', (code) => fail(new Error(`the PGlite thread ended (exit code ${code})`)));

  const send = (request: Request): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      if (failed !== undefined) {
        reject(failed);
        return;
      }
      const id = nextId++;
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });

  try {
    await new Promise<void>((resolve, reject) => {
      waiting.set(0, { resolve: () => resolve(), reject });
    });
  } catch (err) {
    await worker.terminate().catch(() => undefined);
    await unlock();
    throw wrapDbError(err, `open PGlite data directory ${dataDir}`);
  }

  const direct: Queryable = {
    async query<T = Row>(sql: string, params: readonly unknown[] = []): Promise<{ rows: T[] }> {
      try {
        return { rows: (await send({ op: 'query', sql, params: [...params] })) as T[] };
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await send({ op: 'exec', sql });
      } catch (err) {
        throw wrapDbError(err, sql);
      }
    },
  };
  const mutex = new Mutex();
  let closed = false;

  return {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => direct.query(sql, params)),
    exec: (sql) => mutex.run(() => direct.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return mutex.run(async () => {
        await direct.exec('BEGIN');
        let result: T;
        try {
          result = await fn(direct);
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
        try {
          await direct.exec('COMMIT');
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err instanceof IdocgateError ? err : wrapDbError(err, 'COMMIT');
        }
        return result;
      });
    },
    async close(): Promise<void> {
      await mutex.run(async () => {
        if (closed) return;
        closed = true;
        await send({ op: 'close' }).catch(() => undefined);
        await worker.terminate().catch(() => undefined);
        await unlock();
      });
    },
  };
}
