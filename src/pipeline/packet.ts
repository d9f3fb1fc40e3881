/**
 * Packets to SAP (WE20 "pack size"): when a port sets `packSize` > 1 and its transport takes
 * several IDocs per request (SAP XML-HTTP), the worker that claimed one message also claims up to
 * packSize − 1 more ready messages of the same route (same partner and channel, no ordering key,
 * `queued`) and sends them as one IDoc-XML document with several <IDOC> elements. A burst of 500
 * goods movements is then a few calls, not 500.
 *
 * The members are claimed under a packet token, so their own queue jobs are stale meanwhile.
 * Outcomes per message: on success every member is `delivered` (waiting for SAP's audit, which
 * reports IDoc by IDoc); when the whole request is in doubt every member is `in-doubt`; on any
 * other failure the other members are queued again (a new job each) and go one by one, so one
 * bad IDoc never fails its neighbours. A member that cannot be prepared (a mapping error) goes
 * back the same way and fails on its own.
 */
import type { Idoc } from '../idoc/model.js';
import { writeXml } from '../idoc/xml-writer.js';
import type { PacketItemOutcome, Transport } from './transport-port.js';
import { sapStatusFor } from './lifecycle.js';
import { computeBackoff } from './retry.js';
import { destinationOf, destinationSettings } from './routing.js';
import type { DeliverDeps } from './deps.js';
import { enqueueMessage } from './enqueue.js';
import { prepareDelivery, type PreparedDelivery } from './prepare.js';
import { routeOf, sapPortOf, type DeliverableRoute } from './routing.js';
import type { MessageRecord } from './store-port.js';

export interface PacketMember {
  readonly message: MessageRecord;
  readonly prepared: PreparedDelivery;
}

const BY = 'worker';

/** A member leaves the packet: queued again under a new generation (its old job is stale). */
async function putBack(deps: DeliverDeps, m: MessageRecord, why: string): Promise<void> {
  const ok = await deps.store.transition(m.id, 'queued', { by: BY, expectFrom: 'processing', text: why });
  if (!ok) return;
  const now = await deps.store.get(m.id);
  // Queue unavailable: it stays queued without a job, which the recovery job finds.
  if (now !== undefined) await enqueueMessage(deps, now, BY).catch(() => undefined);
}

/**
 * The other members of the packet of `head` (possibly none). Each is claimed and prepared; the
 * caller sends them with the head and finishes them with `finishMembers` or `releaseMembers`.
 */
export async function gatherPacket(
  deps: DeliverDeps,
  head: MessageRecord,
  route: DeliverableRoute,
  prepared: PreparedDelivery,
  transport: Transport,
): Promise<PacketMember[]> {
  if (head.orderingKey !== null) return [];
  const sap = sapPortOf(route);
  // Webhook packets: the partner's route opts in with packSize (a JSON array per call).
  // A route that sends SYSTAT01/ALEAUD01 back per message keeps single sends (statusToSap).
  const webhook =
    route.kind === 'to-partner' &&
    transport.sendPacket !== undefined &&
    route.receives.statusToSap === 'none';
  const packSize = webhook ? route.receives.packSize : (sap?.port.packSize ?? 1);
  if (packSize <= 1) return [];
  // A packet to SAP is one IDoc-XML document: only for a transport that takes IDoc-XML and packets.
  if (
    !webhook &&
    (transport.acceptsPackets !== true || transport.wireFormat !== 'xml' || prepared.idoc === undefined)
  )
    return [];
  const claimed = await deps.store.claimPacket(
    { partner: head.partner, channel: head.channel, exclude: head.id, limit: packSize - 1 },
    { by: BY, text: `in a packet with ${head.id}` },
  );
  const type = prepared.idoc?.control.IDOCTYP;
  const members: PacketMember[] = [];
  for (const m of claimed) {
    try {
      const p = await prepareDelivery(deps, m, routeOf(deps.config, m) as DeliverableRoute);
      if (
        (!webhook && (p.idoc === undefined || p.idoc.control.IDOCTYP !== type)) ||
        p.transportKey !== prepared.transportKey
      ) {
        await putBack(deps, m, 'not packed with other IDoc types; sent on its own');
        continue;
      }
      members.push({ message: m, prepared: p });
    } catch (e) {
      deps.logger.info(
        { messageId: m.id, err: e instanceof Error ? e.message : String(e) },
        'left out of a packet; processed on its own',
      );
      await putBack(deps, m, 'could not be prepared for the packet; processed on its own');
    }
  }
  return members;
}

/** The head's delivery with the members' IDocs in the same IDoc-XML document. */
export function packetDelivery(
  prepared: PreparedDelivery,
  members: readonly PacketMember[],
): PreparedDelivery {
  if (members.length === 0 || prepared.idoc === undefined) return prepared;
  const idocs: Idoc[] = [prepared.idoc, ...members.map((x) => x.prepared.idoc!)];
  return {
    ...prepared,
    delivery: { ...prepared.delivery, body: writeXml(idocs, { indent: 0, namespace: null }) },
  };
}

