/**
 * Custody path, the live rule: is a serial's path probable as ONE unit whose scans are sometimes
 * missed? The model (src/intelligence/integrity/custody.ts) is learned from the ledger's own
 * history — the scan miss rate, the moves per unit and day in stock, where stock leaving a site
 * goes — and stored versioned in `custody_models`; the catch-up's sweep learns a new version when
 * the newest is older than `retrainHours` (0: only `idocgate models train --custody` does), then
 * replays every serial that got new events since the last sweep and raises one alert per serial
 * whose path probability falls below `threshold` at a new event (docs/intelligence.md "custody
 * path"). Same replay as the bench's detector: the bench checks the live alerts are the same.
 */
import { z } from 'zod';
import {
  custodyLearner,
  scoreCustody,
  type CustodyAlert,
  type CustodyEvent,
  type CustodyModel,
} from '../../../intelligence/integrity/custody.js';
import { IdocgateError } from '../../../errors.js';
import { ruleSettings } from './settings.js';
import type { AlertDraft } from './types.js';

export const custodyPathSettings = ruleSettings(
  {
    /** Flag a serial once its path probability as one unit falls below this (bench: 0.003). */
    threshold: z.number().gt(0).lt(1).default(0.003),
    /**
     * Where scans are missed often (the model's learned miss rate at least `rate`), normal paths
     * have more unscanned moves, so flag only below the stricter `threshold` (chosen on seeds
     * 6-10 of bench:integrity, measured on 1-5: docs/intelligence.md).
     */
    highMiss: z
      .strictObject({
        rate: z.number().gt(0).lt(1).default(0.1),
        threshold: z.number().gt(0).lt(1).default(0.001),
      })
      .prefault({}),
    /** Learn a new model when the newest is older than this many hours; 0: never automatically. */
    retrainHours: z
      .number()
      .nonnegative()
      .max(24 * 365)
      .default(24),
    /** No automatic model before the ledger holds this many serial events. */
    minEvents: z.number().int().min(1).default(2000),
    /** Serial events looked at per sweep (the rest wait for the next one). */
    eventsPerSweep: z.number().int().min(100).max(1_000_000).default(50_000),
  },
  'warning',
);
export type CustodyPathSettings = z.output<typeof custodyPathSettings>;

/** The threshold a model scores with: the stricter one when its learned miss rate is high. */
export function custodyThreshold(
  settings: Pick<CustodyPathSettings, 'threshold' | 'highMiss'>,
  model: Pick<CustodyModel, 'miss'>,
): number {
  return model.miss >= settings.highMiss.rate ? settings.highMiss.threshold : settings.threshold;
}

export interface StoredCustodyModel {
  readonly version: number;
  readonly trainedAt: Date;
  readonly model: CustodyModel;
}

/** What the rule reads and writes (the ledger feed's transaction implements it). */
export interface CustodyPathPort {
  latestCustodyModel(): Promise<StoredCustodyModel | undefined>;
  saveCustodyModel(model: CustodyModel, trainedAt: Date, trainedBy: string, events: number): Promise<number>;
  custodyEventCount(): Promise<number>;
  /**
   * One page of the serial events dated up to `until`, by material, serial, event time and id
   * (a serial's events together, in time order): the first `limit` after the event `afterId`
   * (undefined: from the start) in that order — a keyset page, so a read of all of them holds
   * one page at a time.
   */
  custodyEventsPage(until: Date, afterId: number | undefined, limit: number): Promise<CustodyEvent[]>;
  /** Id of the last serial event the rule has scored (0: none). */
  custodyCursor(): Promise<number>;
  setCustodyCursor(eventId: number): Promise<void>;
  /**
   * The serial events after `afterId` (at most `limit`, by id) — `upTo` is the last of them —
   * and every event up to `upTo` of the serials they touch.
   */
  touchedSerialEvents(afterId: number, limit: number): Promise<{ events: CustodyEvent[]; upTo: number }>;
  /** Destination site of each delivery. */
  deliveryDestinations(deliveries: readonly string[]): Promise<Map<string, string | null>>;
}

