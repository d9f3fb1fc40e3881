/**
 * Processing one queue job: claim the message (compare-and-set on its status and enqueue token),
 * keep its ordering key's order, prepare (decode, validate, route, map, encode), deliver through
 * the transport, and record the outcome: delivered, retry later (transient), or dead letter
 * (permanent, or retries exhausted). Every attempt is recorded; status IDocs go back to SAP
 * where the partner profile asks; the next message of the ordering key is released.
 */
import type { DeliverEmitDeps, PipelineDeps } from './deps.js';
import type { MessageLabels } from './metrics-port.js';
import { releaseKey } from './ordering.js';
import {
  finishMembers,
  finishWebhookMembers,
  gatherPacket,
  packetDelivery,
  releaseMembers,
  type PacketMember,
} from './packet.js';
import type { DeliveryReceipt } from './transport-port.js';
import { prepareDelivery } from './prepare.js';
import type { JobOutcome, JobRun } from './queue-port.js';
import { classifyFailure, computeBackoff, type Failure } from './retry.js';
import {
  destinationOf,
  destinationSettings,
  routeOf,
  sapPortOf,
  type FeedbackRoute,
  type Route,
} from './routing.js';
import { applyFeedback, feedbackSummary } from './sap-feedback.js';
import { sendStatusToSap, type FinalOutcome } from './status-to-sap.js';
import type { MessageRecord, MessageStatus, TransitionOptions } from './store-port.js';

/** Statuses a job may claim its message from (processing: the job was stalled and re-run). */
const CLAIMABLE: readonly MessageStatus[] = ['queued', 'failed', 'processing'];
/**
 * The one-round-trip claim takes only messages no attempt is known to be running for; a message
 * still `processing` (its worker died, or Redis lost the job, mid-attempt) goes through claim(),
 * which says so: that attempt may have reached the receiver.
 */
const FAST_CLAIMABLE: readonly MessageStatus[] = ['queued', 'failed'];

const WORKER = 'worker';

/** SAP's status "data passed to port OK": what a delivery to SAP's port means until SAP posts it. */
const SAP_PASSED_TO_PORT = '03';

export function labelsOf(m: MessageRecord): MessageLabels {
  return { partner: m.partner ?? '-', messageType: m.messageType ?? '-', direction: m.direction };
}

async function reportStatus(
  deps: DeliverEmitDeps,
  m: MessageRecord,
  route: Route | undefined,
  outcome: FinalOutcome,
  text?: string,
): Promise<void> {
  if (route?.kind !== 'to-partner') return;
  await sendStatusToSap(deps, m, route, outcome, text);
}

/** Whether the route sends a status IDoc back to SAP for this message's outcome. */
function asksForStatus(route: Route): boolean {
  return route.kind === 'to-partner' && route.receives.statusToSap !== 'none';
}

/** The general claim: read the message, check the job's token, status and ordering key, then claim. */
async function claim(
  deps: DeliverEmitDeps,
  run: JobRun,
  claimText: string,
): Promise<{ claimed: MessageRecord; interrupted: boolean } | { outcome: JobOutcome }> {
  const { store } = deps;
  const m = await store.get(run.messageId);
  if (m === undefined) return { outcome: { kind: 'skipped', reason: 'message not found (purged?)' } };
  if (m.enqueueToken !== run.token) {
    return {
      outcome: {
        kind: 'skipped',
        reason: `stale job: the message is at generation ${m.enqueueToken ?? 'none'}`,
      },
    };
  }
  if (!CLAIMABLE.includes(m.status))
    return { outcome: { kind: 'skipped', reason: `message is ${m.status}` } };
  if (m.orderingKey !== null) {
    const head = await store.headOfKey(m.orderingKey);
    if (head !== undefined && head.id !== m.id) {
      await store.transition(m.id, 'blocked', {
        by: WORKER,
        expectFrom: m.status,
        text: `waits for ${head.id} (${head.status}) of ordering key ${m.orderingKey}`,
      });
      return { outcome: { kind: 'skipped', reason: 'blocked behind its ordering key' } };
    }
  }
  const claimed = await store.transition(m.id, 'processing', {
    by: WORKER,
    expectFrom: m.status,
    text: claimText,
  });
  if (!claimed) return { outcome: { kind: 'skipped', reason: 'claimed or changed by someone else' } };
  return { claimed: m, interrupted: m.status === 'processing' };
}

