/**
 * Builds canonical IDocs (./model.ts) straight from scanner tokens, without an intermediate tree.
 *
 * The element the builder sees first is the IDoc-XML root (`<DELVRY07>`, `<ZDEBMAS07_SF>`, ...):
 * for plain IDoc-XML that is the document root, for SOAP the first element in the Body. Names
 * are matched on their local part, so default namespaces and prefixes both work.
 */
import type { Issue } from '../errors.js';
import { IdocgateError } from '../errors.js';
import { fromXmlName } from '../definitions/registry.js';
import type { ControlFieldName, ControlRecord, Idoc, Segment } from './model.js';
import { CONTROL_FIELDS } from './model.js';
import type { XmlHandler } from './xml-scanner.js';

/** Namespace of SAP's IDoc-SOAP messages (also used by CPI for IDoc-XML). */
export const IDOC_SOAP_NAMESPACE = 'urn:sap-com:document:sap:idoc:soap:messages';
const FUSE_NAMESPACE = 'http://sap.fusesource.org/idoc';
const SOAP11_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';
const MAX_ISSUES = 1000;

const CONTROL_FIELD_SET: ReadonlySet<string> = new Set(CONTROL_FIELDS);

// What an open element is, one entry per open element below the builder's root.
const K_ROOT = 0;
const K_IDOC = 1;
const K_CONTROL = 2;
const K_CONTROL_FIELD = 3;
const K_SEGMENT = 4;
const K_FIELD = 5;
const K_SKIP = 6;

function localName(name: string): string {
  const i = name.indexOf(':');
  return i === -1 ? name : name.slice(i + 1);
}

function isWhitespace(src: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return false;
  }
  return true;
}

export class IdocXmlBuilder implements XmlHandler {
  readonly idocs: Idoc[] = [];
  readonly issues: Issue[] = [];
  /** Local name of the root as written (`_-DSD_-ROUTEACCOUNT_CORDER002`). */
  root = '';
  /** Namespace of the root element (own declaration or inherited). */
  namespace: string | undefined;
  private kinds: number[] = [];
  private segments: Segment[] = [];
  private idoc: Idoc | undefined;
  private controlSeen = false;
  private fieldName = '';
  private fieldValue = '';
  private fieldText = false;
  private dc40UnderRoot = false;
  private src = '';
  private lastPos = 0;
  // Incremental line counting for issue positions (offsets mostly grow).
  private locOffset = 0;
  private locLine = 1;
  private locLineStart = 0;

  constructor(
    /** Namespace declarations in scope from enclosing elements (SOAP Envelope/Body); '' = default. */
    private readonly inheritedNamespaces: Readonly<Record<string, string>> = {},
    /** Whether a SOAP envelope at the root is an error (plain IDoc-XML) or impossible (SOAP body). */
    private readonly rejectEnvelope = true,
  ) {}

  openElement(name: string, attrs: readonly string[], pos: number): void {
    this.lastPos = pos;
    const kinds = this.kinds;
    const depth = kinds.length;
    if (depth === 0) {
      this.openRoot(name, attrs);
      return;
    }
    const parent = kinds[depth - 1]!;
    const local = localName(name);
    switch (parent) {
      case K_IDOC:
        // Every child of IDOC other than EDI_DC40 is a segment, with or without SEGMENT="1".
        if (local === 'EDI_DC40') this.openControl();
        else this.openSegment(local);
        return;
      case K_SEGMENT:
        if (hasSegmentAttr(attrs)) {
          this.openSegment(local);
        } else {
          // A field, unless it turns out to have child elements (see the K_FIELD case).
          kinds.push(K_FIELD);
          this.fieldName = local;
          this.fieldValue = '';
          this.fieldText = false;
        }
        return;
      case K_FIELD: {
        // The "field" has children: it is a segment written without SEGMENT="1".
        const outer = this.fieldName;
        kinds.pop();
        this.openSegment(outer);
        this.warn(
          'XML_SEGMENT_ATTRIBUTE_MISSING',
          `<${outer}> has child elements but no SEGMENT attribute; read as a segment`,
          this.segmentPath(),
        );
        this.openElement(name, attrs, pos);
        return;
      }
      case K_ROOT:
        if (local === 'IDOC') {
          this.openIdoc();
        } else {
          if (local === 'EDI_DC40') this.dc40UnderRoot = true;
          this.warn(
            'XML_UNEXPECTED_ELEMENT',
            `<${local}> under the root is not an <IDOC>; ignored`,
            `root/${local}`,
          );
          kinds.push(K_SKIP);
        }
        return;
      case K_CONTROL:
        kinds.push(K_CONTROL_FIELD);
        this.fieldName = local;
        this.fieldValue = '';
        this.fieldText = false;
        return;
      default:
        if (parent === K_CONTROL_FIELD) {
          this.warn(
            'XML_UNEXPECTED_ELEMENT',
            `<${local}> inside control field ${this.fieldName}; ignored`,
            this.idocPath(),
          );
          kinds[depth - 1] = K_SKIP;
        }
        kinds.push(K_SKIP);
    }
  }

