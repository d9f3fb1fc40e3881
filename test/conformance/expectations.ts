/**
 * What each sample of the conformance corpus must give, as SOURCES.md describes it. Samples the
 * manifest calls `valid` need an entry only when they have documented findings; every other
 * sample must have one (the suite fails for a new sample without one).
 *
 * `code path` strings are an issue's code and path (`VALUE_TOO_LONG idoc[0]/E1EDL20[0].INCO1`).
 */
import type { ErrorCode } from '../../src/errors.js';

export interface SampleExpectation {
  /** Why (restated from SOURCES.md / the manifest observations). */
  readonly why: string;
  /** Reading throws IdocgateError with this code... */
  readonly throws?: ErrorCode;
  /** ...and (when given) these issue `code details.line` entries. */
  readonly thrownIssues?: readonly string[];
  /** Exact set of error-severity codes the reader reports (default: none). */
  readonly readErrors?: readonly string[];
  /** Codes (any severity) that must be among the reader's issues. */
  readonly readIncludes?: readonly string[];
  /** Exact list of error-severity validation issues (`code path`), default none. */
  readonly validationErrors?: readonly string[];
  /** Codes that must be among the validation issues (then validationErrors is not checked). */
  readonly validationIncludes?: readonly string[];
  /** Writing the sample as flat fails with this code and (at least) these issues. */
  readonly flatWriteFails?: { readonly code: ErrorCode; readonly includes: readonly string[] };
  /** Writing the (flat) sample as XML fails with this code (default for flat samples without a
   * definition: IDOC_NO_DEFINITION_FOR_SEGMENT, raw SDATA cannot be split into fields). */
  readonly xmlWriteFails?: ErrorCode;
}

const TZONE = 'E1EDT13 TZONE_BEG/TZONE_END and NTANZ are CHAR 6 in the real DELVRY07 parser file';

