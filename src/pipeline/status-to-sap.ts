/**
 * Status back to SAP: when a partner profile's `receives[].statusToSap` is SYSTAT01 or ALEAUD01,
 * the final outcome of an IDoc SAP sent is reported to the port it came from as a new outbound
 * message (correlation `status-of`), so WE02 in SAP shows the end-to-end result.
 *
 * Status codes (../shared/reference/IDOC-FORMAT.md §7, docs/sap-status-sources.md):
 *
 *   SYSTAT01 (STATUS, about SAP's outbound IDoc; outbound range 01-49):
 *     delivered -> 12 "dispatch OK"          the gateway handed it to the receiver, who accepted it
 *     dead      -> 11 "error during dispatch" permanent error or retries exhausted, text in STATXT/STAPA
 *     cancelled -> 31 "error - no further processing"  an operator cancelled it
 *   ALEAUD01 (ALE audit, as a receiving system confirms; SAP help "Segments of Audit IDoc
 *   ALEAUD01": "The Status field must contain a valid SAP status value for inbound IDocs"):
 *     delivered -> 53 "application document posted"  (the partner took it)
 *     dead      -> 51 "application document not posted"
 *     cancelled -> 68 "error - no further processing"
 *   SAP turns these into 41 / 40 / 40 on its outbound IDoc itself; 39/40/41 are never sent.
 * SYSTAT01 leaves MANDT empty: "An external system should not maintain this field" (SAP's
 * documentation of EDI_DS-MANDT).
 */
import type { Idoc, Segment } from '../idoc/model.js';
import type { PipelineDeps } from './deps.js';
import { admit } from './ordering.js';
import { outboundControl, sapDateTime } from './outbound-idoc.js';
import type { ToPartnerRoute } from './routing.js';
import { idocToJson } from './wire.js';
import type { MessageRecord } from './store-port.js';

export type FinalOutcome = 'delivered' | 'dead' | 'cancelled';

type StatusCodes = Readonly<Record<FinalOutcome, { status: string; text: string }>>;

/** SYSTAT01: outbound status codes for SAP's own outbound IDoc. */
export const SAP_STATUS_FOR_OUTCOME: StatusCodes = {
  delivered: { status: '12', text: 'Dispatch OK: delivered by idocgate to' },
  dead: { status: '11', text: 'Error during dispatch by idocgate to' },
  cancelled: { status: '31', text: 'Cancelled in idocgate; no further processing for' },
};

/** ALEAUD01: inbound status codes, as a receiving system reports them. */
export const ALEAUD_STATUS_FOR_OUTCOME: StatusCodes = {
  delivered: { status: '53', text: 'Posted: delivered by idocgate to' },
  dead: { status: '51', text: 'Not posted: error delivering by idocgate to' },
  cancelled: { status: '68', text: 'No further processing: cancelled in idocgate for' },
};

/** Splits a text into `count` chunks of `size` characters. */
function chunks(text: string, size: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(text.slice(i * size, (i + 1) * size));
  return out;
}

function fieldsOf(entries: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== '') out[k] = v;
  return out;
}

export interface StatusFacts {
  readonly docnum: string;
  readonly messageType: string;
  readonly status: string;
  readonly statusText: string;
  readonly errorText: string;
  readonly now: number;
  readonly timeZone: string;
}

/** E1STATS of SYSTAT01 (fields in definition order). */
export function systatSegments(f: StatusFacts): Segment[] {
  const { date, time } = sapDateTime(f.now, f.timeZone);
  const [p1 = '', p2 = '', p3 = '', p4 = ''] = chunks(f.errorText, 50, 4);
  const fields = fieldsOf([
    ['TABNAM', 'EDI_DS40'],
    ['DOCNUM', f.docnum],
    ['LOGDAT', date],
    ['LOGTIM', time],
    ['STATUS', f.status],
    ['UNAME', 'IDOCGATE'],
    ['REPID', 'IDOCGATE'],
    ['STATXT', f.statusText.slice(0, 70)],
    ['STAPA1', p1],
    ['STAPA2', p2],
    ['STAPA3', p3],
    ['STAPA4', p4],
  ]);
  return [{ type: 'E1STATS', fields, children: [] }];
}