  closeElement(): void {
    const kind = this.kinds.pop();
    switch (kind) {
      case K_FIELD: {
        const fields = this.segments[this.segments.length - 1]!.fields;
        const name = fromXmlName(this.fieldName);
        if (fields[name] !== undefined) {
          this.warn(
            'XML_DUPLICATE_FIELD',
            `field ${name} appears twice; the last value is kept`,
            `${this.segmentPath()}.${name}`,
          );
        }
        fields[name] = this.fieldValue;
        return;
      }
      case K_SEGMENT:
        this.segments.pop();
        return;
      case K_CONTROL_FIELD: {
        const name = this.fieldName;
        if (!CONTROL_FIELD_SET.has(name)) {
          this.warn(
            'XML_UNKNOWN_CONTROL_FIELD',
            `EDI_DC40 has no field ${name}; ignored`,
            `${this.idocPath()}/EDI_DC40.${name}`,
          );
          return;
        }
        const control = this.idoc!.control;
        if (control[name as ControlFieldName] !== undefined) {
          this.warn(
            'XML_DUPLICATE_FIELD',
            `control field ${name} appears twice; the last value is kept`,
            `${this.idocPath()}/EDI_DC40.${name}`,
          );
        }
        control[name as ControlFieldName] = this.fieldValue;
        return;
      }
      case K_IDOC:
        this.closeIdoc();
        return;
      default:
        return;
    }
  }

  text(src: string, start: number, end: number, decoded: string | null): void {
    const kind = this.kinds[this.kinds.length - 1];
    if (kind === K_FIELD || kind === K_CONTROL_FIELD) {
      const value = decoded ?? src.slice(start, end);
      this.fieldValue = this.fieldText ? this.fieldValue + value : value;
      this.fieldText = true;
      return;
    }
    if (kind === K_SKIP || (decoded === null && isWhitespace(src, start, end))) return;
    if (decoded !== null && decoded.trim() === '') return;
    this.src = src;
    this.lastPos = start;
    this.warn(
      'XML_UNEXPECTED_TEXT',
      'text outside a field is ignored',
      this.kinds.length > 1 ? this.idocPath() : 'root',
    );
  }

  cdata(value: string): void {
    const kind = this.kinds[this.kinds.length - 1];
    if (kind === K_FIELD || kind === K_CONTROL_FIELD) {
      this.fieldValue = this.fieldText ? this.fieldValue + value : value;
      this.fieldText = true;
    } else if (kind !== K_SKIP && value.trim() !== '') {
      this.warn(
        'XML_UNEXPECTED_TEXT',
        'CDATA outside a field is ignored',
        this.kinds.length > 1 ? this.idocPath() : 'root',
      );
    }
  }

  /** Call after scanning; throws when the document holds no usable IDoc. */
  finish(): { idocs: Idoc[]; issues: Issue[] } {
    if (this.idocs.length === 0) {
      const root = this.root || '(none)';
      const hint = this.dc40UnderRoot
        ? `; <EDI_DC40> sits directly under <${root}>, but IDoc-XML wraps each IDoc in <IDOC BEGIN="1">`
        : '';
      throw new IdocgateError(
        'IDOC_NO_IDOC_ELEMENT',
        `No <IDOC> element under the root element <${root}>${hint}`,
      );
    }
    return { idocs: this.idocs, issues: this.issues };
  }

  /** Gives the builder the source text so issues can carry line numbers. */
  setSource(src: string): void {
    this.src = src;
  }

