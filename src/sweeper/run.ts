/**
 * One sweeper run. Exactly once, across any number of processes and crashes:
 *
 *  1. A lease row (sweeper_lease, expiry from the injected clock) lets one run at a time work;
 *     a second run returns `skipped: locked`. A holder that dies loses the lease at expiry.
 *  2. For each overdue delivery the decision is taken in one transaction, compare-and-set on the
 *     delivery's version: the postings (IDocs, idempotency keys `pushback:<delivery>:<step>`,
 *     ordering key `pushback:<delivery>`) and the discrepancy are stored with the state change to
 *     `pushing-back`. A receipt recorded in between changes the version: the decision is retaken.
 *  3. The postings are handed to the outbound path in order; the store keeps one message per
 *     idempotency key, so re-sending after a crash returns the message created before.
 *  4. Deliveries left in `pushing-back` (a run died between 2 and the end of 3) are finished
 *     first by the next run, from the stored plan: never rebuilt, never doubled.
 *
 * Only deliveries goods-issued at the DC are ever due (due_at = ACTUAL goods issue + grace): a
 * delivery without a goods issue is skipped, and the run lists the ones whose PLANNED goods issue
 * + grace has passed as problems (`NOT_GOODS_ISSUED`), in the preview too, so support sees why.
 *
 * The outbound pipeline delivers messages of one ordering key one after the other, so the
 * transfer goes to SAP only after the receipt has been delivered. Receipts recorded after the
 * decision are late receipts: flagged, not counted (src/store/deliveries/repo.ts).
 */
import { settingsFor, type SweeperConfig } from '../config/sweeper.js';
import type { Issue } from '../errors.js';
import type { DeliveryLedgerStore, DeliveryRecord, PushbackStep } from '../ledger/deliveries/port.js';
import { computeDeliveryStatus } from '../ledger/deliveries/status.js';
import { isoToSapDate } from '../mapping/time.js';
import { planPushback, type PlanOptions } from './plan.js';
import { postingSearchKeys, type OutboundPoster } from './poster.js';

export const LEASE_NAME = 'pushback-sweeper';
/** Deliveries without a goods issue a run lists at most (oldest planned due first). */
export const AWAITING_LISTED = 100;

/** Why a delivery is not pushed back: SAP / the DC never confirmed its goods issue. */
function notGoodsIssued(delivery: string, planned: Date | null): Issue {
  return {
    code: 'NOT_GOODS_ISSUED',
    severity: 'warning',
    path: `delivery/${delivery}`,
    message:
      `delivery ${delivery} was never goods-issued at the DC` +
      (planned !== null ? ` (goods issue planned for ${planned.toISOString()})` : '') +
      ': not pushed back; the grace period starts at the actual goods issue (WHSCON/SHPCON PGI, or a DESADV with it)',
    details: { delivery },
  };
}
export const GRACE_SETTING = 'sweeper.grace';

export interface SweeperDeps {
  readonly ledger: DeliveryLedgerStore;
  /** Needed for real runs; a dry run posts nothing. */
  readonly poster?: OutboundPoster;
  readonly config: SweeperConfig;
  readonly timeZone: string;
  readonly clock: { now(): number };
  readonly newId: () => string;
  readonly unitOf?: PlanOptions['unitOf'];
  readonly log?: (level: 'info' | 'warn', obj: Record<string, unknown>, msg: string) => void;
}

export interface SweepHooks {
  /** Called after each posting was handed over (tests use it to simulate a crash). */
  afterPosting?(delivery: string, step: PushbackStep): void | Promise<void>;
}

export interface PushbackPreview {
  readonly delivery: string;
  readonly originSite: string;
  readonly destinationSite: string;
  readonly dueAt: Date;
  readonly outstanding: number;
  readonly missingSerials: number;
  readonly steps: readonly Pick<PushbackStep, 'name' | 'kind' | 'idempotencyKey' | 'orderingKey' | 'idoc'>[];
}

