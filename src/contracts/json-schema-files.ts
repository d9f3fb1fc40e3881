/**
 * The JSON Schema files of the payload contracts (`mappings/contracts/<name>.schema.json`), for
 * partners and API docs. `npm run contracts:write` regenerates them; a test checks they are current.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAPPINGS_DIR } from '../paths.js';
import { CONTRACTS, contractJsonSchema } from './registry.js';

export const CONTRACT_SCHEMA_DIR = join(MAPPINGS_DIR, 'contracts');

/** File name -> text of every contract's JSON Schema file. */
export function contractSchemaFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of CONTRACTS.values())
    out.set(`${c.name}.schema.json`, `${JSON.stringify(contractJsonSchema(c), null, 2)}\n`);
  return out;
}

export function writeContractSchemas(dir: string = CONTRACT_SCHEMA_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of contractSchemaFiles()) {
    const file = join(dir, name);
    writeFileSync(file, text);
    written.push(file);
  }
  return written;
}
