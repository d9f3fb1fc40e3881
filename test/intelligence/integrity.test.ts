/**
 * Serial integrity measured, CI-sized (the bench: `npm run bench:integrity`): a simulated
 * network with store traffic and injected clones, diversions and velocity bursts goes through
 * the direct path into the real serial ledger (its rules run as events arrive, its sweeps every
 * simulated day); the custody-path rule learns its model from the first part (through the
 * ledger, stored in custody_models) and scores the rest as a live rule, its alerts compared with
 * the bench's replay of the same model.
 * Loose thresholds on a fixed seed that still fail a broken rule or a broken model.
 */
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../src/definitions/load.js';
import { runIntegrityEvaluation, type IntegrityRun } from '../../src/wiring/sim-integrity.js';
import { toGatewayMessage } from '../../src/intelligence/simulator/payloads.js';
import { simulate } from '../../src/intelligence/simulator/simulate.js';
import { loadMappings } from '../../src/mapping/load.js';
import { openStore } from '../../src/store/open-store.js';

const definitions = loadDefinitions();
const mappings = loadMappings(undefined, { definitions });
const START = new Date('2025-01-06T00:00:00Z');
const DAYS = 28;

function sim(missedRead: number): ReturnType<typeof simulate> {
  return simulate({
    seed: 11,
    days: DAYS,
    start: START,
    network: { dcs: 2, stores: 6 },
    knobs: { deliveriesPerDcPerDay: 3, missedRead },
    integrity: { clones: 30, diversions: 12, velocityBursts: 10, initialStockPerStore: 20 },
  });
}

async function evaluate(missedRead: number): Promise<IntegrityRun> {
  const store = await openStore({ dataDir: 'memory://' });
  try {
    return await runIntegrityEvaluation({
      store,
      sim: sim(missedRead),
      start: START,
      days: DAYS,
      definitions,
      tables: mappings.tables,
      split: 0.4,
      stepHours: 24,
    });
  } finally {
    await store.close();
  }
}

const figure = (run: IntegrityRun, detector: string) => {
  const f = run.figures.find((x) => x.detector === detector);
  if (f === undefined) throw new Error(`no figures for ${detector}`);
  return f;
};

describe('serial integrity on the simulator', () => {
  it('no message carries an integrity label; every anomaly kind is injected', () => {
    const s = sim(0.2);
    const text = JSON.stringify(s.events.map(toGatewayMessage));
    for (const word of ['clone', 'diversion', 'velocity', 'incident', 'observedScans'])
      expect(text.toLowerCase()).not.toContain(word.toLowerCase());
    const kinds = new Set(s.integrity?.incidents.map((i) => i.kind));
    expect([...kinds].sort()).toEqual(['clone', 'diversion', 'velocity']);
    const moves = new Set(s.events.flatMap((e) => (e.kind === 'scan' ? [e.move.kind] : [])));
    for (const k of ['initial-stock', 'transfer-site', 'vendor-repair-out', 'vendor-repair-return'])
      expect(moves.has(k as never), k).toBe(true);
  });

  it('without missed reads the existing rules find the clones and bursts, the custody path the diversions', async () => {
    const run = await evaluate(0);
    expect(run.incidents).toBeGreaterThan(15);
    const rules = figure(run, 'existing clone rules');
    expect(rules.recall.clone).toBeGreaterThanOrEqual(0.8);
    expect(rules.precision).toBeGreaterThanOrEqual(0.8);
    expect(figure(run, 'frequency').recall.velocity).toBeGreaterThanOrEqual(0.7);
    const custody = figure(run, 'custodyPath');
    expect(custody.recall.diversion).toBeGreaterThanOrEqual(0.7);
    expect(custody.falseAlertsPer10k).toBeLessThanOrEqual(3);
    // no existing rule sees a delivery received at the wrong store
    expect(figure(run, 'existing rules (all)').recall.diversion ?? 0).toBeLessThan(0.3);
    // the live rule of the serial ledger (trained at the split through the ledger) raises the
    // alerts the bench's replay of its model finds, on the same serials at the same events
    expect(run.agreement.live).toBeGreaterThan(10);
    expect(run.agreement).toEqual({
      live: run.agreement.replay,
      replay: run.agreement.replay,
      same: run.agreement.replay,
    });
    expect(run.liveModel).toEqual(run.model);
    const combined = figure(run, 'existing clone rules + custodyPath');
    expect(combined.recall.clone).toBeGreaterThanOrEqual(0.8);
    expect(combined.precision).toBeGreaterThanOrEqual(0.8);
  }, 120_000);

  it('with 20 % missed reads the custody path keeps clone recall, at a precision no lower than the two-places rule', async () => {
    const run = await evaluate(0.2);
    expect(run.model.miss).toBeGreaterThan(0.12);
    const custody = figure(run, 'custodyPath');
    expect(run.agreement.same).toBe(run.agreement.live);
    expect(run.agreement.live).toBe(run.agreement.replay);
    const twoPlaces = figure(run, 'twoPlaces');
    expect(custody.recall.clone).toBeGreaterThanOrEqual(0.55);
    expect(custody.recall.diversion).toBeGreaterThanOrEqual(0.5);
    expect(custody.precision).toBeGreaterThanOrEqual(0.75);
    // loose: a CI-sized run has ~3 000 normal test movements (the bench measures <= 1 / 10k)
    expect(custody.falseAlertsPer10k).toBeLessThanOrEqual(10);
    // the two-places rule finds clones too, but alerts on missed transfer scans that later
    // activity exposes (the bench's 5 seeds: precision 0.55, 27 false alerts per 10k against the
    // custody path's 0.98 and < 1), and it cannot see a diversion
    expect(custody.precision).toBeGreaterThanOrEqual(twoPlaces.precision ?? 0);
    expect(custody.falseAlertsPer10k).toBeLessThanOrEqual(twoPlaces.falseAlertsPer10k);
    expect(twoPlaces.recall.diversion ?? 0).toBeLessThan(0.3);
    // and missed receipts make never-received alert on serials sitting in the store
    expect(figure(run, 'neverReceived').falseAlertsPer10k).toBeGreaterThan(10);
  }, 120_000);
});
