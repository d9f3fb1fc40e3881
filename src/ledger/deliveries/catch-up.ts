/**
 * The delivery ledger is fed off the delivery path: a catch-up job reads messages that reached
 * the point where they count (announcements from SAP once stored, receipts once delivered to
 * SAP) and are not applied yet, and applies each exactly once (the applied mark is written in
 * the same transaction as its effect). Safe to run from several processes at once and after a
 * crash: a message is either fully applied or not at all.
 *
 * `runDeliveryLedgerCatchUp` is what the scheduler calls (src/sweeper/scheduler.ts).
 */
import { settingsFor, type SweeperConfig } from '../../config/sweeper.js';
import type { DefinitionRegistry } from '../../definitions/registry.js';
import { isIdocgateError } from '../../errors.js';
import type { Idoc } from '../../idoc/model.js';
import type { LedgerFeedStore, VersionRecord } from '../../pipeline/store-port.js';
import { payloadsToRead } from '../../pipeline/payload-version.js';
import { decodePayload, type DecodedPayload } from '../movements/payload.js';
import { readLedgerIdoc } from './extract-idoc.js';
import { readJsonReceipt } from './extract-json.js';
import { LEDGER_MESSAGE_TYPES } from './layouts.js';
import { OWN_POSTING_PREFIX, type DeliveryLedgerStore, type DueFn, type PendingMessage } from './port.js';
import type { DeliverySites } from './sites.js';
import { NEVER_DUE, type ExpectedDelivery, type Milestone, type ReceiptLine } from './types.js';

export interface CatchUpDeps {
  readonly store: LedgerFeedStore;
  readonly ledger: DeliveryLedgerStore;
  readonly definitions: DefinitionRegistry;
  readonly sites: DeliverySites;
  readonly sweeper: SweeperConfig;
  readonly timeZone: string;
  readonly clock: { now(): number };
}

export interface CatchUpResult {
  readonly applied: number;
  readonly deliveries: number;
  readonly receiptLines: number;
  /** Picking / goods-issue confirmations applied. */
  readonly milestones: number;
  readonly ignored: number;
  readonly unreadable: number;
}

/**
 * When a delivery becomes overdue: the ACTUAL goods issue + the grace period of its destination
 * site. Never while no goods issue is known (a planned date never starts the clock), nor for a
 * site the sweeper is off for.
 */
export function dueAtFor(
  config: SweeperConfig,
  d: Pick<ExpectedDelivery, 'destinationSite' | 'goodsIssueAt'>,
): Date {
  const s = settingsFor(config, d.destinationSite);
  return s.enabled && d.goodsIssueAt !== null
    ? new Date(d.goodsIssueAt.getTime() + s.gracePeriodMs)
    : NEVER_DUE;
}

/** dueAtFor as the store's DueFn. */
export function dueFnFor(config: SweeperConfig): DueFn {
  return (destinationSite, from) => dueAtFor(config, { destinationSite, goodsIssueAt: from });
}

type Reading =
  | { kind: 'expect'; deliveries: ExpectedDelivery[] }
  | { kind: 'receipt'; lines: ReceiptLine[] }
  | { kind: 'milestone'; milestones: Milestone[] }
  | { kind: 'ignore'; reason: string };

/** A version's IDocs or partner JSON, or undefined when it cannot be read (the next one is tried). */
function decoded(v: VersionRecord, definitions: DefinitionRegistry): DecodedPayload | undefined {
  try {
    return decodePayload(v, definitions);
  } catch {
    return undefined;
  }
}

function readIdocsOf(
  message: PendingMessage,
  idocs: readonly Idoc[],
  deps: Pick<CatchUpDeps, 'sites' | 'timeZone'>,
): Reading {
  const deliveries: ExpectedDelivery[] = [];
  const lines: ReceiptLine[] = [];
  const milestones: Milestone[] = [];
  const reasons: string[] = [];
  for (const idoc of idocs) {
    const r = readLedgerIdoc(
      idoc,
      { sites: deps.sites, timeZone: deps.timeZone },
      message.messageType ?? undefined,
    );
    if (r.kind === 'expect') deliveries.push(...r.deliveries);
    else if (r.kind === 'receipt') lines.push(...r.lines.map((l) => ({ ...l, line: lines.length + l.line })));
    else if (r.kind === 'milestone') milestones.push(...r.milestones);
    else reasons.push([r.reason, ...r.issues.map((i) => i.message)].join(': '));
  }
  if (deliveries.length > 0) return { kind: 'expect', deliveries };
  if (lines.length > 0) return { kind: 'receipt', lines: lines.map((l, i) => ({ ...l, line: i })) };
  if (milestones.length > 0) return { kind: 'milestone', milestones };
  return { kind: 'ignore', reason: reasons.join('; ') || 'nothing for the ledger' };
}

