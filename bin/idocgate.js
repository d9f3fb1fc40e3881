#!/usr/bin/env node
/* global console, process */
// In a checkout with dev dependencies the CLI runs the TypeScript source through tsx, so it is
// never a stale build; in a production install (dev dependencies pruned) it runs the build in dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
const built = join(root, 'dist', 'src', 'cli', 'main.js');

let tsx;
try {
  tsx = existsSync(source) ? await import('tsx/esm/api') : undefined;
} catch {
  tsx = undefined;
}
if (tsx !== undefined) {
  tsx.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  console.error('idocgate: no build found; run `npm run build` (or install dev dependencies for tsx)');
  process.exit(2);
}
