import { toCanonical } from '../../src/idoc/codec-json.js';
import type { Idoc } from '../../src/idoc/model.js';

export function idocToCanonicalJson(idoc: Idoc): string {
  return JSON.stringify(toCanonical(idoc));
}