/**
 * What a stored message means to the ledger, from the versions the ledgers read
 * (src/pipeline/payload-version.ts: the newest input version, then mapped; the first that says something). Partner
 * JSON (handheld scan, WMS confirmation) of a contract the ledger knows decides; IDocs decide.
 */
export function readMessage(
  message: PendingMessage,
  versions: readonly VersionRecord[],
  deps: Pick<CatchUpDeps, 'definitions' | 'sites' | 'timeZone'>,
): Reading {
  for (const v of payloadsToRead(versions)) {
    const d = decoded(v, deps.definitions);
    if (d === undefined || d.kind === 'not-read') continue;
    if (d.kind === 'partner-json') {
      const r = readJsonReceipt(d.value);
      if (r === undefined) continue;
      if (r.lines.length > 0) return { kind: 'receipt', lines: r.lines };
      if (r.milestones.length > 0) return { kind: 'milestone', milestones: r.milestones };
      return { kind: 'ignore', reason: `${r.contract} that is not a receipt against a delivery` };
    }
    if (d.idocs.length > 0) return readIdocsOf(message, d.idocs, deps);
  }
  return { kind: 'ignore', reason: 'no readable payload version' };
}

/** Applied marks of the messages a round ignores: written with one statement at its end. */
class Marks {
  private readonly pending: { messageId: string; outcome: string; note: string | null }[] = [];
  constructor(private readonly ledger: DeliveryLedgerStore) {}

  add(messageId: string, outcome: string, note: string | null): void {
    this.pending.push({ messageId, outcome, note });
  }

  async flush(now: Date): Promise<void> {
    if (this.pending.length > 0) await this.ledger.markApplied(this.pending.splice(0), now);
  }
}

type Announcement = {
  readonly messageId: string;
  readonly messageType: string | null;
  readonly deliveries: readonly ExpectedDelivery[];
};
type Confirmation = { readonly messageId: string; readonly milestones: readonly Milestone[] };
type Receipt = { readonly messageId: string; readonly lines: readonly ReceiptLine[] };

interface Waiting {
  names(deliveries: readonly string[]): boolean;
  flush(now: Date): Promise<void>;
}

/** Messages of one kind waiting to be applied together, and the deliveries they name. */
class Group<T extends { readonly messageId: string }> implements Waiting {
  readonly pending: T[] = [];
  readonly deliveries = new Set<string>();

  constructor(private readonly apply: (batch: readonly T[], now: Date) => Promise<void>) {}

  add(entry: T, deliveries: readonly string[]): void {
    this.pending.push(entry);
    for (const d of deliveries) this.deliveries.add(d);
  }

  names(deliveries: readonly string[]): boolean {
    return deliveries.some((d) => this.deliveries.has(d));
  }

  /**
   * One transaction for all; when it fails for a reason that will not pass, each message is
   * applied on its own, so one bad message does not hold the others back (it fails alone).
   */
  async flush(now: Date): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    this.deliveries.clear();
    try {
      await this.apply(batch, now);
    } catch (e) {
      if (batch.length === 1 || (isIdocgateError(e) && e.verdict === 'transient')) throw e;
      for (const m of batch) await this.apply([m], now);
    }
  }
}

/**
 * A round's applications, grouped by kind: the announcements, the DC's confirmations and the
 * receipts of a round wait in one group per kind, each applied in one transaction. Each delivery
 * still sees its messages in the order they came: a message naming a delivery that a waiting
 * group of another kind names applies that group first (e.g. receipts read before an
 * announcement are applied before it).
 */
class Applications {
  private readonly expected: Group<Announcement>;
  private readonly milestones: Group<Confirmation>;
  private readonly receipts: Group<Receipt>;

