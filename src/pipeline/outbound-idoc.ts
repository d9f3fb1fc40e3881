/**
 * Control records of IDocs the gateway creates (mapped from partner JSON, status IDocs): DOCNUM
 * from store.nextIdocNumber(), sender/receiver/client from the port's WE21 control defaults,
 * fields in EDI_DC40 order. Also SAP date and time in the configured time zone.
 */
import type { PortConfig } from '../config/schema.js';
import { CONTROL_FIELDS, type ControlFieldName, type ControlRecord } from '../idoc/model.js';

/** SAP DATS (`YYYYMMDD`) and TIMS (`HHMMSS`) of an instant in an IANA time zone. */
/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

export function sapDateTime(epochMs: number, timeZone: string): { date: string; time: string } {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const get = (t: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === t)?.value ?? '00';
  return {
    date: `${get('year')}${get('month')}${get('day')}`,
    time: `${get('hour')}${get('minute')}${get('second')}`,
  };
}

/** Orders control fields like EDI_DC40 and drops empty values. */
export function orderedControl(values: ControlRecord): ControlRecord {
  const out: ControlRecord = {};
  for (const f of CONTROL_FIELDS) {
    const v = values[f];
    if (v !== undefined && v !== '') out[f] = v;
  }
  return out;
}

export interface OutboundControlInput {
  readonly docnum: string;
  readonly idocType: string;
  readonly messageType: string;
  readonly now: number;
  readonly timeZone: string;
  /** The sending partner when the port names none (partner -> SAP relays). */
  readonly sender?: { readonly prt: string; readonly prn: string };
}

/**
 * The control record of an IDoc the gateway sends to a port: what the mapping set, then the
 * port's defaults for what it left open; DOCNUM, type and direction always from the gateway.
 */
export function outboundControl(
  port: PortConfig,
  fromMapping: ControlRecord,
  input: OutboundControlInput,
): ControlRecord {
  const { date, time } = sapDateTime(input.now, input.timeZone);
  const defaults: ControlRecord = {
    ...(input.sender !== undefined ? { SNDPRT: input.sender.prt, SNDPRN: input.sender.prn } : {}),
    ...(port.control as ControlRecord),
    CREDAT: date,
    CRETIM: time,
  };
  const merged: Partial<Record<ControlFieldName, string>> = { ...defaults };
  for (const [k, v] of Object.entries(fromMapping) as [ControlFieldName, string | undefined][]) {
    if (v !== undefined && v !== '') merged[k] = v;
  }
  return orderedControl({
    ...merged,
    TABNAM: 'EDI_DC40',
    DOCNUM: input.docnum,
    DIRECT: '2',
    IDOCTYP: input.idocType,
    MESTYP: input.messageType,
  });
}
