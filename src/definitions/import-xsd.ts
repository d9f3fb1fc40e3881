/**
 * Importer for the IDoc XML Schema SAP generates (WE60 "XML schema" / IDoc XSD). Both shapes SAP
 * uses are read: named complex types (`<element name="E1EDL24" type="DELVRY03.E1EDL24"/>`) and
 * anonymous nested ones. A segment is an element whose complex type carries the `SEGMENT`
 * attribute; its fields are the simple-typed child elements with `maxLength`.
 *
 * An XSD carries less than a parser file, so the result is marked `unverified` on every segment:
 * offsets are the running sum of the field lengths in element order (SAP's SDATA layout is
 * contiguous, so this is sound when the XSD lists every field), HLEVEL is the nesting depth + 1
 * (right for most segments, wrong for e.g. E1IDOCENHANCEMENT, which SAP writes with level 01),
 * and the definition name is the un-versioned `E2...` name. Prefer a parser file where you can.
 */
import { XMLParser } from 'fast-xml-parser';
import { IdocgateError, type Issue } from '../errors.js';
import { checkDefinition } from './check.js';
import { fromXmlName } from './registry.js';
import { validateDefinitionSchema } from './schema.js';
import {
  SAP_DATA_TYPES,
  type FieldDefinition,
  type IdocDefinition,
  type SapDataType,
  type SegmentDefinition,
} from './types.js';

export interface XsdImportOptions {
  /** ABAP data types by `SEGMENTTYPE.FIELD` or `*.FIELD` (an XSD only says string). */
  readonly dataTypes?: Readonly<Record<string, SapDataType>>;
  readonly messageTypes?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly sources?: readonly string[];
}

/** fast-xml-parser `preserveOrder` node: one key = tag name -> children, `:@` = attributes. */
type XNode = Record<string, unknown>;

const UNVERIFIED =
  'imported from an IDoc XML schema: HLEVEL = nesting depth + 1, definition name assumed un-versioned, offsets from contiguous field lengths';

function fail(message: string, path = '/'): IdocgateError {
  return new IdocgateError('DEFINITION_PARSER_FILE_INVALID', `IDoc XSD: ${message}`, {
    issues: [{ code: 'DEFINITION_XSD_INVALID', message, path }],
  });
}

function tagOf(n: XNode): string {
  for (const k of Object.keys(n)) if (k !== ':@') return k;
  return '';
}

function kids(n: XNode): XNode[] {
  const v = n[tagOf(n)];
  return Array.isArray(v) ? (v as XNode[]) : [];
}

function attr(n: XNode, name: string): string | undefined {
  const a = n[':@'];
  if (a && typeof a === 'object') {
    const v = (a as Record<string, unknown>)[name];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function child(n: XNode, tag: string): XNode | undefined {
  return kids(n).find((k) => tagOf(k) === tag);
}

/** `xsd:string` -> `string`, `{}DELVRY03.E1EDL24` -> `DELVRY03.E1EDL24`. */
function localName(qname: string): string {
  const noBraces = qname.replace(/^\{[^}]*\}/, '');
  const colon = noBraces.indexOf(':');
  return colon >= 0 ? noBraces.slice(colon + 1) : noBraces;
}

interface Schema {
  readonly complexTypes: ReadonlyMap<string, XNode>;
  readonly simpleTypes: ReadonlyMap<string, XNode>;
  readonly elements: readonly XNode[];
}

function readSchema(text: string): Schema {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw fail('DOCTYPE/ENTITY declarations are not accepted');
  let doc: XNode[];
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      processEntities: false,
      parseTagValue: false,
      parseAttributeValue: false,
    });
    doc = parser.parse(text, true) as XNode[];
  } catch (e) {
    throw fail(`not well-formed XML (${(e as Error).message})`);
  }
  const schema = doc.find((n) => tagOf(n) === 'schema');
  if (!schema) throw fail('no <xsd:schema> root element');
  const complexTypes = new Map<string, XNode>();
  const simpleTypes = new Map<string, XNode>();
  const elements: XNode[] = [];
  for (const n of kids(schema)) {
    const tag = tagOf(n);
    const name = attr(n, 'name');
    if (tag === 'complexType' && name) complexTypes.set(name, n);
    else if (tag === 'simpleType' && name) simpleTypes.set(name, n);
    else if (tag === 'element') elements.push(n);
  }
  return { complexTypes, simpleTypes, elements };
}