export async function processJob(deps: DeliverEmitDeps, run: JobRun): Promise<JobOutcome> {
  const attempt = run.attemptsMade + 1;
  const claimText = `attempt ${attempt} of ${run.maxAttempts}`;
  // The common case in one round trip: the job's own message, no ordering key, claimable.
  const fast = await deps.store.claimUnordered(run.messageId, run.token, FAST_CLAIMABLE, {
    by: WORKER,
    text: claimText,
  });
  const { store } = deps;
  const claimed =
    fast !== undefined ? { claimed: fast, interrupted: false } : await claim(deps, run, claimText);
  if ('outcome' in claimed) return claimed.outcome;
  const m = claimed.claimed;

  const log = deps.logger.child({
    messageId: m.id,
    docnum: m.docnum,
    partner: m.partner,
    mestyp: m.messageType,
    attempt,
  });
  const started = deps.clock.now();
  let route: Route | undefined;
  let transportKind = 'pipeline';
  let dropsDuplicates = true;
  let members: PacketMember[] = [];
  try {
    route = routeOf(deps.config, m);
    if (route.kind === 'feedback') return await feedbackJob(deps, m, route, started, log);
    const own = await prepareDelivery(deps, m, route);
    transportKind = own.transport.kind;
    const transport = await deps.transports.get(own.transportKey, own.transport);
    const sap = sapPortOf(route);
    // Whether an attempt whose answer is lost may simply go again (docs/sap-feedback.md).
    dropsDuplicates =
      sap === undefined || (sap.port.dropsDuplicates ?? transport.receiverDropsDuplicates ?? false);
    if (claimed.interrupted && !dropsDuplicates) {
      // An earlier attempt stopped mid-way (worker killed, job lost with Redis): it may have
      // been sent in full, and SAP's port would post a resend twice.
      return await inDoubt(
        deps,
        m,
        transportKind,
        started,
        {
          verdict: 'transient',
          code: 'TRANSPORT_ATTEMPT_INTERRUPTED',
          text: 'an earlier attempt stopped while processing (its worker or job was lost); it may have reached SAP',
        },
        log,
      );
    }
    // A port with a pack size sends ready messages of the same route along (packet.ts).
    members = await gatherPacket(deps, m, route, own, transport);
    let receipt: DeliveryReceipt;
    let packetNote = '';
    if (members.length > 0 && route.kind === 'to-partner' && transport.sendPacket !== undefined) {
      // A webhook packet: one JSON array, one outcome per message (packet.ts).
      const sent = await transport.sendPacket([own.delivery, ...members.map((x) => x.prepared.delivery)]);
      packetNote = ` in a packet of ${members.length + 1}`;
      await finishWebhookMembers(
        deps,
        members,
        sent.items.slice(1),
        { transport: transportKind, durationMs: sent.durationMs },
        `delivered by ${transportKind}${packetNote} (HTTP ${sent.status ?? '?'})`,
      );
      members = []; // finished, each with its own outcome: the failure path must not put them back
      const head = sent.items[0];
      if (head !== undefined && !head.ok) throw head.error;
      receipt = {
        ...sent,
        ...(head?.duplicate === true ? { duplicate: true } : {}),
        ...(head?.remoteReference !== undefined ? { remoteReference: head.remoteReference } : {}),
      };
    } else {
      receipt = await transport.send(packetDelivery(own, members).delivery);
    }
    // On a port whose SAP reports back, `delivered` waits for SAP's word until confirmBy.
    const feedback = sap?.port.feedback;
    const confirmBy =
      feedback !== undefined && feedback.expect !== 'none'
        ? { confirmBy: new Date(deps.clock.now() + feedback.confirmWithin) }
        : {};
    const attemptOk = { transport: transportKind, outcome: 'ok', durationMs: receipt.durationMs } as const;
    // Attempt and final status in one transaction, unless a status IDoc goes to SAP in between.
    const combine = !asksForStatus(route);
    if (!combine) {
      await store.recordAttempt(m.id, attemptOk);
      await reportStatus(deps, m, route, 'delivered');
    }
    const text = [
      receipt.status !== undefined ? `HTTP ${receipt.status}` : undefined,
      receipt.remoteReference !== undefined ? `ref ${receipt.remoteReference}` : undefined,
      receipt.duplicate ? 'receiver already had it' : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(', ');
    const deliveredAs = {
      by: WORKER,
      expectFrom: 'processing',
      text: `delivered by ${transportKind}${packetNote}${text ? ` (${text})` : ''}${
        'confirmBy' in confirmBy ? "; waits for SAP's application status" : ''
      }`,
      ...confirmBy,
      // To SAP, "delivered" is SAP's outbound 03 (passed to the port), never 53: only SAP posts.
      ...(sap !== undefined ? { sapStatus: SAP_PASSED_TO_PORT } : {}),
    } as const;
    const done = combine
      ? await store.finishAttempt(m.id, attemptOk, 'delivered', deliveredAs)
      : await store.transition(m.id, 'delivered', deliveredAs);
    await finishMembers(deps, members, attemptOk, {
      text: deliveredAs.text,
      sapStatus: SAP_PASSED_TO_PORT,
      ...confirmBy,
    });
    if (!done) log.warn({}, 'delivered, but the message changed meanwhile (cancelled?)');
    deps.metrics.count('delivered', labelsOf(m));
    deps.metrics.observeLatency(labelsOf(m), Math.max(0, deps.clock.now() - m.createdAt.getTime()) / 1000);
    log.info({ durationMs: deps.clock.now() - started }, 'delivered');
    if (m.orderingKey !== null && m.releaseOn === 'delivered') await releaseKey(deps, m.orderingKey, WORKER);
    return { kind: 'delivered' };
  } catch (e) {
    const f = classifyFailure(e);
    const held =
      f.inDoubt === true && !dropsDuplicates && route !== undefined && sapPortOf(route) !== undefined;
    if (members.length > 0) {
      await releaseMembers(deps, members, {
        inDoubt: held,
        transport: transportKind,
        error: { code: f.code, text: f.text.slice(0, 2000) },
      });
    }
    if (held) return await inDoubt(deps, m, transportKind, started, f, log);
    return await failed(deps, m, run, route, transportKind, started, f, log);
  }
}

/** A feedback IDoc from SAP: its reports are applied to the messages they name. */
async function feedbackJob(
  deps: DeliverEmitDeps,
  m: MessageRecord,
  route: FeedbackRoute,
  started: number,
  log: PipelineDeps['logger'],
): Promise<JobOutcome> {
  const result = await applyFeedback(deps, m, route);
  const text = feedbackSummary(result);
  await deps.store.finishAttempt(
    m.id,
    { transport: 'sap-feedback', outcome: 'ok', durationMs: Math.max(0, deps.clock.now() - started) },
    'delivered',
    { by: WORKER, expectFrom: 'processing', text: text.slice(0, 1000) },
  );
  deps.metrics.count('delivered', labelsOf(m));
  log.info({ ...result, unmatched: result.unmatched.length }, 'SAP feedback applied');
  return { kind: 'delivered' };
}

/**
 * The request went out and its answer was lost, on a port that does not drop duplicates: sending
 * it again could post it twice in SAP. It waits as `in-doubt` until SAP's feedback names it
 * (then it is posted, in error, or known to be in SAP) or an operator decides (docs/sap-feedback.md).
 */
async function inDoubt(
  deps: DeliverEmitDeps,
  m: MessageRecord,
  transportKind: string,
  started: number,
  f: Failure,
  log: PipelineDeps['logger'],
): Promise<JobOutcome> {
  const error = { code: f.code, text: f.text.slice(0, 2000) };
  await deps.store.finishAttempt(
    m.id,
    {
      transport: transportKind,
      outcome: 'error',
      durationMs: Math.max(0, deps.clock.now() - started),
      error,
    },
    'in-doubt',
    {
      by: WORKER,
      expectFrom: 'processing',
      text: "sent in full, answer lost: not resent (SAP's port does not drop duplicates); waits for SAP's status or an operator",
      error,
    },
  );
  deps.metrics.count('in-doubt', labelsOf(m));
  log.warn({ code: f.code, err: f.text }, 'delivery in doubt: not resent');
  return { kind: 'dead', permanent: true, code: f.code, text: `in doubt: ${f.text}` };
}

async function failed(
  deps: DeliverEmitDeps,
  m: MessageRecord,
  run: JobRun,
  route: Route | undefined,
  transportKind: string,
  started: number,
  f: Failure,
  log: PipelineDeps['logger'],
): Promise<JobOutcome> {
  const { store } = deps;
  const error = { code: f.code, text: f.text.slice(0, 2000) };
  const attempt = {
    transport: transportKind,
    outcome: 'error',
    durationMs: Math.max(0, deps.clock.now() - started),
    error,
  } as const;
  const last = run.attemptsMade + 1 >= run.maxAttempts;
  const dead = f.verdict === 'permanent' || last;
  // Attempt and status in one transaction, unless a status IDoc goes to SAP in between.
  const combine = !(dead && route !== undefined && asksForStatus(route));
  if (!combine) await store.recordAttempt(m.id, attempt);
  const settle = async (to: 'dead' | 'failed', options: TransitionOptions): Promise<void> => {
    if (combine) await store.finishAttempt(m.id, attempt, to, options);
    else await store.transition(m.id, to, options);
  };
  if (dead) {
    const why =
      f.verdict === 'permanent' ? 'permanent error' : `retries exhausted after ${run.maxAttempts} attempts`;
    await reportStatus(deps, m, route, 'dead', `${f.code}: ${f.text}`);
    await settle('dead', { by: WORKER, expectFrom: 'processing', text: why, error });
    deps.metrics.count('dead', labelsOf(m));
    log.error({ code: f.code, err: f.text, verdict: f.verdict }, `dead letter: ${why}`);
    return { kind: 'dead', permanent: f.verdict === 'permanent', code: f.code, text: f.text };
  }
  const policy = destinationSettings(deps.config, destinationOf(m)).retry;
  const delayMs = computeBackoff(run.attemptsMade + 1, policy, deps.random, f.retryAfterMs);
  await settle('failed', {
    by: WORKER,
    expectFrom: 'processing',
    text: `attempt ${run.attemptsMade + 1} of ${run.maxAttempts} failed; retry in ${delayMs} ms`,
    error,
    nextAttemptAt: new Date(deps.clock.now() + delayMs),
  });
  deps.metrics.count('failed', labelsOf(m));
  log.warn({ code: f.code, err: f.text, delayMs }, 'delivery failed; will retry');
  return { kind: 'retry', delayMs, code: f.code, text: f.text };
}
