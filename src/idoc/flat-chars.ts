/**
 * Characters in flat IDoc records: offsets and lengths count characters as ABAP does, in UTF-16
 * code units — a JS string's own length. ABAP works in UCS-2: a character outside the BMP (an
 * emoji) "occupies four bytes and hence [is] handled as two characters by ABAP" (ABAP Keyword
 * Documentation, "Character Strings and Byte Strings"; glossary "surrogate": "interprets a
 * surrogate character as two characters"), so in SDATA it takes two positions and the next field
 * starts two positions later. Also the screening that lets the reader skip per-character checks
 * for plain text.
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
