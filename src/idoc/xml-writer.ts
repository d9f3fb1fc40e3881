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

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function unrepresentable(message: string): IdocgateError {
  return new IdocgateError('IDOC_XML_UNREPRESENTABLE', message);
}

/** Slow path: escapes markup characters and checks every character is allowed in XML 1.0. */
function escapeSlow(value: string, maxChar: number, where: () => string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    let cp = value.charCodeAt(i);
    let rep: string | undefined;
    if (cp === 38) rep = '&amp;';
    else if (cp === 60) rep = '&lt;';
    else if (cp === 62) rep = '&gt;';
    else if (cp === 34) rep = '&quot;';
    else if (cp === 39) rep = '&apos;';
    else if (cp === 13) rep = '&#13;';
    else if (cp >= 0x20 && cp <= maxChar && cp < 0xd800) continue;
    else if (cp === 9 || cp === 10) continue;
    else {
      let width = 1;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const lo = value.charCodeAt(i + 1);
        if (!(lo >= 0xdc00 && lo <= 0xdfff))
          throw unrepresentable(`${where()} contains an unpaired surrogate`);
        cp = value.codePointAt(i)!;
        width = 2;
      } else if (cp < 0x20 || (cp >= 0xdc00 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) {
        const hex = cp.toString(16).toUpperCase().padStart(4, '0');
        throw unrepresentable(`${where()} contains U+${hex}, which XML 1.0 cannot represent`);
      }
      if (cp <= maxChar) {
        i += width - 1;
        continue;
      }
      rep = `&#x${cp.toString(16).toUpperCase()};`;
      out += value.slice(from, i) + rep;
      i += width - 1;
      from = i + 1;
      continue;
    }
    out += value.slice(from, i) + rep;
    from = i + 1;
  }
  return out + value.slice(from);
}

/** True when a value can be written as is (no markup, no forbidden or out-of-range characters). */
function isPlain(v: string, maxChar: number): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > maxChar || c === 38 || c === 60 || c === 62 || c === 34 || c === 39) {
      if (c === 9 || c === 10) continue;
      return false;
    }
  }
  return true;
}

/** `[line break + <N>, </N>, line break + <N/>]` for a field at a depth (fewer concatenations). */
type FieldTags = readonly [string, string, string];

/** A segment type at a depth: its tags, and the field tags for the keys its last fields object had. */
interface SegmentTags {
  /** Line break + `<N SEGMENT="1">`. */
  readonly open: string;
  /** Line break + `</N>` (after fields or children). */
  readonly closeBr: string;
  /** `</N>` (empty segment). */
  readonly close: string;
  /** Keys of the last fields object written for this type, in order, and their tags. */
  readonly keys: string[];
  readonly fieldTags: FieldTags[];
}

/**
 * Tag strings per indentation, shared by all writeXml calls (an IDoc type has a few dozen
 * segment and field names; building their tags for every IDoc was a good part of the writer's
 * time). Bounded, so that arbitrary names cannot grow it without limit.
 */
interface TagCache {
  readonly segments: Map<string, SegmentTags>[];
  readonly fields: Map<string, FieldTags>[];
  size: number;
}
const TAG_CACHES: (TagCache | undefined)[] = [];
const TAG_CACHE_LIMIT = 20_000;
/** SAP name -> XML name, for names that are valid XML names (shared, bounded as above). */
const XML_NAMES = new Map<string, string>();

class XmlWriter {
  out = '';
  private readonly nl: string[] = [];
  private readonly cache: TagCache;
  /** Highest character written literally; above it (and for surrogates / U+FFFE/F) the slow path decides. */
  private readonly maxChar: number;
  private readonly charLimit: number;
  /** Where the writer is, for error messages (`idoc[0]`, `E1EDL20[0]`, ...), built only on error. */
  private readonly where: (string | Segment)[] = [];
  private readonly whereIndex: number[] = [];
  private level = 0;

