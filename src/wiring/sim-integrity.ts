/**
 * The serial-integrity evaluation on a simulation (bench and CI test): the simulator's messages
 * (with store traffic and injected anomalies) are stored through the direct path in time order
 * and the real serial ledger catches up every `stepHours` of simulated time with its clock at
 * that time (so its event rules see the events as they come and its sweep rules — never
 * received, frequency — run as the scheduler would run them). Then the custody-path model is
 * learned from the ledger up to the split and scores the rest; both are measured against the
 * simulator's truth over the test period (./integrity/evaluate.ts).
 */
import type { DefinitionRegistry } from '../definitions/registry.js';
import type { LookupTable } from '../mapping/types.js';
import { custodyPathPort, latestCustodyModel } from '../store/serials/custody-models.js';
import {
  custodyPathSettings,
  custodyThreshold,
  learnCustodyFromLedger,
} from '../ledger/serials/rules/custody-path.js';
import {
  loadCustodyEvents,
  loadDeliveryDestinations,
  loadSerialAlerts,
} from '../store/analytics/intelligence-repo.js';
import type { OpenedStore } from '../store/open-store.js';
import { scoreCustody, type CustodyModel } from '../intelligence/integrity/custody.js';
import {
  evaluateDetectors,
  type DetectorAlert,
  type DetectorFigures,
} from '../intelligence/integrity/evaluate.js';
import { openSimLedgers, simTables } from './sim-ledgers.js';
import { storeDirect } from '../intelligence/simulator/direct.js';
import { toGatewayMessage } from '../intelligence/simulator/payloads.js';
import type { Simulation } from '../intelligence/simulator/simulate.js';

/** The existing rules that say "this serial is in two places" (a clone's signature). */
export const CLONE_RULES = ['twoPlaces', 'receivedTwice', 'activeAfterFinal', 'impossibleTransit'] as const;

export const DETECTORS: readonly { readonly name: string; readonly matches: (d: string) => boolean }[] = [
  { name: 'twoPlaces', matches: (d) => d === 'twoPlaces' },
  { name: 'receivedTwice', matches: (d) => d === 'receivedTwice' },
  { name: 'activeAfterFinal', matches: (d) => d === 'activeAfterFinal' },
  { name: 'neverReceived', matches: (d) => d === 'neverReceived' },
  { name: 'frequency', matches: (d) => d === 'frequency' },
  { name: 'vendorOverdue', matches: (d) => d === 'vendorOverdue' },
  { name: 'existing clone rules', matches: (d) => (CLONE_RULES as readonly string[]).includes(d) },
  // the live rule of the serial ledger (its alerts in serial_alerts) and the bench's replay of
  // the same model over the whole history afterwards: the two must agree
  { name: 'custodyPath', matches: (d) => d === 'custodyPath' },
  { name: 'custodyPath (replay)', matches: (d) => d === 'custodyPath (replay)' },
  {
    name: 'existing clone rules + custodyPath',
    matches: (d) => d === 'custodyPath' || (CLONE_RULES as readonly string[]).includes(d),
  },
  { name: 'existing rules (all)', matches: (d) => !d.startsWith('custodyPath') },
];

export interface IntegrityRun {
  readonly figures: readonly DetectorFigures[];
  /** The model the bench's replay learned (from the final ledger, up to the split). */
  readonly model: CustodyModel;
  /** The model the live rule learned at the split (custody_models), and its version. */
  readonly liveModel: CustodyModel;
  /** Live rule vs replay: alerts of each, and those on the same serial at the same event. */
  readonly agreement: { readonly live: number; readonly replay: number; readonly same: number };
  readonly incidents: number;
  readonly testMovements: number;
  readonly normalTestMovements: number;
  readonly messages: number;
}

