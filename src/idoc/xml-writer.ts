/**
 * IDoc-XML writer: canonical IDocs -> `<ROOT><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">...`.
 * Values are written exactly (blanks kept), escaped for XML 1.0; names use the XML form of SAP
 * names (`/SPE/E1BP...` -> `_-SPE_-E1BP...`).
 */
import { IdocgateError } from '../errors.js';
import { toXmlName } from '../definitions/registry.js';
import type { Idoc, Segment } from './model.js';

export interface WriteXmlOptions {
  /** Write `<?xml version="1.0" encoding="..."?>` (default true). */
  readonly declaration?: boolean;
  /**
   * Encoding named in the declaration (default `UTF-8`). The result is still a JS string; with
   * `ISO-8859-1` or `US-ASCII` characters outside that range are written as `&#x...;`.
   */
  readonly encoding?: string;
  /** Spaces per level; 0 writes everything on one line (default 2). */
  readonly indent?: number;
  /** Default namespace on the root; default: the namespace read with the first IDoc; null: none. */
  readonly namespace?: string | null;
  /** Root element name (SAP form); default: as read, else CIMTYP, else IDOCTYP. */
  readonly root?: string;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

const SPECIAL_UTF = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const SPECIAL_LATIN1 = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\u0100-\uFFFF]/;
const SPECIAL_ASCII = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\u007F-\uFFFF]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function unrepresentable(message: string): IdocgateError {
  return new IdocgateError('IDOC_XML_UNREPRESENTABLE', message);
}

/** Slow path: escapes markup characters and checks every character is allowed in XML 1.0. */
function escapeSlow(value: string, maxChar: number, where: () => string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const esc = ESCAPES[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    let cp = value.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const lo = value.charCodeAt(i + 1);
      if (!(lo >= 0xdc00 && lo <= 0xdfff)) throw unrepresentable(`${where()} contains an unpaired surrogate`);
      cp = value.codePointAt(i)!;
      i++;
      out += cp > maxChar ? `&#x${cp.toString(16).toUpperCase()};` : String.fromCodePoint(cp);
      continue;
    }
    if (
      (cp < 0x20 && cp !== 9 && cp !== 10) ||
      (cp >= 0xdc00 && cp <= 0xdfff) ||
      cp === 0xfffe ||
      cp === 0xffff
    ) {
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      throw unrepresentable(`${where()} contains U+${hex}, which XML 1.0 cannot represent`);
    }
    out += cp > maxChar ? `&#x${cp.toString(16).toUpperCase()};` : ch;
  }
  return out;
}

class XmlWriter {
  out = '';
  private readonly nl: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly special: RegExp;
  private readonly maxChar: number;

  constructor(
    private readonly indent: number,
    encoding: string,
  ) {
    const enc = encoding.toLowerCase();
    if (/^(iso-?8859-1|latin-?1|l1)$/.test(enc)) {
      this.special = SPECIAL_LATIN1;
      this.maxChar = 0xff;
    } else if (/^(us-)?ascii$/.test(enc)) {
      this.special = SPECIAL_ASCII;
      this.maxChar = 0x7e;
    } else {
      this.special = SPECIAL_UTF;
      this.maxChar = 0x10ffff;
    }
  }

  /** Line break plus indentation for a depth ('' when not indenting). */
  br(depth: number): string {
    if (this.indent === 0) return '';
    let s = this.nl[depth];
    if (s === undefined) {
      s = '\n' + ' '.repeat(this.indent * depth);
      this.nl[depth] = s;
    }
    return s;
  }

  name(sapName: string, what: string): string {
    let n = this.names.get(sapName);
    if (n === undefined) {
      n = toXmlName(sapName);
      if (!NAME.test(n)) throw unrepresentable(`${what} "${sapName}" is not a valid XML element name`);
      this.names.set(sapName, n);
    }
    return n;
  }

  value(v: string, where: () => string): string {
    return this.special.test(v) ? escapeSlow(v, this.maxChar, where) : v;
  }

  fields(fields: Record<string, string>, depth: number, path: () => string): void {
    const br = this.br(depth);
    for (const key in fields) {
      const n = this.name(key, 'Field');
      const v = fields[key]!;
      this.out += v === '' ? `${br}<${n}/>` : `${br}<${n}>${this.value(v, () => `${path()}.${key}`)}</${n}>`;
    }
  }