  constructor(ledger: DeliveryLedgerStore, dueAt: DueFn) {
    this.expected = new Group((batch, now) => ledger.applyExpected(batch, dueAt, now));
    this.milestones = new Group((batch, now) => ledger.applyMilestones(batch, dueAt, now));
    this.receipts = new Group((batch, now) => ledger.applyReceipts(batch, now));
  }

  announce(m: Announcement, now: Date): Promise<void> {
    return this.join(
      this.expected,
      m,
      m.deliveries.map((d) => d.delivery),
      now,
    );
  }

  confirm(m: Confirmation, now: Date): Promise<void> {
    return this.join(
      this.milestones,
      m,
      m.milestones.map((x) => x.delivery),
      now,
    );
  }

  receive(m: Receipt, now: Date): Promise<void> {
    return this.join(
      this.receipts,
      m,
      m.lines.map((l) => l.delivery),
      now,
    );
  }

  /**
   * Applies first the waiting groups of the other kinds that name one of these deliveries, then
   * adds the message to its own group. The waiting groups stay disjoint: the order in which they
   * are applied later does not change any delivery.
   */
  private async join<T extends { readonly messageId: string }>(
    own: Group<T>,
    m: T,
    deliveries: readonly string[],
    now: Date,
  ): Promise<void> {
    const groups: readonly Waiting[] = [this.expected, this.milestones, this.receipts];
    for (const other of groups) if (other !== own && other.names(deliveries)) await other.flush(now);
    own.add(m, deliveries);
  }

  async flush(now: Date): Promise<void> {
    await this.expected.flush(now);
    await this.milestones.flush(now);
    await this.receipts.flush(now);
  }
}

/** Applies up to `batchSize` pending messages per round, until none is left or `maxRounds`. */
export async function runDeliveryLedgerCatchUp(
  deps: CatchUpDeps,
  options: { readonly batchSize?: number; readonly maxRounds?: number } = {},
): Promise<CatchUpResult> {
  const batchSize = options.batchSize ?? deps.sweeper.catchUp.batchSize;
  const maxRounds = options.maxRounds ?? 50;
  let applied = 0;
  let deliveries = 0;
  let receiptLines = 0;
  let milestones = 0;
  let ignored = 0;
  let unreadable = 0;
  for (let round = 0; round < maxRounds; round++) {
    const pending = await deps.ledger.pendingMessages({
      onReceipt: LEDGER_MESSAGE_TYPES.onReceipt,
      onDelivery: LEDGER_MESSAGE_TYPES.onDelivery,
      limit: batchSize,
    });
    // One query for the round's payloads and one statement for the messages that change nothing
    // (marked at the end of the round, before the next one looks for pending messages).
    const versionsOf = await deps.store.versionsOf(pending.map((m) => m.id));
    const marks = new Marks(deps.ledger);
    const applications = new Applications(deps.ledger, dueFnFor(deps.sweeper));
    try {
      for (const m of pending) {
        const now = new Date(deps.clock.now());
        if (m.idempotencyKey?.startsWith(OWN_POSTING_PREFIX)) {
          marks.add(m.id, 'own-posting', null);
          ignored++;
          applied++;
          continue;
        }
        let reading: Reading;
        try {
          reading = readMessage(m, versionsOf.get(m.id) ?? [], deps);
        } catch (e) {
          if (isIdocgateError(e) && e.verdict === 'transient') throw e;
          marks.add(m.id, 'unreadable', e instanceof Error ? e.message : String(e));
          unreadable++;
          applied++;
          continue;
        }
        if (reading.kind === 'expect') {
          await applications.announce(
            { messageId: m.id, messageType: m.messageType, deliveries: reading.deliveries },
            now,
          );
          deliveries += reading.deliveries.length;
        } else if (reading.kind === 'milestone') {
          await applications.confirm({ messageId: m.id, milestones: reading.milestones }, now);
          milestones += reading.milestones.length;
        } else if (reading.kind === 'receipt') {
          await applications.receive({ messageId: m.id, lines: reading.lines }, now);
          receiptLines += reading.lines.length;
        } else {
          marks.add(m.id, 'ignored', reading.reason);
          ignored++;
        }
        applied++;
      }
      await applications.flush(new Date(deps.clock.now()));
    } finally {
      await marks.flush(new Date(deps.clock.now()));
    }
    if (pending.length < batchSize) break;
  }
  return { applied, deliveries, receiptLines, milestones, ignored, unreadable };
}