export interface SweepResult {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly skipped?: 'locked';
  /** Overdue deliveries looked at. */
  readonly scanned: number;
  readonly pushedBack: number;
  /** Postings handed to the outbound path (new messages; duplicates not counted). */
  readonly postings: number;
  /** Deliveries found complete (closed) instead of pushed back. */
  readonly closed: number;
  /** Interrupted pushbacks finished by this run. */
  readonly resumed: number;
  /** Deliveries past their planned goods issue + grace without a goods issue: skipped (see problems). */
  readonly notGoodsIssued: number;
  readonly previews: readonly PushbackPreview[];
  readonly problems: readonly { readonly delivery: string; readonly issues: readonly Issue[] }[];
}

/** Runs `fn` over the items with at most `limit` at a time; the first error stops new work. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed !== undefined) throw failed.error;
}

/** The grace periods behind due_at, to notice a config change. */
export function graceFingerprint(config: SweeperConfig): string {
  const sites = Object.keys(config.sites)
    .sort()
    .map((s) => {
      const st = settingsFor(config, s);
      return [s, st.enabled ? st.gracePeriodMs : null];
    });
  return JSON.stringify({ default: config.gracePeriod, sites });
}

async function alignDue(deps: SweeperDeps): Promise<void> {
  const fp = graceFingerprint(deps.config);
  if ((await deps.ledger.setting(GRACE_SETTING)) === fp) return;
  const bySite = new Map<string, number | null>();
  for (const site of Object.keys(deps.config.sites)) {
    const s = settingsFor(deps.config, site);
    bySite.set(site, s.enabled ? s.gracePeriodMs : null);
  }
  const n = await deps.ledger.realignDue(bySite, deps.config.gracePeriod, { name: GRACE_SETTING, value: fp });
  deps.log?.('info', { deliveries: n }, 'sweeper: grace periods changed, due times recomputed');
}

function preview(
  rec: DeliveryRecord,
  steps: readonly PushbackStep[],
  outstanding: number,
  missingSerials: number,
): PushbackPreview {
  return {
    delivery: rec.expected.delivery,
    originSite: rec.expected.originSite,
    destinationSite: rec.expected.destinationSite,
    dueAt: rec.dueAt,
    outstanding,
    missingSerials,
    steps: steps.map(({ name, kind, idempotencyKey, orderingKey, idoc }) => ({
      name,
      kind,
      idempotencyKey,
      orderingKey,
      idoc,
    })),
  };
}

