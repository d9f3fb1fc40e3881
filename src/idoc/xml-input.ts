/**
 * Turns XML input (string or bytes) into text: BOM and encoding declaration honoured, size limit
 * checked before any work is done.
 */
import { IdocgateError } from '../errors.js';
import type { XmlLimits } from './xml-scanner.js';

const LATIN1_LABELS = new Set([
  'iso-8859-1',
  'iso8859-1',
  'iso_8859-1',
  'latin1',
  'latin-1',
  'l1',
  'cp819',
  'ibm819',
]);
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

function tooLarge(size: number, limits: XmlLimits, unit: string): IdocgateError {
  return new IdocgateError(
    'IDOC_TOO_LARGE',
    `The input has ${size} ${unit}, more than the limit of ${limits.maxBytes} (maxBytes)`,
  );
}

/** Exact ISO-8859-1: every byte is the code point of the same value. */
function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (slow path, errors only). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let n = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function decodeWith(label: string, bytes: Uint8Array): string {
  const lower = label.toLowerCase();
  if (LATIN1_LABELS.has(lower)) return decodeLatin1(bytes);
  const name = UTF8_LABELS.has(lower) ? 'utf-8' : lower;
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(name, { fatal: true, ignoreBOM: false });
  } catch {
    throw new IdocgateError('IDOC_NOT_WELL_FORMED_XML', `Unsupported XML encoding "${label}"`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const at = name === 'utf-8' ? firstInvalidUtf8(bytes) : -1;
    const where = at >= 0 ? ` at byte ${at}` : '';
    throw new IdocgateError(
      'IDOC_NOT_WELL_FORMED_XML',
      `The input is not valid ${decoder.encoding}${where} (encoding taken from ${label === 'utf-8' ? 'the default' : 'the XML declaration'})`,
    );
  }
}

const DECL_ENCODING = /^<\?xml[^>]*?[ \t\r\n]encoding[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

/** Decodes XML bytes per BOM, then per the encoding declaration, else UTF-8. */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return decodeWith('utf-8', bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) {
    return decodeWith('utf-16le', bytes);
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) {
    return decodeWith('utf-16be', bytes);
  }
  const head = decodeLatin1(bytes.subarray(0, 256));
  const m = DECL_ENCODING.exec(head);
  return decodeWith(m?.[1] ?? 'utf-8', bytes);
}

/** The text of an XML input, size-checked, without a leading byte order mark. */
export function xmlInputText(input: string | Uint8Array, limits: XmlLimits): string {
  if (typeof input === 'string') {
    if (input.length > limits.maxBytes) throw tooLarge(input.length, limits, 'characters');
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength > limits.maxBytes) throw tooLarge(input.byteLength, limits, 'bytes');
  const text = decodeXmlBytes(input);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
