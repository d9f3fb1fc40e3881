/**
 * A small, strict, non-validating XML 1.0 tokenizer for the IDoc codecs.
 *
 * Why our own: the IDoc reader builds the model straight from tokens, and measured on IDoc-XML
 * this scanner is several times faster than a generic SAX parser (see bench/xml.bench.ts). It
 * checks well-formedness (names, tag nesting, attribute syntax, references, characters, comments,
 * PIs, CDATA, one root) and refuses what an IDoc never needs and attackers love: DOCTYPE/DTD,
 * entity declarations and any entity other than the five predefined ones. Nothing is expanded
 * beyond numeric character references. It never recurses, so nesting cannot overflow the stack,
 * and every loop advances, so junk cannot hang it.
 *
 * Namespaces are not resolved here: names are passed through as written (`p:Local`); the readers
 * match on local names.
 */
import { IdocgateError } from '../errors.js';

export interface XmlLimits {
  /** Maximum element nesting depth (root = 1). */
  readonly maxDepth: number;
  /** Maximum number of elements in the document. */
  readonly maxElements: number;
  /** Maximum input size: bytes for Uint8Array input, UTF-16 code units for string input. */
  readonly maxBytes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxDepth: 64,
  maxElements: 2_000_000,
  maxBytes: 64 * 1024 * 1024,
});

/** Receives the tokens of a document, in order. */
export interface XmlHandler {
  /**
   * Start tag. `attrs` holds name/value pairs flat (`[n0, v0, n1, v1, ...]`, values decoded) and
   * is reused by the scanner: copy what you keep. A self-closing tag is followed by closeElement.
   */
  openElement(name: string, attrs: readonly string[], pos: number): void;
  closeElement(name: string): void;
  /**
   * Character data between tags. `decoded` is null when the raw text `src.slice(start, end)` is
   * already the value (no references, no CR); otherwise it is the decoded value.
   */
  text(src: string, start: number, end: number, decoded: string | null): void;
  /** A CDATA section's content (line ends normalized). */
  cdata(value: string): void;
}

// Character classes for ASCII name characters: 1 = may start a name, 2 = may continue one.
const NAME_TABLE = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_TABLE[c] = 3;
  else if (/[0-9.-]/.test(ch)) NAME_TABLE[c] = 2;
}

function isNameStartSlow(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0xd800 && c <= 0xdfff) // surrogate halves of #x10000-#xEFFFF (pairing checked up front)
  );
}

