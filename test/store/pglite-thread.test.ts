/**
 * PGlite in a worker thread (src/store/db/pglite-thread.ts, the embedded default): the main event
 * loop keeps running while the WASM Postgres works, which PGlite on the main thread does not do;
 * transactions and SQLSTATEs cross the thread; an idle thread does not keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db/db.js';

/** Main-thread turns (setImmediate) counted while a CPU-heavy query runs in the database. */
async function turnsDuringHeavyQuery(pgliteThread: boolean): Promise<number> {
  const db = await openDb({ dataDir: 'memory://', pgliteThread });
  try {
    await db.query('SELECT 1');
    let turns = 0;
    let running = true;
    const spin = (): void => {
      if (!running) return;
      turns++;
      setImmediate(spin);
    };
    const query = db.query('SELECT count(*) AS n FROM generate_series(1, 300000) g WHERE g % 7 = 0');
    setImmediate(spin);
    const { rows } = await query;
    running = false;
    expect(Number(rows[0]!['n'])).toBe(42857);
    return turns;
  } finally {
    await db.close();
  }
}

describe('PGlite in a worker thread', () => {
  it('leaves the main event loop free while a query runs (on the main thread it is blocked)', async () => {
    expect(await turnsDuringHeavyQuery(true)).toBeGreaterThan(20);
    expect(await turnsDuringHeavyQuery(false)).toBeLessThan(5);
  }, 60_000);

  it('runs transactions (commit and rollback) and reports SQLSTATEs across the thread', async () => {
    const db = await openDb({ dataDir: 'memory://', schema: 'wt_thru_thread' });
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, b bytea)');
      const at = new Date('2026-01-02T03:04:05.678Z');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2, $3)', [1, at, new Uint8Array([1, 2, 255])]);
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t VALUES (2, now(), NULL)');
          await tx.query('INSERT INTO t VALUES (1, now(), NULL)'); // duplicate key
        }),
      ).rejects.toMatchObject({ code: 'STORE_QUERY_FAILED', message: expect.stringContaining('23505') });
      const { rows } = await db.query('SELECT id, at, b FROM t ORDER BY id');
      expect(rows).toEqual([{ id: 1, at, b: new Uint8Array([1, 2, 255]) }]);
    } finally {
      await db.close();
    }
  });

  it('does not keep the process alive when idle and not closed', () => {
    const script = `
      import { openDb } from './src/store/db/db.ts';
      const db = await openDb({ dataDir: 'memory://' });
      console.log(JSON.stringify((await db.query('SELECT 41 + 1 AS n')).rows));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stdout.trim(), r.stderr).toBe('[{"n":42}]');
    expect(r.status).toBe(0);
  }, 40_000);
});
