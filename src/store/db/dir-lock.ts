/**
 * PGlite is single-process: two processes opening the same data directory would corrupt it.
 * A lock file beside the directory (`<dataDir>.lock`, holding the pid) refuses a second opener;
 * a lock left by a process that no longer runs is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { IdocgateError } from '../../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(`${process.pid}\n`);
    await handle.close();
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EEXIST') return false;
    throw err;
  }
}

/** Takes the lock for `dataDir`; resolves to a function that releases it. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${resolve(dataDir)}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (let tries = 0; tries < 3; tries++) {
    if (await tryCreate(path)) return () => rm(path, { force: true });
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
      const who = holder === process.pid ? 'this process' : `process ${holder}`;
      throw new IdocgateError(
        'STORE_UNAVAILABLE',
        `The PGlite data directory ${dataDir} is already open in ${who} (lock ${path}); ` +
          'PGlite serves one process: use PostgreSQL (DATABASE_URL) to run several',
      );
    }
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw new IdocgateError('STORE_UNAVAILABLE', `Cannot take the lock ${path}`);
}
