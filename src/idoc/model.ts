/**
 * The canonical IDoc model shared by every codec (flat, XML, SOAP, JSON).
 *
 * An IDoc is a control record plus a tree of segments. Every value is a string exactly as it
 * appeared in the source (flat values lose only their right padding). Nothing in this file knows
 * about a particular IDoc type: layouts live in the definitions (src/definitions).
 */

/** EDI_DC40 field names in the order of the 524-character flat control record. */
export const CONTROL_FIELDS = [
  'TABNAM',
  'MANDT',
  'DOCNUM',
  'DOCREL',
  'STATUS',
  'DIRECT',
  'OUTMOD',
  'EXPRSS',
  'TEST',
  'IDOCTYP',
  'CIMTYP',
  'MESTYP',
  'MESCOD',
  'MESFCT',
  'STD',
  'STDVRS',
  'STDMES',
  'SNDPOR',
  'SNDPRT',
  'SNDPFC',
  'SNDPRN',
  'SNDSAD',
  'SNDLAD',
  'RCVPOR',
  'RCVPRT',
  'RCVPFC',
  'RCVPRN',
  'RCVSAD',
  'RCVLAD',
  'CREDAT',
  'CRETIM',
  'REFINT',
  'REFGRP',
  'REFMES',
  'ARCKEY',
  'SERIAL',
] as const;

export type ControlFieldName = (typeof CONTROL_FIELDS)[number];

/** EDI_DC40 field lengths (524 characters in all), in CONTROL_FIELDS order (IDOC-FORMAT.md §1). */
export const CONTROL_FIELD_LENGTHS: Readonly<Record<ControlFieldName, number>> = {
  TABNAM: 10,
  MANDT: 3,
  DOCNUM: 16,
  DOCREL: 4,
  STATUS: 2,
  DIRECT: 1,
  OUTMOD: 1,
  EXPRSS: 1,
  TEST: 1,
  IDOCTYP: 30,
  CIMTYP: 30,
  MESTYP: 30,
  MESCOD: 3,
  MESFCT: 3,
  STD: 1,
  STDVRS: 6,
  STDMES: 6,
  SNDPOR: 10,
  SNDPRT: 2,
  SNDPFC: 2,
  SNDPRN: 10,
  SNDSAD: 21,
  SNDLAD: 70,
  RCVPOR: 10,
  RCVPRT: 2,
  RCVPFC: 2,
  RCVPRN: 10,
  RCVSAD: 21,
  RCVLAD: 70,
  CREDAT: 8,
  CRETIM: 6,
  REFINT: 14,
  REFGRP: 14,
  REFMES: 14,
  ARCKEY: 70,
  SERIAL: 20,
};

/**
 * Control record values keyed by EDI_DC40 field name. Keys keep the order in which they were
 * read (XML senders do not always use SAP's order); absent keys mean "not given", an empty
 * string means "given but empty" (`<SNDPRT></SNDPRT>`).
 */
export type ControlRecord = Partial<Record<ControlFieldName, string>>;

/** Field values of one segment keyed by field name, in definition order (or as read). */
export type FieldValues = Record<string, string>;

/** What a flat file said about one data record, kept so that flat -> model -> flat is byte-identical. */
export interface FlatRecordHints {
  /** Length of the record line in characters, without the line end. */
  readonly recordLength: number;
  /** EDI_DD40-SEGNAM exactly as read (trimmed), e.g. `E2EDL24007` or `E1EDL24`. */
  readonly segnam: string;
  /** Header values as read (trimmed), kept for validation and faithful rewriting. */
  readonly mandt: string;
  readonly docnum: string;
  readonly segnum: string;
  readonly psgnum: string;
  readonly hlevel: string;
}

export interface Segment {
  /**
   * Segment type name (`E1EDL24`, `Z1EXTEND_ITEM`, `/SPE/E1BP2017_GM_REF_EWM`). Always the SAP
   * name with `/`; the XML element form (`_-SPE_-...`) is only a codec concern.
   */
  type: string;
  /** Field values (see FieldValues). Blank flat fields are omitted. */
  fields: FieldValues;
  children: Segment[];
  /**
   * Raw SDATA (right-trimmed) of a flat record whose segment has no definition, so the fields
   * cannot be split. Codecs that need fields report such segments instead of guessing.
   */
  sdata?: string;
  /** Present when the segment was read from a flat file. */
  flat?: FlatRecordHints;
}

/** What a flat file looked like as a whole, for byte-identical rewriting. */
export interface FlatLayoutHints {
  readonly lineEnding: '\n' | '\r\n';
  /** Length of the control record line as read (524, or shorter when trailing blanks were trimmed). */
  readonly controlLength: number;
  /** EDI_DC40 record name as read (`EDI_DC40`, `EDI_DC40_U`, ...). */
  readonly tabnam: string;
  /**
   * MANDT and DOCNUM of the control record as read (trimmed). Data records keep their own header
   * values on rewrite only while the control record still carries these.
   */
  readonly controlMandt?: string;
  readonly controlDocnum?: string;
  /** `false` on the last IDoc of a file that did not end with a line end. */
  readonly finalNewline?: boolean;
  /** Number of data records as read (a writer renumbers when segments were added or removed). */
  readonly segmentCount?: number;
}

/** What an XML document looked like, for faithful rewriting. */
export interface XmlLayoutHints {
  /** Root element name as read (`DELVRY07`, `ZDEBMAS07_SF`, `_-DSD_-ROUTEACCOUNT_CORDER002`). */
  readonly root: string;
  /** Default namespace on the root, e.g. `urn:sap-com:document:sap:idoc:soap:messages`. */
  readonly namespace?: string;
}

export interface Idoc {
  control: ControlRecord;
  /** Top-level data segments in document order. */
  segments: Segment[];
  /** Present when read from a flat file. */
  flat?: FlatLayoutHints;
  /** Present when read from IDoc-XML or SOAP. */
  xml?: XmlLayoutHints;
}

/** The basic type and extension named by a control record. */
export function idocTypeOf(control: ControlRecord): { basicType: string; extension: string } {
  return { basicType: (control.IDOCTYP ?? '').trim(), extension: (control.CIMTYP ?? '').trim() };
}

/** Depth-first walk over all segments of an IDoc (parent before children, document order). */
export function* walkSegments(
  segments: readonly Segment[],
  parent: Segment | undefined = undefined,
): Generator<{ segment: Segment; parent: Segment | undefined; depth: number }> {
  const stack: { list: readonly Segment[]; index: number; parent: Segment | undefined }[] = [
    { list: segments, index: 0, parent },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const segment = top.list[top.index++]!;
    yield { segment, parent: top.parent, depth: stack.length - 1 };
    if (segment.children.length > 0) stack.push({ list: segment.children, index: 0, parent: segment });
  }
}

/** Number of data segments in an IDoc. */
export function countSegments(idoc: Idoc): number {
  let n = 0;
  for (const _ of walkSegments(idoc.segments)) n++;
  return n;
}
