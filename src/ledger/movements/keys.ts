/**
 * The one leading-zero rule of both ledgers (deliveries for the pushback sweeper, serials for
 * chain of custody): SAP keys with ALPHA conversion (MATNR, SERNR, VBELN, POSNR, KUNNR...) are
 * stored right-aligned with leading zeros when they are all digits, and shown without them
 * (help.sap.com "ALPHA Conversion Routine": a wholly numerical input, possibly with blanks
 * before or after, is copied right-aligned and filled with zeros on the left;
 * CONVERSION_EXIT_ALPHA_OUTPUT reverses it). IDocs carry the internal form
 * (`000000000000004711`, `0080000191`), handhelds and WMS the external one (`4711`): the ledgers
 * key on the external form, so `0080000191` and `80000191` are the same delivery. Any other
 * value is only trimmed (`AB-0012` stays as it is).
 */

/** ALPHA output form: an all-digit value without leading zeros (`000` -> `0`), else trimmed. */
export function normalizeKey(value: string | null | undefined): string {
  const t = (value ?? '').trim();
  if (/^\d+$/.test(t)) return t.replace(/^0+(?=\d)/, '');
  return t;
}

/** Like normalizeKey, but null for a blank value. */
export function keyOrNull(value: string | null | undefined): string | null {
  const k = normalizeKey(value);
  return k === '' ? null : k;
}