export async function runSweeper(
  deps: SweeperDeps,
  options: { readonly dryRun?: boolean; readonly hooks?: SweepHooks } = {},
): Promise<SweepResult> {
  const dryRun = options.dryRun ?? false;
  const runId = deps.newId();
  const now = (): Date => new Date(deps.clock.now());
  const counts = { scanned: 0, pushedBack: 0, postings: 0, closed: 0, resumed: 0, notGoodsIssued: 0 };
  const previews: PushbackPreview[] = [];
  const problems: { delivery: string; issues: Issue[] }[] = [];
  const { config, ledger } = deps;

  if (!dryRun && deps.poster === undefined) throw new Error('runSweeper: a real run needs an OutboundPoster');
  if (!dryRun && !(await ledger.acquireLease(LEASE_NAME, runId, now(), config.lease))) {
    return { runId, dryRun, skipped: 'locked', ...counts, previews, problems };
  }

  const post = async (delivery: string, steps: readonly PushbackStep[]): Promise<void> => {
    const ids: Record<string, string> = {};
    for (const step of steps) {
      const r = await deps.poster!.post({
        step,
        port: config.port ?? '',
        delivery,
        searchKeys: postingSearchKeys(step, delivery),
      });
      if (!r.duplicate) counts.postings++;
      ids[step.name] = r.messageId;
      await options.hooks?.afterPosting?.(delivery, step);
    }
    await ledger.completePushback(delivery, ids, now());
  };

  const consider = async (delivery: string): Promise<void> => {
    const rec = await ledger.getDelivery(delivery);
    if (rec === undefined || (rec.state !== 'open' && rec.state !== 'partial')) return;
    counts.scanned++;
    if (rec.expected.goodsIssueAt === null) {
      problems.push({
        delivery,
        issues: [notGoodsIssued(rec.expected.delivery, rec.expected.plannedGoodsIssueAt)],
      });
      return;
    }
    const status = computeDeliveryStatus(rec.expected, rec.receipts);
    const at = now();
    if (status.outstandingMilli === 0) {
      if (
        !dryRun &&
        (await ledger.decide({
          delivery,
          basedOnVersion: rec.version,
          runId,
          now: at,
          status,
          pushback: null,
        }))
      )
        counts.closed++;
      return;
    }
    const settings = settingsFor(config, rec.expected.destinationSite);
    const planned = planPushback(rec.expected, status, settings, {
      postingDate: isoToSapDate(at.toISOString(), deps.timeZone) ?? '',
      ...(deps.unitOf !== undefined ? { unitOf: deps.unitOf } : {}),
    });
    if (!planned.ok) {
      problems.push({ delivery, issues: planned.issues });
      return;
    }
    const { steps, discrepancy } = planned.plan;
    if (dryRun) {
      previews.push(preview(rec, steps, discrepancy.missingQuantity, discrepancy.missingSerials));
      return;
    }
    const won = await ledger.decide({
      delivery,
      basedOnVersion: rec.version,
      runId,
      now: at,
      status,
      pushback: planned.plan,
    });
    if (!won) return; // changed meanwhile (a receipt, another run): looked at again next run
    await post(delivery, steps);
    counts.pushedBack++;
  };

  let failure: unknown;
  try {
    if (!dryRun) {
      await ledger.startRun(runId, now());
      await alignDue(deps);
      for (const delivery of await ledger.unfinishedPushbacks(config.maxPerRun)) {
        const rec = await ledger.getDelivery(delivery);
        if (rec?.pushback == null || rec.state !== 'pushing-back') continue;
        await post(delivery, rec.pushback.steps);
        counts.resumed++;
      }
    }
    let after: { dueAt: Date; delivery: string } | undefined;
    while (counts.scanned < config.maxPerRun) {
      const batch = await ledger.dueDeliveries(
        now(),
        Math.min(config.batchSize, config.maxPerRun - counts.scanned),
        after,
      );
      if (batch.length === 0) break;
      await inParallel(batch, config.concurrency, (d) => consider(d.delivery));
      after = batch[batch.length - 1];
      if (!dryRun && !(await ledger.acquireLease(LEASE_NAME, runId, now(), config.lease))) {
        deps.log?.('warn', { runId }, 'sweeper: lease lost to another run; stopping');
        break;
      }
      if (batch.length < config.batchSize) break;
    }
    for (const w of await ledger.awaitingGoodsIssue(now(), AWAITING_LISTED)) {
      counts.notGoodsIssued++;
      problems.push({ delivery: w.delivery, issues: [notGoodsIssued(w.delivery, w.plannedGoodsIssueAt)] });
    }
  } catch (e) {
    failure = e;
  }
  if (!dryRun) {
    await ledger
      .finishRun(runId, now(), {
        outcome: failure === undefined ? 'done' : 'failed',
        scanned: counts.scanned,
        pushedBack: counts.pushedBack,
        postings: counts.postings,
        closed: counts.closed,
        error:
          failure === undefined
            ? null
            : String(failure instanceof Error ? failure.message : failure).slice(0, 1000),
      })
      .catch(() => undefined);
    await ledger.releaseLease(LEASE_NAME, runId).catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
  deps.log?.('info', { runId, dryRun, ...counts, problems: problems.length }, 'sweeper run finished');
  return { runId, dryRun, ...counts, previews, problems };
}
