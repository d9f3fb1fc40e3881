/**
 * `npm run contracts:write`: regenerates mappings/contracts/*.schema.json from the zod contracts,
 * formatted with the project's prettier settings (a dev tool, so only this script loads it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { writeContractSchemas } from './json-schema-files.js';

const prettier = await import('prettier');
for (const f of writeContractSchemas()) {
  const options = (await prettier.resolveConfig(f)) ?? {};
  writeFileSync(f, await prettier.format(readFileSync(f, 'utf8'), { ...options, filepath: f }));
  console.log(`wrote ${f}`);
}