export const EXPECTATIONS: Readonly<Record<string, SampleExpectation>> = {
  // ---- valid, with documented findings ---------------------------------------------------------
  'sap-recipes-3pl-inbound-delivery-mescod-ibg.xml': {
    why: `hand-made SAP recipe sample: time zones "UTC+10" longer than the field (${TZONE})`,
    validationErrors: [
      'VALUE_TOO_LONG idoc[0]/E1EDL20[0]/E1EDT13[3].TZONE_BEG',
      'VALUE_TOO_LONG idoc[0]/E1EDL20[0]/E1EDT13[3].TZONE_END',
      'VALUE_TOO_LONG idoc[0]/E1EDL20[0]/E1EDT13[4].TZONE_BEG',
      'VALUE_TOO_LONG idoc[0]/E1EDL20[0]/E1EDT13[5].TZONE_BEG',
    ],
  },
  'sap-recipes-3pl-outbound-delivery-update-minimal-dc40.xml': {
    why: `hand-made SAP recipe sample: NTANZ holds more than 6 characters (${TZONE})`,
    validationErrors: ['VALUE_TOO_LONG idoc[0]/E1EDL20[0]/E1EDT13[0].NTANZ'],
  },
  'peterxyp-sapidoc-orders01-flat-crlf-blank-docnum.idoc': {
    why: 'inbound file with blank MANDT/DOCNUM whose PSGNUMs point at later segments or at themselves',
    readErrors: ['PSGNUM_INVALID'],
  },
  'blueseer-shpmnt05-zshpmnt856-ext-flat-edi-dc40-u-delivery-segments.txt': {
    why: 'hand-edited: two E2EDL24007 records share SEGNUM 000051 (warning), one record lost its parent',
    readErrors: ['PSGNUM_INVALID'],
    readIncludes: ['SEGNUM_DUPLICATE'],
  },

  // ---- invalid ---------------------------------------------------------------------------------
  'ballerina-test-missing-idoc-element-invalid.xml': {
    why: '<DELVRY03></DELVRY03>: a root without any IDOC element',
    throws: 'IDOC_NO_IDOC_ELEMENT',
  },
  'esg-carbon-ledger-generated-mbgmcr03-no-idoc-wrapper-invalid.xml': {
    why: 'EDI_DC40 and E1MBGMCR directly under <MBGMCR03>, no <IDOC BEGIN="1"> wrapper',
    throws: 'IDOC_NO_IDOC_ELEMENT',
  },
  'bots-generated-orders01-flat-invalid-overlong-record.idoc': {
    why: 'Bots output with 1506-character records (longer than EDI_DD40)',
    throws: 'IDOC_RECORD_TOO_LONG',
    thrownIssues: ['RECORD_TOO_LONG 4', 'RECORD_TOO_LONG 5', 'RECORD_TOO_LONG 6'],
  },
  'bots-generated-wpplu02-flat-invalid-empty-control.idoc': {
    why: 'control record without IDOCTYP/MESTYP; data records name themselves as parent (PSGNUM = SEGNUM)',
    readErrors: ['CONTROL_FIELD_BLANK', 'PSGNUM_INVALID'],
    xmlWriteFails: 'IDOC_INVALID', // no IDOCTYP/CIMTYP, so the XML root has no name
    validationErrors: [
      'CONTROL_FIELD_MISSING idoc[0]/EDI_DC40.IDOCTYP',
      'CONTROL_FIELD_MISSING idoc[0]/EDI_DC40.MESTYP',
    ],
  },
  'theobald-docs-orders01-mangled-xml-invalid.xml': {
    why: 'copied from a browser tree view: "xml version=..." without "<?", closing tags lost',
    throws: 'IDOC_NOT_WELL_FORMED_XML',
  },
  'gaya3patta-fusesource-camel-sap-document-whscon-foreign-format.xml': {
    why: 'JBoss Fuse camel-sap EMF document (idoc:Document), not SAP IDoc-XML',
    throws: 'IDOC_FOREIGN_FORMAT',
  },
  'blueseer-orders05-flat-edi-dc40-u-unversioned-no-final-nl.txt': {
    why: 'generated: blank SEGNUM/PSGNUM on the first record, HLEVEL counting up across siblings',
    readErrors: ['PSGNUM_INVALID', 'SEGNUM_BLANK', 'PSGNUM_BLANK'],
    validationErrors: ['IDOC_TYPE_UNKNOWN idoc[0]'],
  },
  'bar8tl-delins-idoctyp-53-anomalous-flat.txt': {
    why:
      'IDOCTYP and CIMTYP both "53" (the status value): readable, but no type to check against, and "53" ' +
      'cannot be an XML root element name',
    readIncludes: ['NO_DEFINITION'],
    validationErrors: ['IDOC_TYPE_UNKNOWN idoc[0]'],
    xmlWriteFails: 'IDOC_XML_UNREPRESENTABLE',
  },
  'ballerina-sapjco-generated-avon-invalid-docnum.xml': {
    why: 'INCO1 "Route" (5 characters, the field holds 3); DOCNUM/VBELN "Avon"',
    validationErrors: ['VALUE_TOO_LONG idoc[0]/E1EDL20[0].INCO1'],
    flatWriteFails: { code: 'IDOC_VALUE_TOO_LONG', includes: ['VALUE_TOO_LONG idoc[0]/E1EDL20[0].INCO1'] },
  },
  'ballerina-sapjco-generated-boatyard-overlong-inco1.xml': {
    why: 'INCO1 "Lempira" (7 characters > 3): the overflow case for XML -> flat',
    validationErrors: ['VALUE_TOO_LONG idoc[0]/E1EDL20[0].INCO1'],
    flatWriteFails: { code: 'IDOC_VALUE_TOO_LONG', includes: ['VALUE_TOO_LONG idoc[0]/E1EDL20[0].INCO1'] },
  },
  'cpi-snapshot-zcustom-extension-single-line-overlong-fields.xml': {
    why:
      'CRETIM "152342354526" (12 > 6) and KOSTL 15 > 10; no COSMAS01 definition is shipped, so only the ' +
      'control record can be checked: CRETIM is not a time (validation) and overflows its field (flat writer), ' +
      'KOSTL is not found',
    validationErrors: ['BAD_TIMS idoc[0]/EDI_DC40.CRETIM', 'IDOC_TYPE_UNKNOWN idoc[0]'],
    flatWriteFails: { code: 'IDOC_VALUE_TOO_LONG', includes: ['VALUE_TOO_LONG idoc[0]/EDI_DC40.CRETIM'] },
  },
  'ballerina-test-unknown-idoc-type.xml': {
    why: 'IDOCTYP UNKNOWN_IDOC_TYPE_XYZ, no data segments; EDI_DC40 has no MESTYP',
    validationErrors: ['CONTROL_FIELD_MISSING idoc[0]/EDI_DC40.MESTYP', 'IDOC_TYPE_UNKNOWN idoc[0]'],
  },

  // ---- templates (placeholders instead of values) ------------------------------------------------
  'nocbot-sdi-gmcode01-gr-po-template-mvtind-b.xml': {
    why: '{n} placeholders in date and quantity fields',
    validationIncludes: ['BAD_DATS', 'BAD_QUAN'],
  },
  'nocbot-sdi-gmcode03-gi-costcenter-template-empty-segment.xml': {
    why: '{n} placeholders; an empty E1BP2017_GM_ITEM_CREATE1 segment',
    validationIncludes: ['BAD_DATS', 'BAD_QUAN'],
  },
  'nocbot-sdi-gmcode06-inventory-701-template-cdata.xml': {
    why: '{n} placeholders; CDATA values',
    validationIncludes: ['BAD_DATS', 'BAD_QUAN'],
  },
  'nocbot-sdi-receipt-mapping-empty-control-fields.xml': {
    why: '{n} placeholders; empty control fields',
    validationIncludes: ['BAD_DATS', 'BAD_QUAN'],
  },
  'cpi-snapshot-systat01-camel-template-placeholders.xml': {
    why: 'Camel ${...} expressions as values: longer than DOCNUM/LOGDAT/LOGTIM',
    validationErrors: [
      'VALUE_TOO_LONG idoc[0]/E1STATS[0].DOCNUM',
      'VALUE_TOO_LONG idoc[0]/E1STATS[0].LOGDAT',
      'VALUE_TOO_LONG idoc[0]/E1STATS[0].LOGTIM',
    ],
  },
  'nocbot-sdi-root-differs-from-idoctyp.xml': {
    why:
      'root <ZIM_LOISMO> matches neither IDOCTYP ZIMLOIMSO nor MESTYP: the type comes from EDI_DC40; ' +
      'CREDAT {0} and CRETIM {1} are placeholders, not a date and a time',
    readIncludes: ['XML_ROOT_NAME_MISMATCH'],
    validationErrors: [
      'BAD_DATS idoc[0]/EDI_DC40.CREDAT',
      'BAD_TIMS idoc[0]/EDI_DC40.CRETIM',
      'IDOC_TYPE_UNKNOWN idoc[0]',
    ],
  },
};
