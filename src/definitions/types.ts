/**
 * IDoc type definitions as data: the shape of the files in `idoc-definitions/`
 * (JSON Schema: `idoc-definitions/definition.schema.json`).
 */

/** ABAP dictionary data types that appear in IDoc segments. `CHAR` when the source does not say. */
export const SAP_DATA_TYPES = [
  'CHAR',
  'NUMC',
  'DATS',
  'TIMS',
  'QUAN',
  'DEC',
  'CURR',
  'UNIT',
  'CUKY',
  'LANG',
  'CLNT',
  'INT1',
  'INT2',
  'INT4',
  'FLTP',
  'ACCP',
  'RAW',
  'STRG',
  'SSTR',
] as const;

export type SapDataType = (typeof SAP_DATA_TYPES)[number];

export interface FieldDefinition {
  /** Field name as in SAP (`VBELN`, `SERIALNO`). */
  readonly name: string;
  /** 0-based offset inside SDATA (parser file CHARACTER_FIRST - 64). */
  readonly offset: number;
  /** Length in characters. */
  readonly length: number;
  readonly dataType: SapDataType;
  /** SAP short text. */
  readonly description?: string;
}

/** One release-specific definition of a segment type (`E2EDL24007`). */
export interface SegmentVersion {
  /** Definition name as written into EDI_DD40-SEGNAM (`E2EDL24007`, `E2EDL21`, `Z2Y04V_EDL24_ASN004`). */
  readonly name: string;
  /**
   * How many of the segment's fields (a prefix of `fields`) this version has. SAP only ever
   * appends fields in newer versions, so one field list serves every version.
   */
  readonly fieldCount: number;
  /** SAP release this version was seen in, when known. */
  readonly release?: string;
}

export interface SegmentDefinition {
  /** Segment type name (`E1EDL24`, `/SPE/E1BP2017_GM_REF_EWM`). */
  readonly type: string;
  /** Parent segment type, or null for a top-level segment. */
  readonly parent: string | null;
  /** Effective occurrence within one parent (group occurrence for a group head). */
  readonly min: number;
  /** null = unbounded. */
  readonly max: number | null;
  /** HLEVEL as SAP writes it into flat records (from the definition, not the nesting depth). */
  readonly level: number;
  readonly qualified?: boolean;
  readonly description?: string;
  /** Release-specific definitions, oldest first; the last one is written unless a port says otherwise. */
  readonly versions: readonly SegmentVersion[];
  /** Fields of the newest version in SDATA order (offsets contiguous from 0). */
  readonly fields: readonly FieldDefinition[];
  /** Set when (part of) the layout is inferred rather than taken from an SAP parser file. */
  readonly unverified?: string;
}

export interface IdocDefinition {
  /** Basic type (`DELVRY07`). */
  readonly basicType: string;
  /** Extension type (`ZDELVRY07`) when this definition describes basic type + extension. */
  readonly extension?: string;
  readonly description?: string;
  /** Message types this IDoc type carries, with a short meaning each. */
  readonly messageTypes: Readonly<Record<string, string>>;
  /** Segments in definition order (a parent is listed before its children). */
  readonly segments: readonly SegmentDefinition[];
  /** Where the layout comes from. */
  readonly sources?: readonly string[];
}
