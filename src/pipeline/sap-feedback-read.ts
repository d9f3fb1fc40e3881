/**
 * Reading SAP's feedback IDocs into one shape: per reported IDoc the gateway's DOCNUM, SAP's
 * status code and message, and the application objects SAP names. Pure (IDoc model in, data out).
 *
 *   ALEAUD01 (ALE audit, sent by report RBDSTATE):  E1ADHDR (message type)
 *                                                     > E1STATE (DOCNUM of the IDoc in the system that
 *                                                       sent it, i.e. the gateway's; STATUS; STATXT
 *                                                       with STAPA1..4; STATYP/STAMID/STAMNO or
 *                                                       the older STACOD)
 *                                                       > E1PRTOB (DOCNUM in SAP; OBJTYPE, OBJKEY)
 *   SYSTAT01 (STATUS):                              E1STATS (DOCNUM, STATUS, STATXT, STAPA1..4,
 *                                                     REFINT, ARCKEY, STATYP/STAMID/STAMNO)
 *
 * Segment layouts: idoc-definitions/ALEAUD01.json, SYSTAT01.json; what each field means and the
 * sources: docs/sap-feedback.md.
 */
import type { Idoc, Segment } from '../idoc/model.js';

export interface FeedbackObject {
  /** Business object type, e.g. BUS2017 (goods movement). */
  readonly type: string;
  /** Object key, e.g. material document number + year. */
  readonly key: string;
}

export interface FeedbackEntry {
  /** The IDoc number the report is about (the gateway's DOCNUM), 16 digits. */
  readonly docnum: string;
  /** EDI_DC40-ARCKEY the report names (SYSTAT01), when given. */
  readonly arckey?: string;
  /** SAP's status code, two digits (53, 51, 64...). */
  readonly status: string;
  /** The status text with its parameters filled in. */
  readonly text: string;
  /** SAP's message: type (E/W/S/I/A), class and number, when given. */
  readonly message?: { readonly type: string; readonly id: string; readonly number: string };
  /** SAP's own number for the inbound IDoc, when reported. */
  readonly sapDocnum?: string;
  readonly objects: readonly FeedbackObject[];
  /** Message type of the reported IDoc (E1ADHDR-MESTYP_LNG or MESTYP). */
  readonly messageType?: string;
}

const f = (s: Segment, name: string): string => (s.fields[name] ?? '').trim();

/** A 16-digit DOCNUM from an all-digit value; other values unchanged (trimmed). */
export function normalizeDocnum(value: string): string {
  const v = value.trim();
  return /^\d{1,16}$/.test(v) ? v.padStart(16, '0') : v;
}

/**
 * SAP's message text with its parameters: `&1`..`&4` by number, a plain `&` by position (as
 * the ABAP MESSAGE statement does); parameters without a placeholder are appended.
 */
export function fillStatusText(text: string, params: readonly string[]): string {
  const used = new Set<number>();
  let next = 0;
  let out = text.replace(/&([1-4])?/g, (_, n: string | undefined) => {
    const i = n !== undefined ? Number(n) - 1 : next++;
    used.add(i);
    return params[i] ?? '';
  });
  const rest = params.filter((p, i) => p !== '' && !used.has(i));
  if (rest.length > 0) out = `${out} ${rest.join(' ')}`;
  return out.replace(/\s+/g, ' ').trim();
}

function params(s: Segment): string[] {
  return [1, 2, 3, 4].map((i) => f(s, `STAPA${i}_LNG`) || f(s, `STAPA${i}`));
}

/**
 * SAP's message of a status: STATYP/STAMID/STAMNO (since release 4.0), else the older STACOD,
 * "Bytes 1-3: 'SAP' Bytes 4-5: Message Id from T100 Bytes 6-8: Message number from T100" (DDIC
 * EDI_STACO3, docs/sap-status-sources.md §3.1). STAMQU other than SAP (or empty) names a message of
 * the sending system, not of SAP's T100: kept as given.
 */
function messageOf(s: Segment): FeedbackEntry['message'] | undefined {
  const id = f(s, 'STAMID');
  const number = f(s, 'STAMNO');
  if (id !== '' || number !== '') return { type: f(s, 'STATYP'), id, number };
  const stacod = /^SAP(.{2})(\d{3})$/.exec(f(s, 'STACOD'));
  if (stacod === null) return undefined;
  return { type: f(s, 'STATYP'), id: stacod[1]!.trim(), number: stacod[2]! };
}

function entry(
  s: Segment,
  extra: { messageType?: string; objects?: FeedbackObject[]; sapDocnum?: string; arckey?: string },
): FeedbackEntry | undefined {
  const docnum = normalizeDocnum(f(s, 'DOCNUM'));
  const status = f(s, 'STATUS');
  if (docnum === '' || status === '') return undefined;
  const message = messageOf(s);
  const sapDocnum = extra.sapDocnum !== undefined ? normalizeDocnum(extra.sapDocnum) : '';
  return {
    docnum,
    status: status.padStart(2, '0'),
    text: fillStatusText(f(s, 'STATXT'), params(s)),
    objects: extra.objects ?? [],
    ...(message !== undefined ? { message } : {}),
    ...(sapDocnum !== '' && sapDocnum !== docnum ? { sapDocnum } : {}),
    ...(extra.messageType ? { messageType: extra.messageType } : {}),
    ...(extra.arckey ? { arckey: extra.arckey } : {}),
  };
}

function aleaud(segments: readonly Segment[]): FeedbackEntry[] {
  const out: FeedbackEntry[] = [];
  for (const header of segments.filter((s) => s.type === 'E1ADHDR')) {
    const messageType = f(header, 'MESTYP_LNG') || f(header, 'MESTYP');
    for (const state of header.children.filter((s) => s.type === 'E1STATE')) {
      const objs = state.children.filter((s) => s.type === 'E1PRTOB');
      const objects = objs
        .map((o) => ({ type: f(o, 'OBJTYPE'), key: f(o, 'OBJKEY') }))
        .filter((o) => o.type !== '' || o.key !== '');
      const sapDocnum = objs.map((o) => f(o, 'DOCNUM')).find((d) => d !== '');
      const e = entry(state, { messageType, objects, ...(sapDocnum !== undefined ? { sapDocnum } : {}) });
      if (e !== undefined) out.push(e);
    }
  }
  return out;
}

function systat(segments: readonly Segment[]): FeedbackEntry[] {
  const out: FeedbackEntry[] = [];
  for (const s of segments.filter((x) => x.type === 'E1STATS')) {
    const arckey = f(s, 'ARCKEY');
    const e = entry(s, arckey !== '' ? { arckey } : {});
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** The reports of one ALEAUD01 or SYSTAT01 IDoc (others hold none), in document order. */
export function readFeedback(idoc: Idoc): FeedbackEntry[] {
  return [...aleaud(idoc.segments), ...systat(idoc.segments)];
}

/** How a report names SAP's application document, e.g. `BUS2017 49000012342026`. */
export function documentOf(e: FeedbackEntry): string | undefined {
  const o = e.objects[0];
  if (o === undefined) return undefined;
  return [o.type, o.key].filter((x) => x !== '').join(' ');
}