function isNameCharSlow(c: number): boolean {
  return isNameStartSlow(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

const NO_ATTRS: string[] = [];

/**
 * Reuses one string per distinct element name: no allocation per tag, and the same (soon
 * internalized) string is used as a property key again and again.
 */
class NameCache {
  private readonly buckets: (string[] | undefined)[] = new Array<string[] | undefined>(1024);

  get(src: string, start: number, end: number): string {
    const len = end - start;
    const h =
      (len * 31 +
        src.charCodeAt(start) * 7 +
        src.charCodeAt(end - 1) * 3 +
        src.charCodeAt(start + (len >> 1))) &
      1023;
    let bucket = this.buckets[h];
    if (bucket === undefined) {
      bucket = [];
      this.buckets[h] = bucket;
    }
    for (let k = 0; k < bucket.length; k++) {
      const candidate = bucket[k]!;
      if (candidate.length === len && src.startsWith(candidate, start)) return candidate;
    }
    const name = src.slice(start, end);
    if (bucket.length < 8) bucket.push(name);
    return name;
  }
}

/** Attributes per element; IDoc-XML uses one or two, so this only stops abuse. */
const MAX_ATTRIBUTES = 256;

/** Characters XML 1.0 does not allow anywhere, and unpaired surrogates. */
// eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
const SUSPECT_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const XML_DECL =
  /<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/y;

/** Line (1-based) and column (1-based, in UTF-16 code units) of an offset. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, src.length);
  for (let i = src.indexOf('\n'); i !== -1 && i < end; i = src.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

export function notWellFormed(src: string, offset: number, message: string): IdocgateError {
  const { line, column } = lineColumn(src, offset);
  const text = `Not well-formed XML: ${message} (line ${line}, column ${column})`;
  return new IdocgateError('IDOC_NOT_WELL_FORMED_XML', text, {
    issues: [
      { code: 'XML_NOT_WELL_FORMED', message: text, severity: 'error', details: { line, column, offset } },
    ],
  });
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 9 ||
    cp === 10 ||
    cp === 13 ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Decodes the predefined entities and character references in `src.slice(start, end)`.
 * `attr` applies attribute-value normalization (literal TAB/LF/CR become spaces); text only
 * normalizes line ends (CRLF and lone CR become LF).
 */
function decodeRange(src: string, start: number, end: number, attr: boolean): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    const c = src.charCodeAt(i);
    if (c === 38 /* & */) {
      const semi = src.indexOf(';', i + 1);
      if (semi === -1 || semi >= end || semi - i > 12) {
        throw notWellFormed(src, i, "'&' must start an entity or character reference (write &amp;)");
      }
      const name = src.slice(i + 1, semi);
      let rep: string;
      if (name === 'lt') rep = '<';
      else if (name === 'gt') rep = '>';
      else if (name === 'amp') rep = '&';
      else if (name === 'quot') rep = '"';
      else if (name === 'apos') rep = "'";
      else if (/^#[0-9]+$/.test(name) || /^#x[0-9A-Fa-f]+$/.test(name)) {
        const cp = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (!isXmlChar(cp))
          throw notWellFormed(src, i, `character reference &${name}; is not an XML character`);
        rep = String.fromCodePoint(cp);
      } else if (/^[A-Za-z_:][A-Za-z0-9_.:-]*$/.test(name)) {
        throw notWellFormed(
          src,
          i,
          `reference to undeclared entity &${name}; (only &lt; &gt; &amp; &quot; &apos; and numeric references are supported)`,
        );
      } else {
        throw notWellFormed(src, i, "'&' must start an entity or character reference (write &amp;)");
      }
      out += src.slice(from, i) + rep;
      i = semi;
      from = semi + 1;
    } else if (c === 13 /* CR */) {
      out += src.slice(from, i) + (attr ? ' ' : '\n');
      if (src.charCodeAt(i + 1) === 10) i++;
      from = i + 1;
    } else if (attr && (c === 9 || c === 10)) {
      out += src.slice(from, i) + ' ';
      from = i + 1;
    }
  }
  return out + src.slice(from, end);
}

/** Result of reading the XML declaration. */
export interface XmlProlog {
  /** Offset after the declaration (0 when there is none). */
  readonly end: number;
  readonly encoding: string | undefined;
}

export function readXmlDeclaration(src: string): XmlProlog {
  if (!src.startsWith('<?xml') || !isWs(src.charCodeAt(5))) return { end: 0, encoding: undefined };
  XML_DECL.lastIndex = 0;
  const m = XML_DECL.exec(src);
  if (!m) throw notWellFormed(src, 0, 'malformed XML declaration');
  return { end: XML_DECL.lastIndex, encoding: m[3] };
}

/**
 * Scans a whole document and reports its tokens to `handler`. Throws IdocgateError
 * (IDOC_NOT_WELL_FORMED_XML, IDOC_XML_DTD_FORBIDDEN, IDOC_TOO_LARGE) on the first problem.
 */
