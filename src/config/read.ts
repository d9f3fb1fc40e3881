/** Reads a config file's text: YAML, of which JSON is a subset. */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { IdocgateError } from '../errors.js';

/** Parses config text (YAML is a superset of JSON). */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (e) {
    throw new IdocgateError('CONFIG_INVALID', `${source}: not valid YAML/JSON: ${(e as Error).message}`);
  }
}

/** The parsed content of a config file; CONFIG_INVALID when it is missing or not YAML/JSON. */
export function readConfigFile(file: string): unknown {
  if (!existsSync(file)) throw new IdocgateError('CONFIG_INVALID', `config file ${file} does not exist`);
  return parseConfigText(readFileSync(file, 'utf8'), file);
}