/** The complex type of an element (inline or named), or undefined for a simple-typed element. */
function complexTypeOf(s: Schema, el: XNode): XNode | undefined {
  const inline = child(el, 'complexType');
  if (inline) return inline;
  const t = attr(el, 'type');
  return t ? s.complexTypes.get(localName(t)) : undefined;
}

function isSegmentType(ct: XNode): boolean {
  return kids(ct).some((k) => tagOf(k) === 'attribute' && attr(k, 'name') === 'SEGMENT');
}

/** Child elements of a complex type's sequence (nested sequences flattened, in order). */
function sequenceElements(ct: XNode, where: string): XNode[] {
  const out: XNode[] = [];
  const visit = (n: XNode): void => {
    for (const k of kids(n)) {
      const tag = tagOf(k);
      if (tag === 'element') out.push(k);
      else if (tag === 'sequence') visit(k);
      else if (tag === 'choice' || tag === 'all' || tag === 'any') {
        throw fail(`<${tag}> in ${where}: an IDoc XSD only uses sequences`, where);
      }
    }
  };
  for (const k of kids(ct)) {
    const tag = tagOf(k);
    if (tag === 'sequence') visit(k);
    else if (tag === 'complexContent' || tag === 'simpleContent') {
      throw fail(`<${tag}> in ${where}: an IDoc XSD does not derive types`, where);
    }
  }
  return out;
}

function maxLengthOf(s: Schema, el: XNode): number | undefined {
  const find = (st: XNode | undefined): number | undefined => {
    const restriction = st ? child(st, 'restriction') : undefined;
    const ml = restriction ? child(restriction, 'maxLength') : undefined;
    const v = ml ? attr(ml, 'value') : undefined;
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
    const base = restriction ? attr(restriction, 'base') : undefined;
    return base ? find(s.simpleTypes.get(localName(base))) : undefined;
  };
  const inline = find(child(el, 'simpleType'));
  if (inline !== undefined) return inline;
  const t = attr(el, 'type');
  return t ? find(s.simpleTypes.get(localName(t))) : undefined;
}