  private openRoot(name: string, attrs: readonly string[]): void {
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    const local = name.slice(colon + 1);
    const nsAttr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    let ns = Object.hasOwn(this.inheritedNamespaces, prefix) ? this.inheritedNamespaces[prefix] : undefined;
    for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === nsAttr) ns = attrs[i + 1];
    if (ns === FUSE_NAMESPACE || (prefix === 'idoc' && (local === 'Document' || local === 'DocumentList'))) {
      throw new IdocgateError(
        'IDOC_FOREIGN_FORMAT',
        `The root <${name}> is a JBoss Fuse / camel-sap serialized IDoc (EMF "idoc:Document" with segments as attributes, namespace ${FUSE_NAMESPACE}), not SAP IDoc-XML (<IDOCTYP><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">...)`,
      );
    }
    if (this.rejectEnvelope && local === 'Envelope' && (ns === SOAP11_NAMESPACE || ns === SOAP12_NAMESPACE)) {
      throw new IdocgateError(
        'IDOC_FOREIGN_FORMAT',
        `The root <${name}> is a SOAP envelope, not IDoc-XML; send it to the SOAP endpoint (parseSoap)`,
      );
    }
    if (local === 'IDOC') {
      throw new IdocgateError(
        'IDOC_NO_IDOC_ELEMENT',
        'The root element is <IDOC>; IDoc-XML needs a root element named by the IDoc type (e.g. <DELVRY07>) around it',
      );
    }
    this.root = local;
    this.namespace = ns;
    this.kinds.push(K_ROOT);
  }

  private openIdoc(): void {
    this.idoc = { control: {}, segments: [], xml: this.xmlHints() };
    this.controlSeen = false;
    this.segments.length = 0;
    this.kinds.push(K_IDOC);
  }

  private xmlHints(): { root: string; namespace?: string } {
    return this.namespace === undefined
      ? { root: this.root }
      : { root: this.root, namespace: this.namespace };
  }

  private openControl(): void {
    if (this.controlSeen) {
      this.warn(
        'XML_DUPLICATE_CONTROL_RECORD',
        'a second <EDI_DC40> in one IDoc is ignored',
        this.idocPath(),
      );
      this.kinds.push(K_SKIP);
      return;
    }
    if (this.idoc!.segments.length > 0) {
      this.warn(
        'XML_CONTROL_RECORD_NOT_FIRST',
        '<EDI_DC40> is not the first element of <IDOC>',
        this.idocPath(),
      );
    }
    this.controlSeen = true;
    this.kinds.push(K_CONTROL);
  }

  private openSegment(local: string): void {
    const segment: Segment = { type: fromXmlName(local), fields: {}, children: [] };
    const parent = this.segments[this.segments.length - 1];
    if (parent) parent.children.push(segment);
    else this.idoc!.segments.push(segment);
    this.segments.push(segment);
    this.kinds.push(K_SEGMENT);
  }

  private closeIdoc(): void {
    const idoc = this.idoc!;
    const index = this.idocs.length;
    if (!this.controlSeen) {
      throw new IdocgateError(
        'IDOC_NO_CONTROL_RECORD',
        `IDoc ${index + 1} (<IDOC> element ${index + 1} under <${this.root}>) has no <EDI_DC40> control record`,
      );
    }
    this.idocs.push(idoc);
    const { IDOCTYP = '', CIMTYP = '' } = idoc.control as ControlRecord;
    const root = fromXmlName(this.root);
    if (root !== IDOCTYP.trim() && root !== CIMTYP.trim()) {
      this.warn(
        'XML_ROOT_NAME_MISMATCH',
        `root element <${this.root}> is neither IDOCTYP "${IDOCTYP.trim()}" nor CIMTYP "${CIMTYP.trim()}"; the type is taken from EDI_DC40`,
        `idoc[${index}]`,
      );
    }
  }

  private idocPath(): string {
    return `idoc[${this.idocs.length}]`;
  }

  private segmentPath(): string {
    let path = this.idocPath();
    let list = this.idoc?.segments ?? [];
    for (const s of this.segments) {
      path += `/${s.type}[${list.indexOf(s)}]`;
      list = s.children;
    }
    return path;
  }

  private locate(offset: number): { line: number; column: number } {
    if (offset < this.locOffset) {
      this.locOffset = 0;
      this.locLine = 1;
      this.locLineStart = 0;
    }
    const src = this.src;
    for (let i = src.indexOf('\n', this.locOffset); i !== -1 && i < offset; i = src.indexOf('\n', i + 1)) {
      this.locLine++;
      this.locLineStart = i + 1;
    }
    this.locOffset = offset;
    return { line: this.locLine, column: offset - this.locLineStart + 1 };
  }

  private warn(code: string, message: string, path: string): void {
    if (this.issues.length >= MAX_ISSUES) return;
    const details: Record<string, number> = {};
    if (this.src !== '') {
      const { line, column } = this.locate(this.lastPos);
      details.line = line;
      details.column = column;
    }
    this.issues.push({ code, message, path, severity: 'warning', details });
    if (this.issues.length === MAX_ISSUES) {
      this.issues.push({
        code: 'XML_TOO_MANY_ISSUES',
        message: `more than ${MAX_ISSUES} issues; the rest are not listed`,
        severity: 'warning',
      });
    }
  }
}

function hasSegmentAttr(attrs: readonly string[]): boolean {
  for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === 'SEGMENT') return true;
  return false;
}
