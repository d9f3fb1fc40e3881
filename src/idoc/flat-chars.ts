/**
 * Characters in flat IDoc records: offsets and lengths count characters (code points), as SAP
 * does, so a character outside the BMP (an emoji) is one character although a JS string holds it
 * as two UTF-16 units. Also the screening that lets the reader skip per-character checks for
 * plain text.
 */

/** Characters above Latin-1 (a two-byte string): such text takes the careful path. */
const WIDE = /[\u0100-\uffff]/;
/** C0 controls other than LF and CR, and NO-BREAK SPACE: characters `trimEnd` or the junk check care about. */
const SCREENED: readonly string[] = [
  ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter((c) => c !== '\n' && c !== '\r'),
  '\u00a0',
];

/**
 * True when `text` can take the reader's fast path: Latin-1 only (so no surrogates: characters
 * are code units), no C0 control character except LF and CR-before-LF, and no NO-BREAK SPACE. In
 * such text the only character `String.prototype.trimEnd` removes from a line is U+0020 and there
 * is no binary junk, so per-character checks can be skipped. Uses native searches only (`memchr`
 * per screened character; the wide-character test returns at once for one-byte strings).
 */
export function isPlainText(text: string): boolean {
  if (WIDE.test(text)) return false;
  for (let k = 0; k < SCREENED.length; k++) if (text.indexOf(SCREENED[k]!) !== -1) return false;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 2)) {
    if (text.charCodeAt(i + 1) !== 10) return false;
  }
  return true;
}

/** High surrogate followed by a low one: a character outside the BMP (two code units, one character). */
const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/;

export function hasSurrogatePair(text: string): boolean {
  return SURROGATE_PAIR.test(text);
}

/**
 * A line with characters outside the BMP seen in characters (code points), as SAP counts them:
 * `chars` has one UTF-16 unit per character (each pair replaced by U+FFFD, which is neither blank
 * nor a control character) for offsets, trimming and checks; `units[k]` is where character `k`
 * starts in the original line, for slicing values out of it.
 */
export interface CharView {
  readonly chars: string;
  readonly units: Int32Array;
}

export function charView(line: string): CharView {
  const units = new Int32Array(line.length + 1);
  let chars = '';
  let k = 0;
  let from = 0;
  for (let i = 0; i < line.length; i++) {
    units[k++] = i;
    const c = line.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = line.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        chars += line.slice(from, i) + '\ufffd';
        i++;
        from = i + 1;
      }
    }
  }
  units[k] = line.length;
  chars += line.slice(from);
  return { chars, units: units.subarray(0, k + 1) };
}

/** Length in characters (code points): a surrogate pair counts once, a lone surrogate once. */
export function charCount(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** `value` from character (code point) `from` on. */
export function sliceChars(value: string, from: number): string {
  let i = 0;
  for (let k = 0; k < from && i < value.length; k++) {
    const c = value.charCodeAt(i);
    const d = value.charCodeAt(i + 1);
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return value.slice(i);
}