  segments(list: readonly Segment[], depth: number, parentPath: string): void {
    for (let i = 0; i < list.length; i++) {
      const seg = list[i]!;
      const path = (): string => `${parentPath}/${seg.type}[${i}]`;
      if (seg.sdata !== undefined && seg.sdata.trim() !== '' && Object.keys(seg.fields).length === 0) {
        throw new IdocgateError(
          'IDOC_NO_DEFINITION_FOR_SEGMENT',
          `Segment ${seg.type} (${path()}) holds only raw SDATA (read from a flat file without its definition), so it cannot be written as XML; load the definition of ${seg.type}`,
          {
            issues: [
              { code: 'SEGMENT_NO_DEFINITION', message: `no definition for ${seg.type}`, path: path() },
            ],
          },
        );
      }
      const n = this.name(seg.type, 'Segment type');
      const br = this.br(depth);
      this.out += `${br}<${n} SEGMENT="1">`;
      this.fields(seg.fields, depth + 1, path);
      if (seg.children.length > 0) this.segments(seg.children, depth + 1, path());
      this.out += `${seg.children.length > 0 || Object.keys(seg.fields).length > 0 ? br : ''}</${n}>`;
    }
  }
}

/** The root element name (SAP form) that writeXml uses for these IDocs. */
export function xmlRootOf(idoc: Idoc): string {
  if (idoc.xml?.root) return idoc.xml.root;
  const cimtyp = (idoc.control.CIMTYP ?? '').trim();
  const idoctyp = (idoc.control.IDOCTYP ?? '').trim();
  const root = cimtyp || idoctyp;
  if (!root)
    throw new IdocgateError('IDOC_INVALID', 'Neither IDOCTYP nor CIMTYP is set, so the XML root has no name');
  return root;
}

/** Escapes a string for XML text or attribute content (all five markup characters). */
export function escapeXml(value: string): string {
  return SPECIAL_UTF.test(value) ? escapeSlow(value, 0x10ffff, () => 'The value') : value;
}

/**
 * Writes one or more IDocs as one IDoc-XML document (one `<IDOC BEGIN="1">` per IDoc). The root
 * and namespace come from the first IDoc unless given. Throws IdocgateError for raw-SDATA
 * segments (IDOC_NO_DEFINITION_FOR_SEGMENT) and for names or values XML cannot carry
 * (IDOC_XML_UNREPRESENTABLE).
 */
export function writeXml(idocs: Idoc | readonly Idoc[], opts: WriteXmlOptions = {}): string {
  const list: readonly Idoc[] = Array.isArray(idocs) ? idocs : [idocs as Idoc];
  const first = list[0];
  if (first === undefined) throw new IdocgateError('IDOC_EMPTY_INPUT', 'No IDoc to write');
  const encoding = opts.encoding ?? 'UTF-8';
  const indent = opts.indent ?? 2;
  if (!Number.isInteger(indent) || indent < 0 || indent > 16) {
    throw new RangeError(`indent must be an integer 0..16, got ${indent}`);
  }
  const w = new XmlWriter(indent, encoding);
  const root = w.name(opts.root ?? xmlRootOf(first), 'Root');
  const namespace = opts.namespace === undefined ? first.xml?.namespace : opts.namespace;
  if (opts.declaration ?? true) {
    w.out += `<?xml version="1.0" encoding="${w.value(encoding, () => 'The encoding')}"?>${indent > 0 ? '\n' : ''}`;
  }
  w.out += namespace ? `<${root} xmlns="${w.value(namespace, () => 'The namespace')}">` : `<${root}>`;
  for (let i = 0; i < list.length; i++) {
    const idoc = list[i]!;
    w.out += `${w.br(1)}<IDOC BEGIN="1">${w.br(2)}<EDI_DC40 SEGMENT="1">`;
    // TABNAM is added for IDocs built elsewhere; an IDoc read from XML is written as it was read.
    const control =
      idoc.control.TABNAM === undefined && idoc.xml === undefined
        ? { TABNAM: 'EDI_DC40', ...idoc.control }
        : idoc.control;
    w.fields(control as Record<string, string>, 3, () => `idoc[${i}]/EDI_DC40`);
    w.out += `${w.br(2)}</EDI_DC40>`;
    w.segments(idoc.segments, 2, `idoc[${i}]`);
    w.out += `${w.br(1)}</IDOC>`;
  }
  w.out += `${w.br(0)}</${root}>${indent > 0 ? '\n' : ''}`;
  return w.out;
}
