import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdocgateError } from '../../src/errors.js';
import { openDb } from '../../src/store/db/db.js';
import { lockDataDir } from '../../src/store/db/dir-lock.js';
import { loadMigrations, migrate } from '../../src/store/db/migrate.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { backends, pgliteBackend, postgresBackend, POSTGRES_AVAILABLE } from './backends.js';

// fresh: the first test reads the migrations recorded by a first start on an empty PGlite
describe.each(backends('db', { fresh: true }))('database and migrations on $name', (backend) => {
  let store: OpenedStore;

  beforeAll(async () => {
    if (backend.available) store = await backend.open();
  });
  afterAll(async () => {
    if (backend.available) await store.close();
    await backend.cleanup();
  });

  it.skipIf(!backend.available)(
    'records every migration once and applies nothing the second time',
    async () => {
      const files = await loadMigrations();
      const { rows } = await store.db.query<{ version: string }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
      expect(
        await migrate(
          store.db,
          backend.name === 'postgres' ? { schema: backend.options().schema ?? '' } : {},
        ),
      ).toEqual([]);
    },
  );

  it.skipIf(!backend.available)('rolls a transaction back when its function throws', async () => {
    await store.db.exec('CREATE TABLE IF NOT EXISTS tx_probe (v int)');
    await expect(
      store.db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe (v) VALUES ($1)', [1]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await store.db.query('SELECT count(*)::int AS n FROM tx_probe');
    expect(rows[0]).toEqual({ n: 0 });
  });

  it.skipIf(!backend.available)('turns SQL errors into STORE_QUERY_FAILED with the SQLSTATE', async () => {
    const err: unknown = await store.db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdocgateError);
    expect((err as IdocgateError).code).toBe('STORE_QUERY_FAILED');
    expect((err as IdocgateError).message).toContain('42P01');
  });

  it.skipIf(!backend.available)('hands out 16-digit IDoc numbers that only increase', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 20; i++) numbers.push(await store.nextIdocNumber());
    expect(numbers.every((n) => /^\d{16}$/.test(n))).toBe(true);
    expect([...numbers].sort()).toEqual(numbers);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it.skipIf(!backend.available)('refuses an applied migration whose file changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idocgate-mig-'));
    try {
      const schema = backend.name === 'postgres' ? { schema: backend.options().schema ?? '' } : {};
      // Recorded in the same schema_migrations table: use a version the real migrations do not use.
      await writeFile(join(dir, '9001_probe.sql'), 'CREATE TABLE mig_probe (a int);');
      expect(await migrate(store.db, { dir, ...schema })).toEqual(['9001_probe.sql']);
      expect(await migrate(store.db, { dir, ...schema })).toEqual([]);
      await writeFile(join(dir, '9001_probe.sql'), 'CREATE TABLE mig_probe (a int, b int);');
      await expect(migrate(store.db, { dir, ...schema })).rejects.toMatchObject({
        code: 'STORE_MIGRATION_FAILED',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PGlite on disk', () => {
  const backend = pgliteBackend('reopen');
  afterAll(() => backend.cleanup());

  it('keeps messages and the IDoc number sequence across close and reopen', async () => {
    const first = await backend.open();
    const { message } = await first.receive({
      direction: 'in',
      partner: 'WMS',
      raw: { format: 'json', content: '{"scan":"SN-1"}' },
      searchKeys: [{ kind: 'serial', value: 'SN-1' }],
      by: 'test',
    });
    const before = await first.nextIdocNumber();
    await first.close();

    const second = await backend.open();
    try {
      await expect(backend.open()).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining('already open in this process') as unknown,
      });
      expect(await second.get(message.id)).toEqual(message);
      expect((await second.search({ serial: 'SN-1' })).items.map((m) => m.id)).toEqual([message.id]);
      expect((await second.nextIdocNumber()) > before).toBe(true);
      expect(await migrate(second.db)).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('PGlite data directory lock', () => {
  it('takes over a lock left by a process that has ended', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idocgate-lock-'));
    try {
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      await writeFile(`${dir}/data.lock`, `${gone}\n`);
      const release = await lockDataDir(`${dir}/data`);
      expect((await readFile(`${dir}/data.lock`, 'utf8')).trim()).toBe(String(process.pid));
      await expect(lockDataDir(`${dir}/data`)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await release();
      await (
        await lockDataDir(`${dir}/data`)
      )();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!POSTGRES_AVAILABLE)('PostgreSQL with several processes', () => {
  const backend = postgresBackend('concurrent');
  afterAll(() => backend.cleanup());

  it('applies migrations once when several stores start at the same time on a fresh schema', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => backend.open({ poolSize: 3 })));
    try {
      const { rows } = await stores[0]!.db.query(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version',
      );
      expect(rows.length).toBe((await loadMigrations()).length);
      expect(rows.every((r) => r['n'] === 1)).toBe(true);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('gives unique, per-connection increasing IDoc numbers to two concurrent connections', async () => {
    const [a, b] = await Promise.all([backend.open({ poolSize: 2 }), backend.open({ poolSize: 2 })]);
    try {
      const draw = async (s: OpenedStore): Promise<string[]> => {
        const out: string[] = [];
        for (let i = 0; i < 50; i++) out.push(await s.nextIdocNumber());
        return out;
      };
      const [fromA, fromB] = await Promise.all([draw(a), draw(b)]);
      for (const list of [fromA, fromB]) expect([...list].sort()).toEqual(list);
      expect(new Set([...fromA, ...fromB]).size).toBe(100);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reports an unreachable server as STORE_UNAVAILABLE (transient)', async () => {
    const db = await openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      const err: unknown = await db.query('SELECT 1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE', verdict: 'transient' });
    } finally {
      await db.close();
    }
  });
});
