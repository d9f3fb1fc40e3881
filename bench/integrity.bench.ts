/**
 * Serial-integrity benchmark (`npm run bench:integrity [days] [seeds] [--first=n] [--missed=r]`):
 * for each seed (default 5: 1..5) and each missed-read rate (0 % and 20 %), a simulated network (2 DCs, 8 stores) over `days`
 * (default 60) with store traffic (initial loads, transfers, repairs) and injected anomalies
 * (clones, diversions, velocity bursts; src/intelligence/simulator/integrity.ts) goes through the
 * direct path into the real serial ledger, whose event rules run as the events arrive and whose
 * sweeps run every simulated day. The custody-path rule (src/ledger/serials/rules/custody-path.ts)
 * learns its model through the ledger at 60 % of the period and runs live in the ledger's sweeps
 * from then on; `custodyPath (replay)` is the same model replayed over the final ledger by the
 * bench (src/intelligence/integrity/custody.ts) — the two must give the same alerts. Every
 * detector is measured on the last 40 %:
 *
 *   recall per anomaly kind, precision (flagged serials that carry an anomaly), median time to
 *   first alert, false alerts per 10 000 normal movements
 *
 * Baseline: the existing rules of the serial ledger in the same run. Targets (issue 14): clone
 * recall >= 0.9 without missed reads and >= 0.7 with 20 %, at precision >= 0.8 and <= 1 false
 * alert per 10 000 normal movements. Mean ± sd over the seeds with a verdict per target.
 */
import { isDeepStrictEqual } from 'node:util';
import { loadDefinitions } from '../src/definitions/load.js';
import { meanAndSpread } from '../src/intelligence/metrics.js';
import { runIntegrityEvaluation, type IntegrityRun } from '../src/wiring/sim-integrity.js';
import { simulate } from '../src/intelligence/simulator/simulate.js';
import { loadMappings } from '../src/mapping/load.js';
import { openStore } from '../src/store/open-store.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const DAYS = Number(args[0] ?? 60);
const SEEDS = Number(args[1] ?? 5);
const START = new Date('2025-01-06T00:00:00Z');
const THRESHOLDS = [1e-3, 2e-3, 1e-2];
// `--first=n`: seeds n .. n + seeds - 1 (e.g. seeds 6-10 to choose a threshold on, apart from 1-5)
const FIRST = Number(process.argv.find((a) => a.startsWith('--first='))?.slice('--first='.length) ?? 1);

const definitions = loadDefinitions();
const mappings = loadMappings(undefined, { definitions });

