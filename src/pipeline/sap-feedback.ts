/**
 * SAP's feedback applied: each report of an ALEAUD01 / SYSTAT01 IDoc that SAP posted to the
 * gateway (route `feedback`) is matched to the message the gateway sent under that DOCNUM, through
 * the same port, and moves it on:
 *
 *   posted     (53)           -> `posted`, SAP's document kept; the ordering key is released
 *   sap-error  (51, 56, 68..) -> `sap-error` with SAP's message (error code `SAP/<class>/<number>`)
 *   progress   (50, 62, 64..) -> recorded in the timeline; an `in-doubt` or retrying message is
 *                                then known to be in SAP (`delivered`): it is never sent again
 *
 * A report for a message that is already posted is recorded, not applied (SAP posted it once).
 * Reports that match nothing are kept in the feedback message's own text, and counted.
 */
import type { DeliverDeps } from './deps.js';
import { releaseKey } from './ordering.js';
import { inputVersion } from './payload-version.js';
import { decodeIdoc } from './prepare.js';
import { routeOf, sapPortOf, type FeedbackRoute } from './routing.js';
import { feedbackOutcome } from './sap-feedback-codes.js';
import { documentOf, readFeedback, type FeedbackEntry } from './sap-feedback-read.js';
import type { MessageRecord, MessageStatus } from './store-port.js';

/** Statuses in which SAP's word on a sent message is taken (it may have reached SAP). */
const AWAITING: readonly MessageStatus[] = [
  'processing',
  'queued',
  'failed',
  'delivered',
  'unconfirmed',
  'in-doubt',
  'sap-error',
  'dead',
];

/** Statuses that SAP's progress report resolves to `delivered` (SAP has the IDoc). */
const NOT_KNOWN_SENT: readonly MessageStatus[] = ['in-doubt', 'failed', 'queued', 'dead'];

export interface FeedbackResult {
  readonly reports: number;
  readonly applied: number;
  readonly recorded: number;
  readonly unmatched: readonly { readonly docnum: string; readonly status: string; readonly why: string }[];
}

const BY = 'sap-feedback';

function describe(e: FeedbackEntry): string {
  const msg = e.message !== undefined && e.message.id !== '' ? ` [${e.message.id} ${e.message.number}]` : '';
  const doc = documentOf(e);
  const sapDocnum = e.sapDocnum !== undefined ? `; SAP IDoc ${e.sapDocnum}` : '';
  return `SAP status ${e.status}${e.text !== '' ? `: ${e.text}` : ''}${msg}${doc !== undefined ? `; document ${doc}` : ''}${sapDocnum}`.slice(
    0,
    1000,
  );
}

function errorCodeOf(e: FeedbackEntry): string {
  const m = e.message;
  return m !== undefined && m.id !== '' ? `SAP/${m.id}/${m.number}` : `SAP/${e.status}`;
}

/** Whether the message was sent to SAP through this port (one SAP system cannot report on another's). */
function sentThrough(deps: DeliverDeps, m: MessageRecord, portName: string): boolean {
  try {
    return sapPortOf(routeOf(deps.config, m))?.name === portName;
  } catch {
    return false;
  }
}

