/**
 * The ledger feed, off the delivery path: a catch-up job takes delivered messages that the
 * ledger has not seen (anti-join on serial_ledger_applied), extracts their serial events and
 * applies them in one transaction per batch, then runs the sweep rules and notifies new alerts.
 * A message that cannot be read is recorded as `failed` against the ledger only — its delivery
 * is never touched. The SQL side is the LedgerFeedPort (src/store/serials/feed.ts).
 */
import type { LedgerConfig } from '../../config/ledger.js';
import type { DefinitionRegistry } from '../../definitions/registry.js';
import { isIdocgateError } from '../../errors.js';
import type { DraftWithSource } from './apply.js';
import { extractFromMessage, type LedgerMessage } from './extract-message.js';
import {
  sweepCustodyPath,
  trainCustodyModel,
  type CustodyPathPort,
  type StoredCustodyModel,
} from './rules/custody-path.js';
import { checkFrequency, type MovementCount, windowStart } from './rules/frequency.js';
import { checkNeverReceived, neverReceivedCutoff } from './rules/never-received.js';
import type { AlertDraft } from './rules/types.js';
import { checkVendorOverdue, vendorOverdueCutoff } from './rules/vendor-overdue.js';
import type { SiteDirectory } from './sites.js';
import type { DeliveryInfo, SerialState, SerialStateName } from './types.js';

export interface AppliedMark {
  readonly messageId: string;
  readonly outcome: 'applied' | 'skipped' | 'failed';
  readonly events: number;
  readonly error?: { readonly code: string; readonly text: string };
}

export interface LedgerFeedTx extends CustodyPathPort {
  /** Delivered messages not yet applied, oldest delivery first, with their best payload version. */
  pendingMessages(limit: number): Promise<LedgerMessage[]>;
  lookupDeliveries(numbers: readonly string[]): Promise<Map<string, DeliveryInfo>>;
  saveDeliveries(list: readonly { info: DeliveryInfo; messageId: string | null }[]): Promise<void>;
  applyDrafts(
    items: readonly DraftWithSource[],
  ): Promise<{ applied: number; duplicates: number; alertIds: readonly number[] }>;
  markApplied(rows: readonly AppliedMark[]): Promise<void>;
  /** Serials in a state since before `before` (sweep candidates). */
  statesSince(state: SerialStateName, before: Date, limit: number): Promise<SerialState[]>;
  /** Movements per serial since `from`, for materials with at least `minPopulation` moving serials. */
  movementCounts(from: Date, minPopulation: number): Promise<MovementCount[]>;
  insertAlerts(alerts: readonly AlertDraft[]): Promise<readonly number[]>;
}

export interface LedgerFeedPort {
  /** Runs `fn` in one transaction holding the ledger lock; undefined when another worker holds it. */
  batch<T>(fn: (tx: LedgerFeedTx) => Promise<T>): Promise<T | undefined>;
}

export interface CatchUpResult {
  /** False when another worker held the ledger lock (nothing done). */
  readonly ran: boolean;
  readonly messages: number;
  readonly applied: number;
  readonly skipped: number;
  readonly failed: number;
  readonly events: number;
  readonly duplicates: number;
  readonly alerts: number;
}

const NOTHING: CatchUpResult = {
  ran: false,
  messages: 0,
  applied: 0,
  skipped: 0,
  failed: 0,
  events: 0,
  duplicates: 0,
  alerts: 0,
};

/** Applies up to `limit` pending messages in one transaction. */
export async function applyPending(
  port: LedgerFeedPort,
  sites: SiteDirectory,
  limit: number,
  timeZone: string,
  definitions?: DefinitionRegistry,
): Promise<CatchUpResult> {
  const result = await port.batch(async (tx) => {
    const messages = await tx.pendingMessages(limit);
    if (messages.length === 0) return { ...NOTHING, ran: true };
    const known = new Map<string, DeliveryInfo>();
    const misses = new Set<string>();
    const lookup = (d: string): DeliveryInfo | undefined => {
      const v = known.get(d);
      if (v === undefined) misses.add(d);
      return v;
    };
    const run = (): {
      marks: AppliedMark[];
      drafts: DraftWithSource[];
      routes: { info: DeliveryInfo; messageId: string }[];
    } => {
      const marks: AppliedMark[] = [];
      const drafts: DraftWithSource[] = [];
      const routes: { info: DeliveryInfo; messageId: string }[] = [];
      for (const m of messages) {
        try {
          const x = extractFromMessage(m, sites, lookup, timeZone, definitions);
          if (x.outcome === 'skipped') {
            marks.push({ messageId: m.id, outcome: 'skipped', events: 0 });
            continue;
          }
          for (const info of x.extraction.deliveries) {
            known.set(info.delivery, info);
            routes.push({ info, messageId: m.id });
          }
          for (const draft of x.extraction.events) drafts.push({ draft, messageId: m.id });
          marks.push({ messageId: m.id, outcome: 'applied', events: x.extraction.events.length });
        } catch (err) {
          marks.push({
            messageId: m.id,
            outcome: 'failed',
            events: 0,
            error: {
              code: isIdocgateError(err) ? err.code : 'LEDGER_EXTRACT_FAILED',
              text: err instanceof Error ? err.message : String(err),
            },
          });
        }
      }
      return { marks, drafts, routes };
    };
    let pass = run();
    if (misses.size > 0) {
      // Deliveries announced in earlier batches: load them and read the batch again.
      const stored = await tx.lookupDeliveries([...misses]);
      known.clear();
      for (const [k, v] of stored) known.set(k, v);
      misses.clear();
      pass = run();
    }
    await tx.saveDeliveries(pass.routes);
    const applied = await tx.applyDrafts(pass.drafts);
    await tx.markApplied(pass.marks);
    const count = (o: AppliedMark['outcome']): number => pass.marks.filter((m) => m.outcome === o).length;
    return {
      ran: true,
      messages: messages.length,
      applied: count('applied'),
      skipped: count('skipped'),
      failed: count('failed'),
      events: applied.applied,
      duplicates: applied.duplicates,
      alerts: applied.alertIds.length,
    };
  });
  return result ?? NOTHING;
}

