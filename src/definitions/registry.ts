/**
 * Loaded IDoc definitions with the look-ups the codecs need. Pure: no file system here
 * (see ./load.ts for reading `idoc-definitions/`).
 */
import type { FieldDefinition, IdocDefinition, SegmentDefinition, SegmentVersion } from './types.js';

export interface ResolvedSegment {
  readonly segment: CompiledSegment;
  /** The version named in the input, when the input named one (`E2EDL24006`). */
  readonly version: SegmentVersion | undefined;
}

export interface CompiledSegment extends SegmentDefinition {
  /** SDATA length of the newest version (offset + length of the last field). */
  readonly sdataLength: number;
  readonly fieldByName: ReadonlyMap<string, FieldDefinition>;
  /** Child segment types in definition order. */
  readonly children: readonly string[];
  /** Length of SDATA for a given version. */
  lengthOf(version: SegmentVersion): number;
}

export interface CompiledDefinition {
  readonly source: IdocDefinition;
  readonly basicType: string;
  readonly extension: string | undefined;
  /** Key `BASIC` or `BASIC/EXTENSION`. */
  readonly key: string;
  readonly segments: readonly CompiledSegment[];
  readonly topLevel: readonly string[];
  segment(type: string): CompiledSegment | undefined;
  /**
   * Resolves a segment name as it appears in a flat file or XML: type name (`E1EDL24`),
   * definition name with or without version (`E2EDL24007`, `E2EDL24`), XML form (`_-SPE_-E1...`).
   */
  resolve(name: string): ResolvedSegment | undefined;
}

/** `_-SPE_-E1BP` (XML element name) -> `/SPE/E1BP` (SAP name). */
export function fromXmlName(name: string): string {
  return name.includes('_-') ? name.replaceAll('_-', '/') : name;
}

/** `/SPE/E1BP` (SAP name) -> `_-SPE_-E1BP` (XML element name). */
export function toXmlName(name: string): string {
  return name.includes('/') ? name.replaceAll('/', '_-') : name;
}

/** Type name for a definition name: `E2EDL24007` -> `E1EDL24`, `Z2FOO001` -> `Z1FOO`. */
function typeCandidates(name: string): string[] {
  const out = [name];
  const m = /^((?:\/[^/]+\/)?)([EZY])2(.*)$/.exec(name);
  if (m) {
    const [, ns = '', letter = '', rest = ''] = m;
    out.push(`${ns}${letter}1${rest}`);
    const unversioned = /^(.*?)(\d{3})$/.exec(rest);
    if (unversioned) out.push(`${ns}${letter}1${unversioned[1]}`);
  }
  return out;
}

export function compileDefinition(def: IdocDefinition): CompiledDefinition {
  const childrenOf = new Map<string | null, string[]>();
  for (const s of def.segments) {
    const list = childrenOf.get(s.parent) ?? [];
    list.push(s.type);
    childrenOf.set(s.parent, list);
  }
  const compiled: CompiledSegment[] = def.segments.map((s) => {
    const fieldByName = new Map(s.fields.map((f) => [f.name, f]));
    const last = s.fields[s.fields.length - 1];
    const sdataLength = last ? last.offset + last.length : 0;
    return {
      ...s,
      sdataLength,
      fieldByName,
      children: childrenOf.get(s.type) ?? [],
      lengthOf(version: SegmentVersion): number {
        const f = s.fields[version.fieldCount - 1];
        return f ? f.offset + f.length : 0;
      },
    };
  });
  const byType = new Map(compiled.map((s) => [s.type, s]));
  const byVersion = new Map<string, ResolvedSegment>();
  for (const s of compiled) {
    for (const v of s.versions) byVersion.set(v.name, { segment: s, version: v });
  }
  const cache = new Map<string, ResolvedSegment | null>();
  return {
    source: def,
    basicType: def.basicType,
    extension: def.extension,
    key: def.extension ? `${def.basicType}/${def.extension}` : def.basicType,
    segments: compiled,
    topLevel: childrenOf.get(null) ?? [],
    segment: (type) => byType.get(type),
    resolve(name) {
      const hit = cache.get(name);
      if (hit !== undefined) return hit ?? undefined;
      const sapName = fromXmlName(name);
      let result: ResolvedSegment | undefined = byVersion.get(sapName);
      if (!result) {
        for (const candidate of typeCandidates(sapName)) {
          const s = byType.get(candidate);
          if (s) {
            result = { segment: s, version: undefined };
            break;
          }
        }
      }
      cache.set(name, result ?? null);
      return result;
    },
  };
}

/** All loaded definitions, looked up by the control record's IDOCTYP and CIMTYP. */
export class DefinitionRegistry {
  private readonly byKey = new Map<string, CompiledDefinition>();

  constructor(definitions: Iterable<IdocDefinition> = []) {
    for (const d of definitions) this.add(d);
  }

  add(def: IdocDefinition): CompiledDefinition {
    const compiled = compileDefinition(def);
    this.byKey.set(compiled.key, compiled);
    return compiled;
  }

  /**
   * The definition for a basic type and optional extension. With an extension that has no
   * definition of its own, the basic type's definition is returned (extension segments then
   * stay unknown and are kept as read).
   */
  get(basicType: string, extension?: string): CompiledDefinition | undefined {
    const b = basicType.trim();
    const e = extension?.trim();
    if (e && e !== b) {
      const ext = this.byKey.get(`${b}/${e}`);
      if (ext) return ext;
    }
    return this.byKey.get(b);
  }

  list(): CompiledDefinition[] {
    return [...this.byKey.values()];
  }
}