export async function runIntegrityEvaluation(options: {
  readonly store: OpenedStore;
  readonly sim: Simulation;
  readonly start: Date;
  readonly days: number;
  readonly definitions: DefinitionRegistry;
  readonly tables: ReadonlyMap<string, LookupTable>;
  /** Share of the period the custody model learns from; the rest is the test period. */
  readonly split?: number;
  readonly stepHours?: number;
  /** Custody-path thresholds to report besides the model's default (detector `custodyPath@<t>`). */
  readonly thresholds?: readonly number[];
}): Promise<IntegrityRun> {
  const { store, sim } = options;
  const integrity = sim.integrity;
  if (integrity === undefined)
    throw new Error('the simulation has no integrity part (simulate({ integrity }))');
  const stepMs = (options.stepHours ?? 12) * 3_600_000;
  let clock = options.start.getTime();
  const splitAt = new Date(options.start.getTime() + (options.split ?? 0.6) * options.days * 86_400_000);
  const ledgers = await openSimLedgers({
    store,
    network: sim.network,
    definitions: options.definitions,
    tables: simTables(sim.network, options.tables),
    batchSize: 2000,
    now: () => clock,
    // the custody-path rule learns its model once, at the split (as `models train --custody`)
    rules: { custodyPath: { retrainHours: 0 } },
  });
  // one tick applies up to 20 batches of 2 000 messages, then runs the sweeps once
  const catchUp = async (): Promise<void> => {
    for (let i = 0; i < 100_000; i++) {
      const r = (await ledgers.serials.catchUp()) as { readonly messages?: number };
      if ((r.messages ?? 0) < 40_000) break;
    }
  };
  const end = options.start.getTime() + options.days * 86_400_000;
  let i = 0;
  const events = sim.events;
  let trained = false;
  try {
    for (let t = options.start.getTime() + stepMs; t <= end + stepMs; t += stepMs) {
      if (!trained && t > splitAt.getTime()) {
        // everything before the split into the ledger, then the rule learns from it
        while (i < events.length && events[i]!.at.getTime() < splitAt.getTime())
          await storeDirect(store, toGatewayMessage(events[i++]!));
        clock = splitAt.getTime();
        await catchUp();
        await ledgers.serials.trainCustody('bench');
        trained = true;
      }
      while (i < events.length && events[i]!.at.getTime() < t)
        await storeDirect(store, toGatewayMessage(events[i++]!));
      clock = t;
      await catchUp();
    }
  } finally {
    await ledgers.close();
  }

  const all = await loadCustodyEvents(store.db);
  const destinations = await loadDeliveryDestinations(store.db);
  // the live rule's learner and paged read, over the final ledger (events after the split skipped)
  const { model } = await learnCustodyFromLedger(
    custodyPathPort(store.db, () => splitAt),
    splitAt,
  );
  const live = await latestCustodyModel(store.db);
  if (live === undefined) throw new Error('the custody-path rule learned no model at the split');
  // the threshold the live rule scores with (its default settings): stricter at a high miss rate
  const threshold = custodyThreshold(custodyPathSettings.parse({}), model);
  const custody = scoreCustody({ ...model, threshold }, all, destinations, { from: splitAt });
  const extra = (options.thresholds ?? []).flatMap((threshold) =>
    scoreCustody({ ...model, threshold }, all, destinations, { from: splitAt }).map((a) => ({
      detector: `custodyPath@${threshold}`,
      material: a.material,
      serial: a.serial,
      at: a.at,
    })),
  );
  const alerts: DetectorAlert[] = [
    ...(await loadSerialAlerts(store.db)).map((a) => ({
      detector: a.rule,
      material: a.material,
      serial: a.serial,
      at: a.at,
    })),
    ...custody.map((a) => ({
      detector: 'custodyPath (replay)',
      material: a.material,
      serial: a.serial,
      at: a.at,
    })),
    ...extra,
  ];
  const movements = new Map<string, number>();
  let testMovements = 0;
  for (const e of all) {
    if (e.eventTime.getTime() < splitAt.getTime() || e.eventTime.getTime() > end) continue;
    const k = `${e.material}\u0000${e.serial}`;
    movements.set(k, (movements.get(k) ?? 0) + 1);
    testMovements++;
  }
  const materialOf = new Map<string, string>();
  for (const e of all) materialOf.set(e.serial, e.material);
  const lost = new Set<string>();
  for (const t of sim.truth)
    for (const m of t.missing)
      if (m.location !== 'store') lost.add(`${materialOf.get(m.serial) ?? m.material}\u0000${m.serial}`);
  const incidents = integrity.incidents.map((x) => ({
    ...x,
    material: materialOf.get(x.serial) ?? x.material,
  }));
  const figures = evaluateDetectors({
    detectors: [
      ...DETECTORS,
      ...(options.thresholds ?? []).map((t) => ({
        name: `custodyPath@${t}`,
        matches: (d: string) => d === `custodyPath@${t}`,
      })),
    ],
    alerts: alerts.filter((a) => a.at.getTime() <= end),
    incidents,
    movements,
    lost,
    from: splitAt,
  });
  const incidentKeys = new Set(incidents.map((x) => `${x.material}\u0000${x.serial}`));
  let normal = 0;
  for (const [k, n] of movements) if (!incidentKeys.has(k) && !lost.has(k)) normal += n;
  const liveAlerts = alerts.filter((a) => a.detector === 'custodyPath');
  const replayKeys = new Set(custody.map((a) => `${a.material}\u0000${a.serial}\u0000${a.at.getTime()}`));
  return {
    figures,
    model,
    liveModel: live.model,
    agreement: {
      live: liveAlerts.length,
      replay: custody.length,
      same: liveAlerts.filter((a) => replayKeys.has(`${a.material}\u0000${a.serial}\u0000${a.at.getTime()}`))
        .length,
    },
    incidents: incidents.filter((x) => x.at >= splitAt).length,
    testMovements,
    normalTestMovements: normal,
    messages: events.length,
  };
}
