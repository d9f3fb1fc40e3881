/**
 * One-off builder: turns the research tables in ../shared/reference/segments/*.json into
 * idoc-definitions/*.json. Kept so the derivation can be repeated and reviewed; the committed
 * definition files are the data the gateway uses (the reference folder is not needed at run time).
 *
 *   node --import tsx scripts/definitions-from-reference.ts ../shared/reference/segments idoc-definitions
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  FieldDefinition,
  IdocDefinition,
  SapDataType,
  SegmentDefinition,
} from '../src/definitions/types.js';
import { SAP_DATA_TYPES } from '../src/definitions/types.js';

interface RefField {
  name: string;
  length: number | null;
  type: string;
  description?: string;
  sdataOffset?: number | null;
}
interface RefSegment {
  name: string;
  definition?: string;
  parent: string | null;
  min: number;
  max: number | null;
  level: number | null;
  levelGuess?: number;
  qualified?: boolean;
  description?: string;
  unverified?: boolean;
  unverifiedNote?: string;
  fields: RefField[];
}
interface RefFile {
  idocType: string;
  description?: string;
  messageType?: string;
  messageTypes?: Record<string, string>;
  segments: RefSegment[];
  sources?: string[];
  unverifiedNote?: string;
}

const UNBOUNDED = 9_999_999_999;
const [refDir = '../shared/reference/segments', outDir = 'idoc-definitions'] = process.argv.slice(2);

function dataType(t: string): SapDataType {
  return (SAP_DATA_TYPES as readonly string[]).includes(t) ? (t as SapDataType) : 'CHAR';
}

/** `E1EDL24` -> `E2EDL24`; `/SPE/E1BP...` -> `/SPE/E2BP...` (original, un-versioned definition name). */
function unversionedDefinitionName(type: string): string {
  return type.replace(/(^|\/)([EZY])1/, '$1$22');
}

function convert(ref: RefFile, fileUnverified: string | undefined): IdocDefinition {
  const segments: SegmentDefinition[] = [];
  for (const s of ref.segments) {
    if (s.fields.some((f) => f.length === null)) {
      // Field lengths unknown (namespace segments of MBGMCR03): keep the segment as known-but-unspecified.
    }
    let offset = 0;
    const fields: FieldDefinition[] = [];
    for (const f of s.fields) {
      if (f.length === null) break;
      fields.push({
        name: f.name,
        offset,
        length: f.length,
        dataType: dataType(f.type),
        ...(f.description ? { description: f.description } : {}),
      });
      offset += f.length;
    }
    const level = s.level ?? s.levelGuess;
    if (level === undefined) throw new Error(`${ref.idocType}: ${s.name} has no level`);
    const notes: string[] = [];
    if (s.unverified) notes.push(s.unverifiedNote ?? 'layout not confirmed by an SAP parser file');
    if (s.level === null) notes.push(`HLEVEL ${level} inferred by analogy (no parser file found)`);
    if (!s.definition) notes.push('definition name not known; un-versioned name assumed');
    if (fileUnverified) notes.push(fileUnverified);
    const hasUnknownLengths = s.fields.some((f) => f.length === null);
    if (hasUnknownLengths) notes.push(`field lengths unknown for: ${s.fields.map((f) => f.name).join(', ')}`);
    segments.push({
      type: s.name,
      parent: s.parent,
      min: s.min,
      max: s.max === null || s.max >= UNBOUNDED ? null : s.max,
      level,
      ...(s.qualified ? { qualified: true } : {}),
      ...(s.description ? { description: s.description } : {}),
      versions: [{ name: s.definition ?? unversionedDefinitionName(s.name), fieldCount: fields.length }],
      fields,
      ...(notes.length ? { unverified: notes.join('; ') } : {}),
    });
  }
  const messageTypes =
    ref.messageTypes ?? (ref.messageType ? { [ref.messageType]: ref.description ?? ref.messageType } : {});
  return {
    basicType: ref.idocType,
    ...(ref.description ? { description: ref.description } : {}),
    messageTypes,
    segments,
    ...(ref.sources ? { sources: ref.sources } : {}),
  };
}

for (const name of ['DELVRY07', 'MBGMCR03', 'SYSTAT01']) {
  const ref = JSON.parse(readFileSync(join(refDir, `${name}.json`), 'utf8')) as RefFile;
  const def = convert(ref, ref.unverifiedNote);
  writeFileSync(
    join(outDir, `${name}.json`),
    JSON.stringify({ $schema: './definition.schema.json', ...def }, null, 1) + '\n',
  );
  console.log(`${name}: ${def.segments.length} segments`);
}
