/** Locations inside the installed project (works from src/ via tsx and from dist/ after a build). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'idoc-definitions'))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new Error('idocgate: cannot find the project root (package.json + idoc-definitions/)');
    dir = up;
  }
}

/** The project root: the folder with package.json, idoc-definitions/ and mappings/. */
export const PROJECT_ROOT = findRoot();
export const DEFINITIONS_DIR = join(PROJECT_ROOT, 'idoc-definitions');
export const MAPPINGS_DIR = join(PROJECT_ROOT, 'mappings');
