/**
 * The one SAP date/time reader of both ledgers (deliveries for the pushback sweeper, serials for
 * chain of custody). SAP writes DATS `YYYYMMDD` and TIMS `HHMMSS` as wall-clock time of the SAP
 * system, without a zone (IDOC-FORMAT.md §1: CREDAT/CRETIM; §4: E1EDT13 ISDD/ISDZ, NTANF/NTANZ):
 * they are read in the configured `timeZone` (the config's top-level `timeZone`), never as UTC.
 * Blank and all-zero dates (`00000000`, SAP's "not set", e.g. ISDD before goods issue) and
 * impossible dates give undefined; a blank or malformed time reads as midnight.
 */
import { sapDateTimeToIso } from '../../mapping/time.js';

export function sapInstant(
  dats: string | null | undefined,
  tims: string | null | undefined,
  timeZone: string,
): Date | undefined {
  const d = (dats ?? '').trim();
  if (!/^\d{8}$/.test(d) || /^0+$/.test(d)) return undefined;
  const t = (tims ?? '').trim();
  const iso = sapDateTimeToIso(d, /^\d{6}$/.test(t) ? t : '', timeZone);
  return iso === undefined ? undefined : new Date(iso);
}
