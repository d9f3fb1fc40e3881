/**
 * Replay (as is, or with an edited payload stored as a new `edited` version) and cancel. Both are
 * audited with the actor and the reason. A replay reopens the message (status `received`), gives
 * it a new queue generation (older jobs of it become stale) and queues it, or blocks it behind
 * its ordering key. A cancel finishes the message and releases its ordering key.
 */
import { CONTRACTS, checkPayload } from '../contracts/registry.js';
import { IdocgateError } from '../errors.js';
import type { SupportDeps, SupportEmitDeps } from './deps.js';
import type { ReplayOptions } from './gateway-port.js';
import { admit, releaseKey } from './ordering.js';
import { validate } from './prepare.js';
import { parseChannel, routeOf } from './routing.js';
import { sendStatusToSap } from './status-to-sap.js';
import { CANCELLABLE, CONFIRMABLE, REPLAYABLE } from './lifecycle.js';
import type { MessageRecord, MessageStatus, TransitionOptions } from './store-port.js';
import { readIdocInput } from './wire.js';

async function load(deps: SupportDeps, id: string): Promise<MessageRecord> {
  const m = await deps.store.get(id);
  if (m === undefined) throw new IdocgateError('MESSAGE_NOT_FOUND', `no message has id ${id}`);
  return m;
}

/** Checks an edited payload can be processed in place of the original; throws 4xx when not. */
function checkEdit(deps: SupportDeps, m: MessageRecord, edited: NonNullable<ReplayOptions['edited']>): void {
  const ch = parseChannel(m.channel);
  const contract = ch.kind === 'partner' ? CONTRACTS.get(ch.contract) : undefined;
  if (contract !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(edited.content);
    } catch (e) {
      throw new IdocgateError(
        'PAYLOAD_INVALID',
        `the edited payload is not valid JSON (${(e as Error).message})`,
      );
    }
    const checked = checkPayload(contract, value);
    if (!checked.ok) {
      throw new IdocgateError(
        'PAYLOAD_INVALID',
        `the edited payload does not match contract ${contract.name}`,
        {
          issues: checked.issues,
        },
      );
    }
    return;
  }
  const read = readIdocInput(edited.content, deps.definitions);
  if (read.idocs.length !== 1) {
    throw new IdocgateError(
      'IDOC_INVALID',
      `the edited payload holds ${read.idocs.length} IDocs; a message is one IDoc`,
    );
  }
  // Checked against its definition now (fields, lengths, values, segment hierarchy and
  // occurrences), so a bad edit is refused with every issue instead of failing after replay.
  validate(deps, read.idocs[0]!, 'the edited IDoc');
}

export async function replay(deps: SupportDeps, id: string, options: ReplayOptions): Promise<MessageRecord> {
  const m = await load(deps, id);
  if (!REPLAYABLE.includes(m.status)) {
    throw new IdocgateError(
      'MESSAGE_NOT_REPLAYABLE',
      `message ${id} is ${m.status}; only ${REPLAYABLE.join(', ')} messages can be replayed`,
    );
  }
  const by = `replay:${options.actor}`;
  if (options.edited !== undefined) {
    checkEdit(deps, m, options.edited);
    await deps.store.addVersion(id, {
      kind: 'edited',
      format: options.edited.format,
      content: options.edited.content,
      createdBy: options.actor,
      note: options.reason,
      audit: { actor: options.actor, action: 'edit', reason: options.reason },
    });
  }
  const reopened = await deps.store.transition(id, 'received', {
    by,
    expectFrom: REPLAYABLE,
    text: `replay by ${options.actor}: ${options.reason}`.slice(0, 500),
    error: null,
    nextAttemptAt: null,
  });
  if (!reopened) {
    throw new IdocgateError('MESSAGE_NOT_REPLAYABLE', `message ${id} changed while it was being replayed`);
  }
  await deps.store.appendAudit({
    actor: options.actor,
    action: 'replay',
    reason: options.reason,
    messageId: id,
    details: { from: m.status, edited: options.edited !== undefined },
  });
  const now = await load(deps, id);
  await admit(deps, now, by);
  return load(deps, id);
}

/**
 * An operator's status change (confirm posted, cancel): allowed only from `allowed`, compare-and-
 * set, audited with the reason. Returns the message as it was before.
 */
async function operatorTransition(
  deps: SupportEmitDeps,
  id: string,
  to: 'posted' | 'cancelled',
  allowed: readonly MessageStatus[],
  options: { readonly actor: string; readonly reason: string },
  action: {
    readonly name: string;
    readonly verb: string;
    readonly extra?: Partial<TransitionOptions>;
    readonly details?: Record<string, unknown>;
  },
): Promise<MessageRecord> {
  const m = await load(deps, id);
  if (!allowed.includes(m.status)) {
    throw new IdocgateError(
      'MESSAGE_NOT_REPLAYABLE',
      `message ${id} is ${m.status}; only ${allowed.join(', ')} messages can be ${action.verb}`,
    );
  }
  const done = await deps.store.transition(id, to, {
    ...action.extra,
    by: `${action.name}:${options.actor}`,
    expectFrom: allowed,
    text: `${action.verb} by ${options.actor}: ${options.reason}`.slice(0, 500),
  });
  if (!done)
    throw new IdocgateError(
      'MESSAGE_NOT_REPLAYABLE',
      `message ${id} changed while it was being ${action.verb}`,
    );
  await deps.store.appendAudit({
    actor: options.actor,
    action: action.name,
    reason: options.reason,
    messageId: id,
    details: { from: m.status, ...action.details },
  });
  return m;
}

/**
 * An operator marks a message as posted by hand (an `in-doubt` or `unconfirmed` one, after
 * checking WE02 in SAP), with a reason and optionally SAP's document: audited, and the
 * ordering key goes on as if SAP had reported 53.
 */
export async function confirmPosted(
  deps: SupportEmitDeps,
  id: string,
  options: { readonly actor: string; readonly reason: string; readonly document?: string },
): Promise<MessageRecord> {
  const document = options.document !== undefined ? { document: options.document } : undefined;
  const m = await operatorTransition(deps, id, 'posted', CONFIRMABLE, options, {
    name: 'confirm-posted',
    verb: 'confirmed as posted',
    extra: { error: null, confirmBy: null, ...(document !== undefined ? { sapReport: document } : {}) },
    ...(document !== undefined ? { details: document } : {}),
  });
  if (m.orderingKey !== null) await releaseKey(deps, m.orderingKey, `confirm:${options.actor}`);
  return load(deps, id);
}

export async function cancel(
  deps: SupportEmitDeps,
  id: string,
  options: { readonly actor: string; readonly reason: string },
): Promise<MessageRecord> {
  const m = await operatorTransition(deps, id, 'cancelled', CANCELLABLE, options, {
    name: 'cancel',
    verb: 'cancelled',
  });
  try {
    const route = routeOf(deps.config, m);
    if (route.kind === 'to-partner') await sendStatusToSap(deps, m, route, 'cancelled', options.reason);
  } catch (e) {
    deps.logger.warn(
      { messageId: id, err: e instanceof Error ? e.message : String(e) },
      'no status IDoc for the cancel',
    );
  }
  if (m.orderingKey !== null) await releaseKey(deps, m.orderingKey, `cancel:${options.actor}`);
  return load(deps, id);
}
