/**
 * The two store backends the store tests run on: embedded PGlite in a temp directory and real
 * PostgreSQL (postgres://postgres@127.0.0.1:5432/test) in a schema of its own per test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type OpenedStore, type StoreOptions } from '../../src/store/open-store.js';
import { seededDataDir } from '../support/pglite-template.js';

export const PG_URL = process.env['IDOCGATE_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const POSTGRES_AVAILABLE = await postgresAnswers();
if (!POSTGRES_AVAILABLE) {
  console.warn(`PostgreSQL at ${PG_URL} does not answer: the PostgreSQL half of the store tests was skipped`);
}

/** A clock the test moves by hand. */
export class FakeClock {
  #now: number;
  constructor(start = Date.parse('2025-01-01T00:00:00Z')) {
    this.#now = start;
  }
  readonly now = (): Date => new Date(this.#now);
  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }
}

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  readonly available: boolean;
  /** Options that open (or reopen) this backend's database. */
  options(): StoreOptions;
  open(extra?: Partial<StoreOptions>): Promise<OpenedStore>;
  /** Removes the schema / data directory. */
  cleanup(): Promise<void>;
}

function uniqueName(label: string): string {
  return `t_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
}

/**
 * PGlite in a temp directory, started from the migrated template (test/support/pglite-template.ts);
 * `fresh: true` starts from an empty directory (initdb and every migration, as a first start does).
 */
export function pgliteBackend(label: string, options: { readonly fresh?: boolean } = {}): Backend {
  let dir: string | undefined;
  const backend: Backend = {
    name: 'pglite',
    available: true,
    options: () => {
      if (dir === undefined) throw new Error('call open() first');
      return { dataDir: dir };
    },
    async open(extra = {}) {
      if (dir === undefined) {
        const made = await mkdtemp(join(tmpdir(), `idocgate-${label}-`));
        dir = options.fresh === true ? made : await seededDataDir(made);
      }
      return openStore({ ...backend.options(), ...extra });
    },
    async cleanup() {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
  return backend;
}

export function postgresBackend(label: string): Backend {
  const schema = uniqueName(label);
  const backend: Backend = {
    name: 'postgres',
    available: POSTGRES_AVAILABLE,
    options: () => ({ databaseUrl: PG_URL, schema, poolSize: 25 }),
    open: (extra = {}) => openStore({ ...backend.options(), ...extra }),
    async cleanup() {
      if (!POSTGRES_AVAILABLE) return;
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return backend;
}

export function backends(label: string, options: { readonly fresh?: boolean } = {}): Backend[] {
  return [pgliteBackend(label, options), postgresBackend(label)];
}
