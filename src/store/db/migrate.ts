/**
 * Plain SQL migrations (`migrations/NNNN_name.sql`), applied in order at start, each in its own
 * transaction, recorded in `schema_migrations` with a checksum. A transaction-scoped advisory
 * lock makes concurrent starts safe: the second process waits, then sees the migration applied.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IdocgateError } from '../../errors.js';
import { PROJECT_ROOT } from '../../paths.js';
import type { Db } from './db.js';
import { ADVISORY_MIGRATIONS, lockKey } from './locks.js';

export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');

const FILE_NAME = /^(\d{4})_[A-Za-z0-9_-]+\.sql$/;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    const sql = await readFile(join(dir, name), 'utf8');
    const version = FILE_NAME.exec(name)?.[1] ?? name;
    if (migrations.some((m) => m.version === version)) {
      throw new IdocgateError('STORE_MIGRATION_FAILED', `Two migrations have version ${version} (${name})`);
    }
    migrations.push({ version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

/** Applies the migrations not yet recorded; returns the names of those it applied. */
export async function migrate(
  db: Db,
  options: { readonly dir?: string; readonly schema?: string } = {},
): Promise<string[]> {
  const migrations = await loadMigrations(options.dir);
  const key = lockKey(`migrations:${options.schema ?? ''}`);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [ADVISORY_MIGRATIONS, key]);
      if (options.schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await tx.query<{ checksum: string; name: string }>(
        'SELECT checksum, name FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      const previous = rows[0];
      if (previous !== undefined) {
        if (previous.checksum !== m.checksum) {
          throw new IdocgateError(
            'STORE_MIGRATION_FAILED',
            `Migration ${m.name} was changed after it was applied (as ${previous.name}); add a new migration instead`,
          );
        }
        return false;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new IdocgateError(
          'STORE_MIGRATION_FAILED',
          `Migration ${m.name} failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
