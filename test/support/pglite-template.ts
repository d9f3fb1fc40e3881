/**
 * A migrated PGlite data directory, built once and copied for each test that opens a store.
 *
 * An empty PGlite data directory starts with initdb (seconds of WASM work on this machine) and
 * then every migration; most tests only need a migrated database of their own. The template is
 * that database, closed: `seededDataDir(dir)` copies it into `dir`, and the store opened there
 * runs the migrations as at any start, finding each one applied with its checksum (a changed
 * migration file fails there as it would on a fresh one).
 *
 * A migration that calls a random function writes a value of its own per database (0045: the
 * database identity a gateway claims its Redis prefix with). Such migrations are left out of the
 * template, so each copy applies them itself at its first open, as a first start does: two
 * copies are two databases, never one identity twice.
 *
 * The template lives in the OS temp directory under a name made of the PGlite version and the
 * migrations' names and checksums: a changed or added migration, or another PGlite, makes a new
 * one. It is built in a directory of its own and renamed into place, so a parallel test process
 * never sees half a template (the slower of two builders throws its copy away). Migrations from
 * an empty database are still exercised: by every template build, by the PostgreSQL half of the
 * store tests (a new schema each) and by the tests that ask for a fresh PGlite.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, type Migration } from '../../src/store/db/migrate.js';
import { openStore } from '../../src/store/open-store.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const PGLITE_VERSION = (
  JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { version: string }
).version;

/** PostgreSQL writes PG_VERSION into a data directory it has initialised. */
const initialised = (dir: string): boolean => existsSync(join(dir, 'PG_VERSION'));

/** A migration whose SQL calls a random function: its result differs per database. */
export const perDatabase = (m: Migration): boolean =>
  /\b(gen_random_uuid|random|uuid_generate_v[14])\s*\(/i.test(m.sql);

let building: Promise<string> | undefined;

async function build(): Promise<string> {
  const migrations = await loadMigrations();
  const key = createHash('sha256')
    .update(`pglite ${PGLITE_VERSION}, per-database migrations left out\n`)
    .update(migrations.map((m) => `${m.name} ${m.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const template = join(tmpdir(), `idocgate-pglite-template-${key}`);
  if (initialised(template)) return template;
  const work = await mkdtemp(join(tmpdir(), 'idocgate-pglite-template-build-'));
  try {
    // the template's migrations: all but the per-database ones (each copy applies those)
    const dir = join(work, 'migrations');
    await mkdir(dir);
    for (const m of migrations.filter((m) => !perDatabase(m))) await writeFile(join(dir, m.name), m.sql);
    const data = join(work, 'data');
    const store = await openStore({ dataDir: data, migrationsDir: dir });
    await store.close();
    try {
      await rename(data, template);
    } catch (err) {
      // another test process renamed its template into place first: use that one
      if (!initialised(template)) throw err;
    }
    return template;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The migrated template's directory (built on first use in this process unless it exists). */
export function pgliteTemplate(): Promise<string> {
  building ??= build().catch((err: unknown) => {
    building = undefined;
    throw err;
  });
  return building;
}

/** Copies the migrated template into `dir` (created or empty) and returns `dir`. */
export async function seededDataDir(dir: string): Promise<string> {
  await cp(await pgliteTemplate(), dir, { recursive: true });
  return dir;
}