/** Runs the sweep rules (never received, vendor overdue, frequency, custody path) at `now`; returns new alerts. */
export async function runSweeps(
  port: LedgerFeedPort,
  config: LedgerConfig,
  now: Date,
  limit = 10_000,
): Promise<number> {
  const r = await port.batch(async (tx) => {
    const alerts: AlertDraft[] = [];
    const rules = config.rules;
    if (rules.neverReceived.enabled) {
      const cutoff = neverReceivedCutoff(now, rules.neverReceived);
      for (const s of await tx.statesSince('in-transit', cutoff, limit)) {
        const a = checkNeverReceived(s, now, rules.neverReceived);
        if (a) alerts.push(a);
      }
    }
    if (rules.vendorOverdue.enabled) {
      const cutoff = vendorOverdueCutoff(now, rules.vendorOverdue);
      for (const s of await tx.statesSince('out-to-vendor', cutoff, limit)) {
        const a = checkVendorOverdue(s, now, rules.vendorOverdue);
        if (a) alerts.push(a);
      }
    }
    if (rules.frequency.enabled) {
      const counts = await tx.movementCounts(
        windowStart(now, rules.frequency),
        rules.frequency.minPopulation,
      );
      const byMaterial = new Map<string, MovementCount[]>();
      for (const c of counts) {
        const list = byMaterial.get(c.material) ?? [];
        list.push(c);
        byMaterial.set(c.material, list);
      }
      for (const list of byMaterial.values()) alerts.push(...checkFrequency(list, now, rules.frequency));
    }
    if (rules.custodyPath.enabled) alerts.push(...(await sweepCustodyPath(tx, rules.custodyPath, now)));
    return (await tx.insertAlerts(alerts)).length;
  });
  return r ?? 0;
}

/**
 * Learns a custody-path model from the ledger's history up to `now` and stores it as a new
 * version (what `idocgate models train --custody` and the rule's scheduled refresh run).
 * Undefined when another worker held the ledger lock.
 */
export async function trainCustodyPath(
  port: LedgerFeedPort,
  config: LedgerConfig,
  now: Date,
  by: string,
): Promise<(StoredCustodyModel & { readonly events: number }) | undefined> {
  return port.batch((tx) =>
    trainCustodyModel(tx, now, { threshold: config.rules.custodyPath.threshold, by }),
  );
}

export interface CatchUpDeps {
  readonly port: LedgerFeedPort;
  readonly sites: SiteDirectory;
  readonly config: LedgerConfig;
  /** Time zone of the SAP system's dates and times (the config's `timeZone`). */
  readonly timeZone: string;
  /** IDoc definitions, so a raw flat IDoc file (no stored parsed model) is read too. */
  readonly definitions?: DefinitionRegistry;
  readonly clock: () => Date;
  /** Sends alerts that were not yet notified (e.g. to the alert webhook); see notifyAlerts. */
  readonly notify?: () => Promise<number>;
}

/**
 * One scheduler tick: applies pending messages batch by batch (up to `maxBatches`), then runs
 * the sweeps and the notifier. Call it from a BullMQ job scheduler (every ledger.intervalMs)
 * or a timer; it is safe to run in several processes (the ledger lock lets one work at a time).
 */
export async function runLedgerCatchUp(
  deps: CatchUpDeps,
  maxBatches = 20,
): Promise<CatchUpResult & { readonly sweepAlerts: number; readonly notified: number }> {
  const total = { ...NOTHING };
  for (let i = 0; i < maxBatches; i++) {
    const r = await applyPending(
      deps.port,
      deps.sites,
      deps.config.batchSize,
      deps.timeZone,
      deps.definitions,
    );
    if (!r.ran) break;
    total.ran = true;
    total.messages += r.messages;
    total.applied += r.applied;
    total.skipped += r.skipped;
    total.failed += r.failed;
    total.events += r.events;
    total.duplicates += r.duplicates;
    total.alerts += r.alerts;
    if (r.messages < deps.config.batchSize) break;
  }
  const sweepAlerts = await runSweeps(deps.port, deps.config, deps.clock());
  const notified = deps.notify ? await deps.notify() : 0;
  return { ...total, sweepAlerts, notified };
}
