/**
 * SAP dates and times (DATS `YYYYMMDD`, TIMS `HHMMSS`) are local to the SAP system's time zone;
 * partners speak ISO 8601 with an offset. These helpers convert between the two for an IANA
 * time zone, without any library (Intl only). Formatters are cached per zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** Wall-clock time in `timeZone` at instant `ms`, read from Intl (slow: see localTime). */
function intlLocalTime(ms: number, timeZone: string): LocalTime {
  const out: LocalTime = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of formatter(timeZone).formatToParts(ms)) {
    switch (p.type) {
      case 'year':
        out.y = Number(p.value);
        break;
      case 'month':
        out.mo = Number(p.value);
        break;
      case 'day':
        out.d = Number(p.value);
        break;
      case 'hour':
        out.h = Number(p.value);
        break;
      case 'minute':
        out.mi = Number(p.value);
        break;
      case 'second':
        out.s = Number(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

function intlOffsetMinutes(ms: number, timeZone: string): number {
  const l = intlLocalTime(ms, timeZone);
  return Math.round((Date.UTC(l.y, l.mo - 1, l.d, l.h, l.mi, l.s) - Math.floor(ms / 1000) * 1000) / 60000);
}

/**
 * UTC offsets per zone and quarter hour. Offsets change at most once in any quarter hour, so an
 * offset found equal at both ends of a quarter hour holds inside it; a quarter hour holding a
 * change is never cached. Formatting with Intl costs microseconds; this makes it a map lookup.
 */
const QUARTER = 15 * 60_000;
const offsetCache = new Map<string, Map<number, number>>();

function offsetMinutes(ms: number, timeZone: string): number {
  let zone = offsetCache.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const bucket = Math.floor(ms / QUARTER);
  const hit = zone.get(bucket);
  if (hit !== undefined) return hit;
  const start = intlOffsetMinutes(bucket * QUARTER, timeZone);
  if (start !== intlOffsetMinutes(bucket * QUARTER + QUARTER - 1000, timeZone))
    return intlOffsetMinutes(ms, timeZone);
  if (zone.size > 100_000) zone.clear();
  zone.set(bucket, start);
  return start;
}

/** Wall-clock time in `timeZone` at instant `ms` (whole seconds). */
export function localTime(ms: number, timeZone: string): LocalTime {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes(ms, timeZone) * 60_000);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
  };
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** `20240302` + `110016` in `timeZone` -> `2024-03-02T11:00:16+01:00`; undefined when invalid. */
export function sapDateTimeToIso(dats: string, tims: string, timeZone: string): string | undefined {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(dats);
  const t = tims === '' ? ['', '00', '00', '00'] : /^(\d{2})(\d{2})(\d{2})$/.exec(tims);
  if (!d || !t) return undefined;
  const y = Number(d[1]);
  const mo = Number(d[2]);
  const day = Number(d[3]);
  const h = Number(t[1]);
  const mi = Number(t[2]);
  const s = Number(t[3]);
  if (!validDate(y, mo, day) || h > 23 || mi > 59 || s > 59) return undefined;
  const guess = Date.UTC(y, mo - 1, day, h, mi, s);
  let off = offsetMinutes(guess - offsetMinutes(guess, timeZone) * 60000, timeZone);
  if (offsetMinutes(guess - off * 60000, timeZone) !== off) off = offsetMinutes(guess, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${d[1]}-${d[2]}-${d[3]}T${t[1]}:${t[2]}:${t[3]}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}

export function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** `20240302` -> `2024-03-02`; `00000000` and blank -> ''; undefined when invalid. */
export function sapDateToIso(dats: string): string | undefined {
  if (dats === '' || dats === '00000000') return '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(dats);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO date stays as is; an ISO timestamp (with offset) becomes the date in `timeZone`. */
export function isoToSapDate(iso: string, timeZone: string): string | undefined {
  const m = ISO_DATE.exec(iso);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3])) ? `${m[1]}${m[2]}${m[3]}` : undefined;
  const ms = ISO_DATETIME.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return undefined;
  const l = localTime(ms, timeZone);
  return `${l.y}${p2(l.mo)}${p2(l.d)}`;
}

/** An ISO timestamp (with offset) -> `HHMMSS` in `timeZone`. */
export function isoToSapTime(iso: string, timeZone: string): string | undefined {
  const ms = ISO_DATETIME.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return undefined;
  const l = localTime(ms, timeZone);
  return `${p2(l.h)}${p2(l.mi)}${p2(l.s)}`;
}