/** Every member delivered with the head. */
export async function finishMembers(
  deps: DeliverDeps,
  members: readonly PacketMember[],
  attempt: { readonly transport: string; readonly durationMs: number },
  options: { readonly text: string; readonly sapStatus: string; readonly confirmBy?: Date },
): Promise<void> {
  // All at once: the store's group commit writes the members' outcomes in one statement.
  await Promise.all(
    members.map(async ({ message }) => {
      await deps.store.finishAttempt(
        message.id,
        { transport: attempt.transport, outcome: 'ok', durationMs: attempt.durationMs },
        'delivered',
        {
          by: BY,
          expectFrom: 'processing',
          text: `${options.text} (in a packet of ${members.length + 1})`,
          sapStatus: options.sapStatus,
          ...(options.confirmBy !== undefined ? { confirmBy: options.confirmBy } : {}),
        },
      );
      deps.metrics.count('delivered', {
        partner: message.partner ?? '-',
        messageType: message.messageType ?? '-',
        direction: message.direction,
      });
    }),
  );
}

/**
 * The members of a webhook packet the receiver answered message by message: each is delivered,
 * or — for a "retry" — `failed` with its attempt counted and queued again under a new job that
 * waits the retry policy's backoff (dead when its attempts are used up), or — for "rejected" —
 * dead. The same outcomes as a single send of that message would have had.
 */
export async function finishWebhookMembers(
  deps: DeliverDeps,
  members: readonly PacketMember[],
  items: readonly PacketItemOutcome[],
  attempt: { readonly transport: string; readonly durationMs: number },
  text: string,
): Promise<void> {
  await Promise.all(
    members.map(async ({ message }, i) => {
      const item = items[i];
      if (item === undefined || item.ok) {
        const how = item?.duplicate === true ? 'receiver already had it' : undefined;
        await finishMembers(deps, [{ message } as PacketMember], attempt, {
          text: how !== undefined ? `${text}, ${how}` : text,
          sapStatus: sapStatusFor('delivered', message.direction),
        });
        return;
      }
      const error = { code: item.error.code, text: item.error.message.slice(0, 2000) };
      const failed = {
        transport: attempt.transport,
        outcome: 'error',
        durationMs: attempt.durationMs,
        error,
      } as const;
      const policy = destinationSettings(deps.config, destinationOf(message)).retry;
      const dead = item.error.verdict === 'permanent' || message.attempts + 1 >= policy.attempts;
      if (dead) {
        const why =
          item.error.verdict === 'permanent'
            ? 'permanent error'
            : `retries exhausted after ${policy.attempts} attempts`;
        await deps.store.finishAttempt(message.id, failed, 'dead', {
          by: BY,
          expectFrom: 'processing',
          text: `${why} (in a webhook packet)`,
          error,
        });
        deps.metrics.count('dead', labels(message));
        return;
      }
      const delayMs = computeBackoff(message.attempts + 1, policy, deps.random);
      const ok = await deps.store.finishAttempt(message.id, failed, 'failed', {
        by: BY,
        expectFrom: 'processing',
        text: `failed in a webhook packet (${error.code}); retry on its own in ${delayMs} ms`,
        error,
        nextAttemptAt: new Date(deps.clock.now() + delayMs),
      });
      deps.metrics.count('failed', labels(message));
      const now = ok ? await deps.store.get(message.id) : undefined;
      if (now !== undefined) await enqueueMessage(deps, now, BY, delayMs).catch(() => undefined);
    }),
  );
}

function labels(m: MessageRecord): {
  partner: string;
  messageType: string;
  direction: MessageRecord['direction'];
} {
  return { partner: m.partner ?? '-', messageType: m.messageType ?? '-', direction: m.direction };
}

/** The packet failed: members go back to their own jobs, or are in doubt with the head. */
export async function releaseMembers(
  deps: DeliverDeps,
  members: readonly PacketMember[],
  outcome: {
    readonly inDoubt: boolean;
    readonly transport: string;
    readonly error: { code: string; text: string };
  },
): Promise<void> {
  await Promise.all(
    members.map(async ({ message }) => {
      if (outcome.inDoubt) {
        await deps.store.finishAttempt(
          message.id,
          { transport: outcome.transport, outcome: 'error', durationMs: 0, error: outcome.error },
          'in-doubt',
          {
            by: BY,
            expectFrom: 'processing',
            text: 'sent in a packet whose answer was lost: not resent; waits for SAP or an operator',
            error: outcome.error,
          },
        );
        deps.metrics.count('in-doubt', {
          partner: message.partner ?? '-',
          messageType: message.messageType ?? '-',
          direction: message.direction,
        });
      } else {
        await putBack(deps, message, `the packet failed (${outcome.error.code}); sent on its own`);
      }
    }),
  );
}
