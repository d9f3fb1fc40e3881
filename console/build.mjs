/**
 * Builds the console with Vite unless console/dist is newer than every source file. Run by
 * `npm install` (prepare), `npm run build` and `npm start`. Skips with a message when the
 * console sources are absent (e.g. `npm ci` in a Docker layer before the sources are copied).
 */
/* global process, console, URL */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Always a production bundle, also when run from the test runner (NODE_ENV=test).
process.env.NODE_ENV = 'production';

const here = fileURLToPath(new URL('.', import.meta.url));
const force = process.argv.includes('--force');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

if (!existsSync(join(here, 'src'))) {
  console.log('idocgate console: sources not present, build skipped');
  process.exit(0);
}
const built = join(here, 'dist', 'index.html');
// the console also imports the server's status vocabulary (src/pipeline/store-port.ts)
const inputs = [
  join(here, 'src'),
  join(here, 'index.html'),
  join(here, 'vite.config.ts'),
  join(here, '..', 'src', 'pipeline', 'store-port.ts'),
];
if (!force && existsSync(built) && statSync(built).mtimeMs >= Math.max(...inputs.map(newest))) {
  process.exit(0); // up to date: vite is not even loaded (the browser tests call this each)
}
let vite;
try {
  vite = await import('vite');
} catch {
  console.log('idocgate console: vite is not installed (production install?), build skipped');
  process.exit(0);
}
const started = Date.now();
await vite.build({ configFile: join(here, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
console.log(`idocgate console: built into console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