/** E1ADHDR > E1STATE of ALEAUD01 (definition reconstructed, see idoc-definitions/ALEAUD01.json). */
export function aleaudSegments(f: StatusFacts): Segment[] {
  const [p1 = '', p2 = ''] = chunks(f.errorText, 50, 2);
  const state: Segment = {
    type: 'E1STATE',
    fields: fieldsOf([
      ['DOCNUM', f.docnum],
      ['STATUS', f.status],
      ['STATXT', f.statusText.slice(0, 70)],
      ['STATYP', f.status === '53' ? 'S' : 'E'],
      ['STAPA1_LNG', p1],
      ['STAPA2_LNG', p2],
    ]),
    children: [],
  };
  return [
    {
      type: 'E1ADHDR',
      fields: fieldsOf([
        ['MESTYP', f.messageType.length <= 6 ? f.messageType : ''],
        ['MESTYP_LNG', f.messageType],
      ]),
      children: [state],
    },
  ];
}

const STATUS_IDOCS = {
  SYSTAT01: { messageType: 'STATUS', segments: systatSegments, codes: SAP_STATUS_FOR_OUTCOME },
  ALEAUD01: { messageType: 'ALEAUD', segments: aleaudSegments, codes: ALEAUD_STATUS_FOR_OUTCOME },
} as const;

/**
 * Creates and queues the status IDoc for a final outcome, when the route asks for one. Returns
 * the new message id (or the existing one: the same outcome of the same generation is sent once).
 */
export async function sendStatusToSap(
  deps: PipelineDeps,
  original: MessageRecord,
  route: ToPartnerRoute,
  outcome: FinalOutcome,
  errorText = '',
): Promise<string | undefined> {
  const kind = route.receives.statusToSap;
  if (kind === 'none' || original.docnum === null) return undefined;
  const portName = route.sourcePort;
  const port = portName !== undefined ? deps.config.ports[portName] : undefined;
  if (portName === undefined || port === undefined) {
    deps.logger.warn(
      { messageId: original.id },
      `status ${kind} not sent: the SAP port the IDoc came from is unknown`,
    );
    return undefined;
  }
  const spec = STATUS_IDOCS[kind];
  const code = spec.codes[outcome];
  const now = deps.clock.now();
  const docnum = await deps.store.nextIdocNumber();
  const facts: StatusFacts = {
    docnum: original.docnum,
    messageType: original.messageType ?? '',
    status: code.status,
    statusText: `${code.text} ${route.partnerName}`,
    errorText,
    now,
    timeZone: deps.config.timeZone,
  };
  const idoc: Idoc = {
    control: outboundControl(
      port,
      {},
      {
        docnum,
        idocType: kind,
        messageType: spec.messageType,
        now,
        timeZone: deps.config.timeZone,
      },
    ),
    segments: spec.segments(facts),
  };
  const json = idocToJson(idoc);
  const r = await deps.store.receive({
    direction: 'out',
    channel: `gateway:${portName}`,
    idocType: kind,
    messageType: spec.messageType,
    docnum,
    ...(idoc.control.SNDPRN !== undefined
      ? { sender: { prt: idoc.control.SNDPRT ?? '', prn: idoc.control.SNDPRN } }
      : {}),
    ...(idoc.control.RCVPRN !== undefined
      ? { receiver: { prt: idoc.control.RCVPRT ?? '', prn: idoc.control.RCVPRN } }
      : {}),
    correlation: { messageId: original.id, kind: 'status-of' },
    idempotencyKey: `status-of:${original.id}:${original.enqueueToken ?? '0'}:${code.status}`,
    // The raw is canonical JSON already: no parsed copy (docs/store.md).
    raw: { format: 'json', content: json, contentType: 'application/json' },
    searchKeys: [{ kind: 'docnum', value: original.docnum }],
    text: `${kind} ${code.status} ${original.docnum}`,
    by: 'pipeline:status-to-sap',
    statusText: `${kind} status ${code.status} for DOCNUM ${original.docnum}`,
  });
  if (!r.duplicate) await admit(deps, r.message, 'pipeline:status-to-sap');
  return r.message.id;
}