  constructor(
    private readonly indent: number,
    encoding: string,
  ) {
    const enc = encoding.toLowerCase();
    if (/^(iso-?8859-1|latin-?1|l1)$/.test(enc)) this.charLimit = 0xff;
    else if (/^(us-)?ascii$/.test(enc)) this.charLimit = 0x7e;
    else this.charLimit = 0x10ffff;
    this.maxChar = Math.min(this.charLimit, 0xd7ff);
    this.cache = TAG_CACHES[indent] ??= { segments: [], fields: [], size: 0 };
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

  enter(step: string | Segment, index = 0): void {
    this.where[this.level] = step;
    this.whereIndex[this.level] = index;
    this.level++;
  }

  leave(): void {
    this.level--;
  }

  path(): string {
    return this.where
      .slice(0, this.level)
      .map((w, k) => (typeof w === 'string' ? w : `${w.type}[${this.whereIndex[k] ?? 0}]`))
      .join('/');
  }

  /** The tags of a segment type at a depth. */
  segmentTag(type: string, depth: number): SegmentTags {
    const byType = (this.cache.segments[depth] ??= new Map());
    let t = byType.get(type);
    if (t === undefined) {
      const n = this.name(type, 'Segment type');
      const br = this.br(depth);
      t = {
        open: `${br}<${n} SEGMENT="1">`,
        closeBr: `${br}</${n}>`,
        close: `</${n}>`,
        keys: [],
        fieldTags: [],
      };
      if (this.cache.size < TAG_CACHE_LIMIT) {
        byType.set(type, t);
        this.cache.size++;
      }
    }
    return t;
  }

  /** The tags of a field at a depth. */
  private tag(key: string, depth: number): FieldTags {
    const byName = (this.cache.fields[depth] ??= new Map());
    let t = byName.get(key);
    if (t === undefined) {
      const n = this.name(key, 'Field');
      const br = this.br(depth);
      t = [`${br}<${n}>`, `</${n}>`, `${br}<${n}/>`];
      if (this.cache.size < TAG_CACHE_LIMIT) {
        byName.set(key, t);
        this.cache.size++;
      }
    }
    return t;
  }

  name(sapName: string, what: string): string {
    let n = XML_NAMES.get(sapName);
    if (n === undefined) {
      n = toXmlName(sapName);
      if (!NAME.test(n))
        throw unrepresentable(`${what} "${sapName}" at ${this.path()} is not a valid XML name`);
      if (XML_NAMES.size < TAG_CACHE_LIMIT) XML_NAMES.set(sapName, n);
    }
    return n;
  }

  value(v: string, field: string): string {
    return isPlain(v, this.maxChar)
      ? v
      : escapeSlow(v, this.charLimit, () => `The value of ${this.path()}.${field}`);
  }

  /** Tags (and key cache) for the control record's fields. */
  controlTags(): SegmentTags {
    return this.segmentTag('EDI_DC40', 2);
  }

  /**
   * The fields of a segment. Objects of one type mostly have the same keys in the same order:
   * those are matched against the type's last keys (a pointer comparison of property names)
   * instead of a map look-up per field.
   */
  segmentFields(t: SegmentTags, fields: Record<string, string>, depth: number): boolean {
    const keys = t.keys;
    const tags = t.fieldTags;
    let k = 0;
    let out = '';
    for (const key in fields) {
      let ft: FieldTags;
      if (keys[k] === key) {
        ft = tags[k]!;
      } else {
        ft = this.tag(key, depth);
        keys[k] = key;
        tags[k] = ft;
      }
      k++;
      const v = fields[key]!;
      out += v === '' ? ft[2] : ft[0] + this.value(v, key) + ft[1];
    }
    this.out += out;
    return k > 0;
  }

  segments(list: readonly Segment[], depth: number): void {
    for (let i = 0; i < list.length; i++) {
      const seg = list[i]!;
      this.enter(seg, i);
      if (seg.sdata !== undefined && seg.sdata.trim() !== '' && isEmpty(seg.fields)) {
        const path = this.path();
        throw new IdocgateError(
          'IDOC_NO_DEFINITION_FOR_SEGMENT',
          `Segment ${seg.type} (${path}) holds only raw SDATA (read from a flat file without its definition), so it cannot be written as XML; load the definition of ${seg.type}`,
          { issues: [{ code: 'SEGMENT_NO_DEFINITION', message: `no definition for ${seg.type}`, path }] },
        );
      }
      const t = this.segmentTag(seg.type, depth);
      this.out += t.open;
      let inner = this.segmentFields(t, seg.fields, depth + 1);
      if (seg.children.length > 0) {
        this.segments(seg.children, depth + 1);
        inner = true;
      }
      this.out += inner ? t.closeBr : t.close;
      this.leave();
    }
  }
}

function isEmpty(o: Record<string, string>): boolean {
  for (const _ in o) return false;
  return true;
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
  return isPlain(value, 0xd7ff) ? value : escapeSlow(value, 0x10ffff, () => 'The value');
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
    if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding))
      throw new RangeError(`invalid encoding name "${encoding}"`);
    w.out += `<?xml version="1.0" encoding="${encoding}"?>${indent > 0 ? '\n' : ''}`;
  }
  w.out += namespace ? `<${root} xmlns="${w.value(namespace, 'xmlns')}">` : `<${root}>`;
  for (let i = 0; i < list.length; i++) {
    const idoc = list[i]!;
    w.out += `${w.br(1)}<IDOC BEGIN="1">${w.br(2)}<EDI_DC40 SEGMENT="1">`;
    // TABNAM is added for IDocs built elsewhere; an IDoc read from XML is written as it was read.
    const control =
      idoc.control.TABNAM === undefined && idoc.xml === undefined
        ? { TABNAM: 'EDI_DC40', ...idoc.control }
        : idoc.control;
    w.enter(`idoc[${i}]`);
    w.enter('EDI_DC40');
    w.segmentFields(w.controlTags(), control as Record<string, string>, 3);
    w.leave();
    w.out += `${w.br(2)}</EDI_DC40>`;
    w.segments(idoc.segments, 2);
    w.leave();
    w.out += `${w.br(1)}</IDOC>`;
  }
  w.out += `${w.br(0)}</${root}>${indent > 0 ? '\n' : ''}`;
  return w.out;
}
