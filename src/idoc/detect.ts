/**
 * Format detection from the first bytes of an input: a flat IDoc file (`EDI_DC40...`), IDoc-XML,
 * an IDoc-SOAP envelope, the canonical JSON model, or unknown. Byte order marks (UTF-8, UTF-16)
 * and leading whitespace are skipped; for XML the XML declaration, comments and processing
 * instructions before the root element are skipped too. Detection never parses the document:
 * a DOCTYPE or a broken document is still `xml`, so that the XML reader reports exactly what is
 * wrong with it.
 */

/** The formats the codec reads and writes. */
export type IdocFormat = 'flat' | 'xml' | 'soap' | 'json';

export const IDOC_FORMATS: readonly IdocFormat[] = ['flat', 'xml', 'soap', 'json'];

export interface Detection {
  readonly format: IdocFormat | 'unknown';
  /** XML only: the qualified name of the first element (`DELVRY07`, `soapenv:Envelope`). */
  readonly root?: string;
  /** Human-readable reason, for messages such as "unknown format: starts with ...". */
  readonly reason: string;
}

/** How much of the input is looked at. Enough for a long XML prolog with comments. */
const HEAD_CHARS = 4096;

/** The start of the input as text (BOM removed), decoding only the first few KB of bytes. */
function headOf(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    const s = input.length > HEAD_CHARS ? input.slice(0, HEAD_CHARS) : input;
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
  const b = input.subarray(0, HEAD_CHARS);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return latin1(b.subarray(3));
  if (b[0] === 0xff && b[1] === 0xfe) return utf16(b.subarray(2), true);
  if (b[0] === 0xfe && b[1] === 0xff) return utf16(b.subarray(2), false);
  // UTF-16 without BOM: `<` followed by a NUL (LE) or preceded by one (BE).
  if (b[0] === 0x3c && b[1] === 0x00) return utf16(b, true);
  if (b[0] === 0x00 && b[1] === 0x3c) return utf16(b, false);
  // Everything that matters for detection is ASCII; Latin-1 keeps one character per byte.
  return latin1(b);
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function utf16(b: Uint8Array, littleEndian: boolean): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    s += String.fromCharCode(littleEndian ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!);
  }
  return s;
}

function skipWhitespace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** A printable excerpt of the start of the input for messages (control characters escaped). */
function excerpt(s: string, at: number): string {
  let out = '';
  for (const ch of s.slice(at, at + 24)) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || (c >= 0x7f && c <= 0x9f) ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
  }
  return `"${out}"`;
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*/;

/** Looks at the first bytes of an input and says which format it is in. */
export function sniffFormat(input: string | Uint8Array): Detection {
  const s = headOf(input);
  const at = skipWhitespace(s, 0);
  if (at >= s.length) return { format: 'unknown', reason: 'the input is empty or only whitespace' };
  const c = s.charAt(at);
  if (c === '{' || c === '[') return { format: 'json', reason: `starts with "${c}"` };
  if (s.startsWith('EDI_DC', at)) return { format: 'flat', reason: 'starts with an EDI_DC40 control record' };
  if (c === '<') return sniffXml(s, at);
  // Text followed by markup (an XML copy that lost its "<?", a tree view pasted from a browser):
  // XML, so that the XML reader says where it is broken instead of "unknown format".
  const tag = /<[A-Za-z_?!]/.exec(s.slice(at, at + 1024));
  if (tag && isText(s, at, at + tag.index)) {
    return { format: 'xml', reason: `text before the first tag (${excerpt(s, at)}): broken XML?` };
  }
  return { format: 'unknown', reason: `starts with ${excerpt(s, at)}` };
}

/** True when `s[from, to)` holds no control characters other than whitespace (not binary). */
function isText(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return false;
  }
  return true;
}

/** Just the format (see sniffFormat for the reason). */
export function detectFormat(input: string | Uint8Array): IdocFormat | 'unknown' {
  return sniffFormat(input).format;
}

function sniffXml(s: string, start: number): Detection {
  let i = start;
  // Skip the XML declaration, processing instructions, comments and whitespace before the root.
  for (let guard = 0; guard < 64; guard++) {
    i = skipWhitespace(s, i);
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2);
      if (end === -1) break;
      i = end + 2;
    } else if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end === -1) break;
      i = end + 3;
    } else {
      break;
    }
  }
  if (i >= s.length || s.charAt(i) !== '<') {
    return { format: 'xml', reason: 'starts with "<" (the prolog continues past the first 4 KB)' };
  }
  if (s.startsWith('<!DOCTYPE', i)) return { format: 'xml', reason: 'XML with a DOCTYPE' };
  const m = NAME.exec(s.slice(i + 1, i + 1 + 256));
  if (!m || !NAME_START.test(s.charAt(i + 1))) {
    return { format: 'xml', reason: `starts with "<" but no element name follows (${excerpt(s, i)})` };
  }
  const root = m[0];
  const colon = root.indexOf(':');
  const local = colon === -1 ? root : root.slice(colon + 1);
  if (local === 'Envelope') return { format: 'soap', root, reason: `root element <${root}>` };
  return { format: 'xml', root, reason: `root element <${root}>` };
}