function documentation(el: XNode): string | undefined {
  const ann = child(el, 'annotation');
  const doc = ann ? child(ann, 'documentation') : undefined;
  const text = doc ? kids(doc).find((k) => tagOf(k) === '#text') : undefined;
  const v = text ? text['#text'] : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function occurs(el: XNode, where: string): { min: number; max: number | null } {
  const minA = attr(el, 'minOccurs') ?? '1';
  const maxA = attr(el, 'maxOccurs') ?? '1';
  if (!/^\d+$/.test(minA)) throw fail(`minOccurs "${minA}" of ${where}`, where);
  if (maxA !== 'unbounded' && !/^\d+$/.test(maxA)) throw fail(`maxOccurs "${maxA}" of ${where}`, where);
  return { min: Number(minA), max: maxA === 'unbounded' ? null : Number(maxA) };
}

/** `E1EDL24` -> `E2EDL24`, `/SPE/E1BP...` -> `/SPE/E2BP...`. */
function unversionedDefinitionName(type: string): string {
  return type.replace(/(^|\/)([EZY])1/, '$1$22');
}

function hinted(hints: Readonly<Record<string, SapDataType>>, seg: string, field: string): SapDataType {
  const t = hints[`${seg}.${field}`] ?? hints[`*.${field}`];
  return t && (SAP_DATA_TYPES as readonly string[]).includes(t) ? t : 'CHAR';
}

function fixedValue(s: Schema, ct: XNode | undefined, field: string): string | undefined {
  if (!ct) return undefined;
  const el = sequenceElements(ct, 'EDI_DC40').find((e) => attr(e, 'name') === field);
  if (!el) return undefined;
  const fixed = attr(el, 'fixed');
  if (fixed) return fixed;
  const r = child(el, 'simpleType');
  const restriction = r ? child(r, 'restriction') : undefined;
  const enums = restriction ? kids(restriction).filter((k) => tagOf(k) === 'enumeration') : [];
  const only = enums.length === 1 ? enums[0] : undefined;
  return only ? attr(only, 'value') : undefined;
}

/** Imports an SAP IDoc XSD; throws DEFINITION_PARSER_FILE_INVALID with what is wrong and where. */
export function importIdocXsd(text: string, opts: XsdImportOptions = {}): IdocDefinition {
  const s = readSchema(text);
  const hints = opts.dataTypes ?? {};
  let root: { el: XNode; idoc: XNode; idocType: XNode } | undefined;
  for (const el of s.elements) {
    const ct = complexTypeOf(s, el);
    const idoc = ct
      ? sequenceElements(ct, attr(el, 'name') ?? '?').find((e) => attr(e, 'name') === 'IDOC')
      : undefined;
    const idocType = idoc ? complexTypeOf(s, idoc) : undefined;
    if (idoc && idocType) {
      root = { el, idoc, idocType };
      break;
    }
  }
  if (!root) throw fail('no top-level element containing an IDOC element (is this an IDoc XSD?)');
  const rootName = fromXmlName(attr(root.el, 'name') ?? '');
  const children = sequenceElements(root.idocType, 'IDOC');
  const dc = children.find((e) => attr(e, 'name') === 'EDI_DC40');
  if (!dc) throw fail('IDOC has no EDI_DC40 element', 'IDOC');
  const dcType = complexTypeOf(s, dc);
  const basicType = fixedValue(s, dcType, 'IDOCTYP') ?? rootName;
  const cimtyp = fixedValue(s, dcType, 'CIMTYP');
  const extension = cimtyp ?? (basicType !== rootName ? rootName : undefined);

  const segments: SegmentDefinition[] = [];
  const addSegment = (el: XNode, parent: string | null, depth: number, path: string): void => {
    const type = fromXmlName(attr(el, 'name') ?? '');
    const where = `${path}/${type}`;
    const ct = complexTypeOf(s, el);
    if (!ct || !isSegmentType(ct))
      throw fail(`${type} is not a segment (no complex type with a SEGMENT attribute)`, where);
    const fields: FieldDefinition[] = [];
    const subSegments: XNode[] = [];
    let offset = 0;
    for (const c of sequenceElements(ct, where)) {
      const cct = complexTypeOf(s, c);
      if (cct) {
        subSegments.push(c);
        continue;
      }
      const name = attr(c, 'name') ?? '';
      const length = maxLengthOf(s, c);
      if (length === undefined)
        throw fail(
          `field ${type}.${name} has no maxLength, so its flat length is unknown`,
          `${where}.${name}`,
        );
      const description = documentation(c);
      fields.push({
        name,
        offset,
        length,
        dataType: hinted(hints, type, name),
        ...(description ? { description } : {}),
      });
      offset += length;
    }
    const occ = occurs(el, where);
    const description = documentation(el) ?? (ct ? documentation(ct) : undefined);
    segments.push({
      type,
      parent,
      min: occ.min,
      max: occ.max,
      level: depth + 1,
      ...(description ? { description } : {}),
      versions: [{ name: unversionedDefinitionName(type), fieldCount: fields.length }],
      fields,
      unverified: UNVERIFIED,
    });
    for (const sub of subSegments) addSegment(sub, type, depth + 1, where);
  };
  for (const el of children) if (el !== dc) addSegment(el, null, 1, 'IDOC');

  const definition: IdocDefinition = {
    basicType,
    ...(extension ? { extension } : {}),
    ...(opts.description ? { description: opts.description } : {}),
    messageTypes: { ...(opts.messageTypes ?? {}) },
    segments,
    ...(opts.sources ? { sources: [...opts.sources] } : {}),
  };
  const problems: Issue[] = [...validateDefinitionSchema(definition), ...checkDefinition(definition)];
  if (problems.length > 0) {
    throw new IdocgateError(
      'DEFINITION_PARSER_FILE_INVALID',
      `IDoc XSD describes an invalid definition:\n${problems.map((p) => `  ${p.path ?? ''}: ${p.message}`).join('\n')}`,
      { issues: problems },
    );
  }
  return definition;
}