async function run(seed: number, missedRead: number): Promise<IntegrityRun & { seconds: number }> {
  const t0 = Date.now();
  const sim = simulate({
    seed,
    days: DAYS,
    start: START,
    network: { dcs: 2, stores: 8 },
    knobs: { deliveriesPerDcPerDay: 6, missedRead },
    integrity: {},
  });
  const store = await openStore({ dataDir: 'memory://' });
  try {
    const r = await runIntegrityEvaluation({
      store,
      sim,
      start: START,
      days: DAYS,
      definitions,
      tables: mappings.tables,
      stepHours: 24,
      thresholds: THRESHOLDS,
    });
    return { ...r, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await store.close();
  }
}

const f = (n: number | undefined, d = 2): string =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(d) : 'n/a';
const ms = (xs: readonly (number | undefined)[], d = 2): string => {
  const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (ok.length === 0) return 'n/a';
  const { mean, sd } = meanAndSpread(ok);
  return `${f(mean, d)}±${f(sd, d)}`;
};
const mean = (xs: readonly (number | undefined)[]): number => {
  const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return ok.length === 0 ? Number.NaN : meanAndSpread(ok).mean;
};

const CLONE_DETECTORS = new Set([
  'existing clone rules',
  'custodyPath',
  'custodyPath (replay)',
  'existing clone rules + custodyPath',
]);

// `--missed=0.2` runs one missed-read rate only
const only = process.argv.find((a) => a.startsWith('--missed='));
for (const missedRead of only !== undefined ? [Number(only.slice('--missed='.length))] : [0, 0.2]) {
  const runs: (IntegrityRun & { seconds: number })[] = [];
  for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
    const r = await run(seed, missedRead);
    runs.push(r);
    const c = r.figures.find((x) => x.detector === 'custodyPath');
    const e = r.figures.find((x) => x.detector === 'existing clone rules');
    console.log(
      `missed reads ${missedRead * 100} %, seed ${seed}: ${r.messages} messages, ${r.testMovements} test movements, ${r.incidents} incidents; ` +
        `learned miss rate ${f(r.model.miss, 3)}, moves/day ${f(r.model.lambdaPerDay, 4)}; clone recall custody ${f(c?.recall.clone)} / rules ${f(e?.recall.clone)}; ` +
        `live rule vs replay: ${r.agreement.live} / ${r.agreement.replay} alerts, ${r.agreement.same} the same, models ${isDeepStrictEqual(r.liveModel, r.model) ? 'equal' : 'DIFFER'}; ${f(r.seconds, 1)} s`,
    );
  }
  console.log(
    `\nserial integrity, ${missedRead * 100} % missed reads: seeds ${FIRST}-${FIRST + SEEDS - 1} x ${DAYS} days, test = last 40 % (mean±sd over seeds)`,
  );
  const w = [38, 12, 12, 12, 12, 12, 11, 12, 12];
  console.log(
    [
      'detector',
      'precision',
      'clone rec',
      'divert rec',
      'burst rec',
      'h to alert',
      'flagged',
      'false/10k',
      'verdict',
    ]
      .map((h, i) => h.padEnd(w[i]!))
      .join(''),
  );
  const names = runs[0]?.figures.map((x) => x.detector) ?? [];
  for (const name of names) {
    const of = runs.map((r) => r.figures.find((x) => x.detector === name)!);
    const precision = of.map((x) => x.precision);
    const clone = of.map((x) => x.recall.clone);
    const per10k = of.map((x) => x.falseAlertsPer10k);
    // hours to the first alert on the first kind this detector finds (clone, diversion, burst)
    const hours = of.map((x) =>
      [x.hoursToAlert.clone, x.hoursToAlert.diversion, x.hoursToAlert.velocity].find(
        (h) => h !== undefined && Number.isFinite(h),
      ),
    );
    let verdict = '-';
    if (CLONE_DETECTORS.has(name)) {
      const target = missedRead === 0 ? 0.9 : 0.7;
      const failed = [
        ...(mean(clone) >= target ? [] : [`recall < ${target}`]),
        ...(mean(precision) >= 0.8 ? [] : ['precision < 0.8']),
        ...(mean(per10k) <= 1 ? [] : ['> 1 false / 10k']),
      ];
      verdict = failed.length === 0 ? `PASS (clone >= ${target})` : `FAIL: ${failed.join(', ')}`;
    }
    console.log(
      [
        name,
        ms(precision),
        ms(clone),
        ms(of.map((x) => x.recall.diversion)),
        ms(of.map((x) => x.recall.velocity)),
        ms(hours, 0),
        ms(
          of.map((x) => x.flagged),
          0,
        ),
        ms(per10k),
        verdict,
      ]
        .map((v, i) => v.padEnd(w[i]!))
        .join(''),
    );
  }
  const agree = runs.every(
    (r) => r.agreement.live === r.agreement.replay && r.agreement.same === r.agreement.live,
  );
  console.log(
    `live custodyPath rule vs bench replay: ${runs.reduce((a, r) => a + r.agreement.same, 0)} of ${runs.reduce((a, r) => a + r.agreement.live, 0)} live / ${runs.reduce((a, r) => a + r.agreement.replay, 0)} replay alerts the same: ${agree ? 'PASS (same figures)' : 'FAIL'}`,
  );
  console.log(
    `normal test movements per run: ${ms(
      runs.map((r) => r.normalTestMovements),
      0,
    )}; injected incidents in the test period: ${ms(
      runs.map((r) => r.incidents),
      0,
    )}\n`,
  );
}
