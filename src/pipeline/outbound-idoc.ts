/**
 * Emitting an outbound IDoc: the one way the gateway creates an IDoc of its own for a SAP port,
 * used by
 *   - delivery (src/pipeline/prepare.ts): the IDoc mapped from a partner's JSON, stored as the
 *     `mapped` version of the partner's message (`newOutboundIdoc`);
 *   - status to SAP (src/pipeline/status-to-sap.ts): SYSTAT01 / ALEAUD01 for a final outcome,
 *     and the sweeper's postings (src/sweeper/pipeline-poster.ts): each a new outbound message
 *     (`emitOutboundIdoc`).
 *
 * Every one gets a new DOCNUM from store.nextIdocNumber(), sender/receiver/client from the port's
 * WE21 control defaults, fields in EDI_DC40 order, CREDAT/CRETIM in the configured time zone.
 * A new outbound message is stored on channel `gateway:<port>` with its canonical JSON as raw and
 * parsed version, then admitted to the port's queue (or `blocked` behind its ordering key).
 */
import type { Config, PortConfig } from '../config/schema.js';
import { IdocgateError } from '../errors.js';
import {
  CONTROL_FIELDS,
  type ControlFieldName,
  type ControlRecord,
  type Idoc,
  type Segment,
} from '../idoc/model.js';
import type { ReceiveDeps } from './deps.js';
import { admit } from './ordering.js';
import type { Correlation, MessageRecord, ReceiveInput, SearchKey } from './store-port.js';
import { idocToJson } from './wire.js';

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

export type OutboundDeps = Pick<ReceiveDeps, 'store' | 'queue' | 'logger' | 'clock'> & {
  readonly config: Pick<Config, 'ports' | 'timeZone'>;
};

export interface NewOutboundIdoc {
  /** The SAP port (config `ports` key) it goes to. */
  readonly port: string;
  readonly idocType: string;
  readonly messageType: string;
  readonly segments: readonly Segment[];
  /** Control fields set by a mapping; the port's defaults fill what they leave open. */
  readonly control?: ControlRecord;
  /** The sending partner when the port names none (partner -> SAP relays). */
  readonly sender?: { readonly prt: string; readonly prn: string };
}

function portNamed(deps: Pick<OutboundDeps, 'config'>, name: string): PortConfig {
  const port = deps.config.ports[name];
  if (port === undefined)
    throw new IdocgateError('CONFIG_INVALID', `port "${name}" is not a configured port`);
  return port;
}

/** A new IDoc for a port: a new DOCNUM, the control record (outboundControl) and the segments. */
export async function newOutboundIdoc(
  deps: Pick<OutboundDeps, 'clock' | 'config'> & {
    readonly store: { nextIdocNumber(): Promise<string> };
  },
  input: NewOutboundIdoc,
): Promise<Idoc> {
  const port = portNamed(deps, input.port);
  const docnum = await deps.store.nextIdocNumber();
  return {
    control: outboundControl(port, input.control ?? {}, {
      docnum,
      idocType: input.idocType,
      messageType: input.messageType,
      now: deps.clock.now(),
      timeZone: deps.config.timeZone,
      ...(input.sender !== undefined ? { sender: input.sender } : {}),
    }),
    segments: [...input.segments],
  };
}

export interface EmitOutboundIdoc extends NewOutboundIdoc {
  /** Unique (scope `''`): emitting the same key again returns the stored message. */
  readonly idempotencyKey: string;
  readonly correlation?: Correlation;
  readonly orderingKey?: string;
  readonly releaseOn?: ReceiveInput['releaseOn'];
  readonly searchKeys?: readonly SearchKey[];
  readonly text?: string;
  /** Who emits it (`pipeline:status-to-sap`, `sweeper:pushback`): history and logs. */
  readonly by: string;
  readonly statusText?: string;
}

export interface EmitResult {
  readonly message: MessageRecord;
  /** A message with this idempotency key was stored before; nothing new was stored. */
  readonly duplicate: boolean;
}

/**
 * Stores a new outbound IDoc for a port and admits it to the port's queue. A duplicate key
 * returns the stored message without using a DOCNUM; one that was never queued (a crash right
 * after storing) is admitted now.
 */
export async function emitOutboundIdoc(deps: OutboundDeps, input: EmitOutboundIdoc): Promise<EmitResult> {
  portNamed(deps, input.port);
  const existing = await deps.store.getByIdempotencyKey('', input.idempotencyKey);
  if (existing !== undefined) {
    if (existing.status === 'received') await admit(deps, existing, input.by);
    return { message: existing, duplicate: true };
  }
  const idoc = await newOutboundIdoc(deps, input);
  const { control } = idoc;
  const json = idocToJson(idoc);
  const r = await deps.store.receive({
    direction: 'out',
    channel: `gateway:${input.port}`,
    idocType: input.idocType,
    messageType: input.messageType,
    ...(control.DOCNUM !== undefined ? { docnum: control.DOCNUM } : {}),
    ...(control.SNDPRN !== undefined ? { sender: { prt: control.SNDPRT ?? '', prn: control.SNDPRN } } : {}),
    ...(control.RCVPRN !== undefined ? { receiver: { prt: control.RCVPRT ?? '', prn: control.RCVPRN } } : {}),
    ...(input.correlation !== undefined ? { correlation: input.correlation } : {}),
    ...(input.orderingKey !== undefined ? { orderingKey: input.orderingKey } : {}),
    ...(input.releaseOn !== undefined ? { releaseOn: input.releaseOn } : {}),
    idempotencyKey: input.idempotencyKey,
    // The raw is canonical JSON already: no parsed copy (docs/store.md).
    raw: { format: 'json', content: json, contentType: 'application/json' },
    ...(input.searchKeys !== undefined ? { searchKeys: input.searchKeys } : {}),
    ...(input.text !== undefined ? { text: input.text } : {}),
    by: input.by,
    ...(input.statusText !== undefined ? { statusText: input.statusText } : {}),
  });
  if (!r.duplicate || r.message.status === 'received') await admit(deps, r.message, input.by);
  return { message: r.message, duplicate: r.duplicate };
}