/** Serial events per page when the model learns from the ledger. */
export const CUSTODY_LEARN_PAGE = 10_000;

/**
 * Learns the model from the ledger's events up to `until`, page by page through the one
 * learner (src/intelligence/integrity/custody.ts): memory holds a page and the model, not the
 * history. The live rule, `idocgate models train --custody` and the bench's replay use it.
 */
export async function learnCustodyFromLedger(
  port: Pick<CustodyPathPort, 'custodyEventsPage'>,
  until: Date,
  options: { readonly threshold?: number; readonly pageSize?: number } = {},
): Promise<{ readonly model: CustodyModel; readonly events: number; readonly lastEventId: number }> {
  const pageSize = options.pageSize ?? CUSTODY_LEARN_PAGE;
  const learner = custodyLearner({
    until,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
  });
  let afterId: number | undefined;
  for (;;) {
    const page = await port.custodyEventsPage(until, afterId, pageSize);
    for (const e of page) learner.add(e);
    if (page.length < pageSize) break;
    afterId = page[page.length - 1]!.id;
  }
  return { model: learner.model(), events: learner.events, lastEventId: learner.lastEventId };
}

/** Learns a model from the ledger up to `now` and stores it as a new version. */
export async function trainCustodyModel(
  port: CustodyPathPort,
  now: Date,
  options: { readonly threshold: number; readonly by: string; readonly pageSize?: number },
): Promise<StoredCustodyModel & { readonly events: number }> {
  const { model, events, lastEventId } = await learnCustodyFromLedger(port, now, options);
  if (events === 0)
    throw new IdocgateError(
      'CUSTODY_MODEL_NO_HISTORY',
      'the serial ledger holds no events to learn a custody-path model from',
    );
  const version = await port.saveCustodyModel(model, now, options.by, events);
  // a first model scores from now on: the history before it is what it learned from
  if ((await port.custodyCursor()) === 0) await port.setCustodyCursor(lastEventId);
  return { version, trainedAt: now, model, events };
}

function toDraft(
  a: CustodyAlert,
  version: number,
  threshold: number,
  severity: AlertDraft['severity'],
): AlertDraft {
  return {
    rule: 'custodyPath',
    severity,
    material: a.material,
    serial: a.serial,
    summary: a.summary,
    dedupeKey: 'path',
    evidence: {
      events: a.jumps.map((j) => ({
        eventId: j.eventId,
        messageId: j.messageId ?? null,
        at: j.at,
        site: j.to,
      })),
      details: {
        probability: a.probability,
        threshold,
        modelVersion: version,
        jumps: a.jumps.map((j) => `${j.kind} ${j.from ?? '?'} -> ${j.to}`).join(', '),
      },
    },
    at: a.at,
  };
}

/** One sweep of the rule at `now`: refresh the model when due, score the serials with new events. */
export async function sweepCustodyPath(
  port: CustodyPathPort,
  settings: CustodyPathSettings,
  now: Date,
): Promise<AlertDraft[]> {
  let current = await port.latestCustodyModel();
  const due =
    settings.retrainHours > 0 &&
    (current === undefined ||
      now.getTime() - current.trainedAt.getTime() >= settings.retrainHours * 3_600_000);
  if (due && (await port.custodyEventCount()) >= settings.minEvents)
    current = await trainCustodyModel(port, now, { threshold: settings.threshold, by: 'scheduler' });
  if (current === undefined) return [];
  const cursor = await port.custodyCursor();
  const { events, upTo } = await port.touchedSerialEvents(cursor, settings.eventsPerSweep);
  if (upTo <= cursor) return [];
  const deliveries = [
    ...new Set(events.flatMap((e) => (e.movement === 'received' && e.delivery !== null ? [e.delivery] : []))),
  ];
  const destinations = await port.deliveryDestinations(deliveries);
  const threshold = custodyThreshold(settings, current.model);
  const model = { ...current.model, threshold };
  const alerts = scoreCustody(model, events, destinations, { afterEventId: cursor });
  await port.setCustodyCursor(upTo);
  return alerts.map((a) => toDraft(a, current.version, threshold, settings.severity));
}