export function scanXml(src: string, handler: XmlHandler, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  const bad = SUSPECT_CHAR.test(src) ? FORBIDDEN_CHAR.exec(src) : null;
  if (bad) {
    const code = src.charCodeAt(bad.index).toString(16).toUpperCase().padStart(4, '0');
    throw notWellFormed(src, bad.index, `character U+${code} is not allowed in XML 1.0`);
  }
  const len = src.length;
  let pos = readXmlDeclaration(src).end;
  const stack: string[] = [];
  const names = new NameCache();
  let elements = 0;
  let rootDone = false;
  // Cached next occurrences (amortized linear scanning: positions only move forward).
  let nextAmp = -2;
  let nextCr = -2;
  let nextCdEnd = -2;

  const fail = (at: number, message: string): never => {
    throw notWellFormed(src, at, message);
  };

  const readName = (at: number): number => {
    let i = at;
    let c = src.charCodeAt(i);
    if (c < 128 ? (NAME_TABLE[c]! & 1) === 0 : !isNameStartSlow(c)) return at;
    i++;
    for (; i < len; i++) {
      c = src.charCodeAt(i);
      if (c < 128 ? NAME_TABLE[c] === 0 : !isNameCharSlow(c)) break;
    }
    return i;
  };

  while (pos < len) {
    const lt = src.indexOf('<', pos);
    const textEnd = lt === -1 ? len : lt;
    if (textEnd > pos) {
      if (stack.length === 0) {
        for (let i = pos; i < textEnd; i++) {
          if (!isWs(src.charCodeAt(i)))
            fail(i, rootDone ? 'text after the root element' : 'text before the root element');
        }
      } else {
        if (nextCdEnd !== -1 && nextCdEnd < pos) nextCdEnd = src.indexOf(']]>', pos);
        if (nextCdEnd !== -1 && nextCdEnd < textEnd) fail(nextCdEnd, "']]>' is not allowed in text");
        if (nextAmp !== -1 && nextAmp < pos) nextAmp = src.indexOf('&', pos);
        if (nextCr !== -1 && nextCr < pos) nextCr = src.indexOf('\r', pos);
        const plain = (nextAmp === -1 || nextAmp >= textEnd) && (nextCr === -1 || nextCr >= textEnd);
        handler.text(src, pos, textEnd, plain ? null : decodeRange(src, pos, textEnd, false));
      }
    }
    if (lt === -1) break;
    const c1 = src.charCodeAt(lt + 1);
    if (c1 === 47 /* / */) {
      // End tag: compared in place, no string is made for a matching name.
      const name = stack.pop();
      if (name === undefined) fail(lt, 'end tag without a start tag');
      let i = lt + 2 + name!.length;
      const next = src.charCodeAt(i);
      if (!src.startsWith(name!, lt + 2) || (next < 128 ? NAME_TABLE[next] !== 0 : isNameCharSlow(next))) {
        const nameEnd = readName(lt + 2);
        if (nameEnd === lt + 2) fail(lt + 2, 'end tag without a valid name');
        fail(lt, `end tag </${src.slice(lt + 2, nameEnd)}> does not match start tag <${name!}>`);
      }
      while (isWs(src.charCodeAt(i))) i++;
      if (src.charCodeAt(i) !== 62) fail(i, `end tag </${name!}> is not closed with '>'`);
      pos = i + 1;
      handler.closeElement(name!);
      if (stack.length === 0) rootDone = true;
    } else if (c1 === 33 /* ! */) {
      if (src.startsWith('<!--', lt)) {
        const close = src.indexOf('-->', lt + 4);
        if (close === -1) fail(lt, 'comment is not closed');
        const body = src.slice(lt + 4, close);
        if (body.includes('--') || body.endsWith('-')) fail(lt, "'--' is not allowed inside a comment");
        pos = close + 3;
      } else if (src.startsWith('<![CDATA[', lt)) {
        if (stack.length === 0) fail(lt, 'CDATA section outside the root element');
        const close = src.indexOf(']]>', lt + 9);
        if (close === -1) fail(lt, 'CDATA section is not closed');
        let value = src.slice(lt + 9, close);
        if (value.includes('\r')) value = value.replace(/\r\n?/g, '\n');
        handler.cdata(value);
        pos = close + 3;
      } else if (/^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/.test(src.slice(lt, lt + 10))) {
        const { line, column } = lineColumn(src, lt);
        throw new IdocgateError(
          'IDOC_XML_DTD_FORBIDDEN',
          `DOCTYPE, DTD and entity declarations are not accepted (found at line ${line}, column ${column}); IDoc-XML needs none`,
          { issues: [{ code: 'XML_DTD_FORBIDDEN', message: 'DOCTYPE found', details: { line, column } }] },
        );
      } else {
        fail(lt, "'<!' must start a comment or a CDATA section");
      }
    } else if (c1 === 63 /* ? */) {
      const nameEnd = readName(lt + 2);
      if (nameEnd === lt + 2) fail(lt, 'processing instruction without a target');
      const target = src.slice(lt + 2, nameEnd);
      if (target.toLowerCase() === 'xml') fail(lt, 'the XML declaration is only allowed at the very start');
      const close = src.indexOf('?>', nameEnd);
      if (close === -1) fail(lt, 'processing instruction is not closed');
      if (close > nameEnd && !isWs(src.charCodeAt(nameEnd)))
        fail(nameEnd, 'malformed processing instruction');
      pos = close + 2;
    } else {
      // Start tag.
      if (rootDone) fail(lt, 'a second root element (a document has exactly one)');
      const nameEnd = readName(lt + 1);
      if (nameEnd === lt + 1) fail(lt, "'<' must start a tag (write &lt; in text)");
      const name = names.get(src, lt + 1, nameEnd);
      let attrs = NO_ATTRS;
      let i = nameEnd;
      let selfClosing = false;
      for (;;) {
        const wsStart = i;
        let c = src.charCodeAt(i);
        while (isWs(c)) c = src.charCodeAt(++i);
        if (c === 62 /* > */) {
          i++;
          break;
        }
        if (c === 47 /* / */) {
          if (src.charCodeAt(i + 1) !== 62) fail(i, "'/' must be followed by '>'");
          selfClosing = true;
          i += 2;
          break;
        }
        if (i >= len) fail(lt, `start tag <${name}> is not closed`);
        if (i === wsStart) fail(i, `whitespace required before an attribute in <${name}>`);
        const attrEnd = readName(i);
        if (attrEnd === i) fail(i, `invalid attribute name in <${name}>`);
        const attrName = src.slice(i, attrEnd);
        i = attrEnd;
        while (isWs(src.charCodeAt(i))) i++;
        if (src.charCodeAt(i) !== 61 /* = */)
          fail(i, `attribute ${attrName} in <${name}> needs '=' and a value`);
        i++;
        while (isWs(src.charCodeAt(i))) i++;
        const q = src.charCodeAt(i);
        if (q !== 34 && q !== 39) fail(i, `value of attribute ${attrName} in <${name}> must be quoted`);
        const close = src.indexOf(q === 34 ? '"' : "'", i + 1);
        if (close === -1) fail(i, `value of attribute ${attrName} in <${name}> is not closed`);
        let value = src.slice(i + 1, close);
        if (value.includes('<')) fail(i, `'<' is not allowed in the value of attribute ${attrName}`);
        if (/[&\t\n\r]/.test(value)) value = decodeRange(src, i + 1, close, true);
        if (attrs === NO_ATTRS) attrs = [];
        if (attrs.length >= 2 * MAX_ATTRIBUTES) {
          throw new IdocgateError('IDOC_TOO_LARGE', `More than ${MAX_ATTRIBUTES} attributes on <${name}>`);
        }
        for (let k = 0; k < attrs.length; k += 2) {
          if (attrs[k] === attrName) fail(i, `attribute ${attrName} repeated in <${name}>`);
        }
        attrs.push(attrName, value);
        i = close + 1;
      }
      if (++elements > limits.maxElements) {
        throw new IdocgateError(
          'IDOC_TOO_LARGE',
          `The document has more than ${limits.maxElements} elements (limit maxElements)`,
        );
      }
      if (stack.length >= limits.maxDepth) {
        const { line, column } = lineColumn(src, lt);
        throw new IdocgateError(
          'IDOC_TOO_LARGE',
          `Elements are nested deeper than ${limits.maxDepth} levels at line ${line}, column ${column} (limit maxDepth)`,
        );
      }
      handler.openElement(name, attrs, lt);
      if (selfClosing) {
        handler.closeElement(name);
        if (stack.length === 0) rootDone = true;
      } else {
        stack.push(name);
      }
      pos = i;
    }
  }
  if (stack.length > 0)
    fail(len, `end of input inside <${stack[stack.length - 1]!}> (document is truncated)`);
  if (!rootDone) fail(len, 'no root element');
}