async function applyOne(
  deps: DeliverDeps,
  route: FeedbackRoute,
  e: FeedbackEntry,
  m: MessageRecord,
  current: boolean,
): Promise<'applied' | 'recorded'> {
  // A report on an earlier DOCNUM of the message (sent again, corrected, under a new one) is
  // history: recorded, never applied over the newer IDoc's outcome.
  const outcome = current ? feedbackOutcome(e.status, route.port.feedback.codes) : 'history';
  const text = describe(e);
  const document = documentOf(e);
  const sapReport = {
    ...(e.sapDocnum !== undefined ? { docnum: e.sapDocnum } : {}),
    ...(document !== undefined ? { document } : {}),
  };
  const common = { by: BY, sapStatus: e.status, text, sapReport };
  if (outcome === 'posted' && m.status !== 'posted') {
    const done = await deps.store.transition(m.id, 'posted', {
      ...common,
      expectFrom: AWAITING,
      confirmBy: null,
      error: null,
    });
    if (done) {
      deps.metrics.count('posted', {
        partner: m.partner ?? '-',
        messageType: m.messageType ?? '-',
        direction: m.direction,
      });
      if (m.orderingKey !== null) await releaseKey(deps, m.orderingKey, BY);
      return 'applied';
    }
  } else if (outcome === 'sap-error' && m.status !== 'posted') {
    const done = await deps.store.transition(m.id, 'sap-error', {
      ...common,
      expectFrom: AWAITING,
      confirmBy: null,
      error: { code: errorCodeOf(e), text: text.slice(0, 2000) },
    });
    if (done) {
      deps.logger.warn(
        { messageId: m.id, partner: m.partner, code: errorCodeOf(e), docnum: e.docnum },
        `SAP could not post the message: ${text.slice(0, 300)}`,
      );
      deps.metrics.count('sap-error', {
        partner: m.partner ?? '-',
        messageType: m.messageType ?? '-',
        direction: m.direction,
      });
      return 'applied';
    }
  } else if (outcome === 'progress' && NOT_KNOWN_SENT.includes(m.status)) {
    const confirmBy = new Date(deps.clock.now() + route.port.feedback.confirmWithin);
    const done = await deps.store.transition(m.id, 'delivered', {
      ...common,
      expectFrom: NOT_KNOWN_SENT,
      confirmBy,
      error: null,
      nextAttemptAt: null,
      text: `${text} (SAP has the IDoc: not sent again)`,
    });
    if (done) return 'applied';
  }
  // Recorded in the timeline without a change of status.
  const now = await deps.store.get(m.id);
  if (now !== undefined) {
    await deps.store.transition(m.id, now.status, {
      ...common,
      sapStatus: now.sapStatus ?? e.status,
      expectFrom: now.status,
      text: `${text}${
        outcome === 'history'
          ? ` (about DOCNUM ${e.docnum}, an earlier IDoc of this message: recorded only)`
          : now.status === 'posted' && outcome !== 'posted'
            ? ' (recorded; the message was already posted)'
            : ''
      }`,
    });
  }
  return 'recorded';
}

/** Applies every report of the feedback message `feedback` (an ALEAUD01 or SYSTAT01 from SAP). */
export async function applyFeedback(
  deps: DeliverDeps,
  feedback: MessageRecord,
  route: FeedbackRoute,
): Promise<FeedbackResult> {
  const versions = await deps.store.versions(feedback.id);
  const idoc = decodeIdoc(deps, inputVersion(versions));
  const entries = readFeedback(idoc);
  const targets = await deps.store.findSentByDocnum([...new Set(entries.map((e) => e.docnum))]);
  let applied = 0;
  let recorded = 0;
  const unmatched: { docnum: string; status: string; why: string }[] = [];
  for (const e of entries) {
    const sent = targets.get(e.docnum);
    const m = sent?.message;
    if (sent === undefined || m === undefined) {
      unmatched.push({ docnum: e.docnum, status: e.status, why: 'no message was sent under this DOCNUM' });
      continue;
    }
    if (!sentThrough(deps, m, route.portName)) {
      unmatched.push({ docnum: e.docnum, status: e.status, why: `not sent through port ${route.portName}` });
      continue;
    }
    if ((await applyOne(deps, route, e, m, sent.latestDocnum <= e.docnum)) === 'applied') applied++;
    else recorded++;
  }
  if (unmatched.length > 0) {
    deps.logger.warn(
      { messageId: feedback.id, port: route.portName, unmatched: unmatched.slice(0, 20) },
      'SAP feedback names IDocs the gateway did not send through this port',
    );
  }
  return { reports: entries.length, applied, recorded, unmatched };
}

/** The feedback message's own status text. */
export function feedbackSummary(r: FeedbackResult): string {
  const parts = [`${r.reports} SAP status report(s): ${r.applied} applied, ${r.recorded} recorded`];
  if (r.unmatched.length > 0) {
    parts.push(
      `${r.unmatched.length} unmatched (${r.unmatched
        .slice(0, 5)
        .map((u) => `${u.docnum} ${u.status}: ${u.why}`)
        .join('; ')})`,
    );
  }
  return parts.join(', ');
}
