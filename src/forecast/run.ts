/**
 * The forecast use case: read the serial ledger's movements through a port, build the daily
 * demand per article × site (censoring zero-stock days), forecast each series, add the article
 * totals bottom-up over its sites, and store the run through the port. No SQL, no HTTP.
 */
import { addDays, buildDemand, dayOf, toSeries, type LedgerMovement } from './demand.js';
import { forecastSeries, type SeriesForecast } from './forecast.js';

/** The article total over its sites. */
export const ALL_SITES = '*';

export interface ForecastSeriesRecord {
  readonly material: string;
  readonly site: string;
  readonly class: string;
  readonly method: string;
  readonly adi: number | null;
  readonly cv2: number | null;
  readonly params: Readonly<Record<string, number>>;
  readonly observedDays: number;
  readonly censoredDays: number;
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

export interface ForecastRunRecord {
  readonly asOf: string;
  readonly historyFrom: string;
  readonly historyTo: string;
  readonly horizon: number;
  readonly level: number;
  readonly censored: boolean;
  readonly series: readonly ForecastSeriesRecord[];
}

export interface ForecastPort {
  /** Day of the first serial event, null when the ledger is empty. */
  firstEventDay(): Promise<string | null>;
  /** Serial events before `until`, ordered by material, serial, event time, id. */
  movements(until: Date): Promise<readonly LedgerMovement[]>;
  /** Stores the run; returns its id. */
  saveRun(run: ForecastRunRecord, createdAt: Date): Promise<number>;
}

export interface ForecastRunOptions {
  /** First forecast day (default: today, UTC); history ends the day before. */
  readonly asOf?: string;
  readonly horizon?: number;
  readonly level?: number;
  /** Days of history (default 365). */
  readonly historyDays?: number;
  /** Leave zero-stock days out (default true). */
  readonly censor?: boolean;
  readonly now?: () => Date;
}

export interface ForecastRunResult {
  readonly runId: number | null;
  readonly run: ForecastRunRecord | null;
}

function record(
  material: string,
  site: string,
  f: SeriesForecast,
  censoredDays: number,
): ForecastSeriesRecord {
  const c = f.classification;
  return {
    material,
    site,
    class: c.class,
    method: f.method,
    adi: Number.isFinite(c.adi) ? c.adi : null,
    cv2: Number.isFinite(c.cv2) ? c.cv2 : null,
    params: f.params,
    observedDays: c.observedDays,
    censoredDays,
    mean: f.mean,
    lower: f.lower,
    upper: f.upper,
  };
}

/** Article totals: sums of the site forecasts; half-widths add in quadrature (independent sites). */
export function bottomUp(series: readonly ForecastSeriesRecord[], horizon: number): ForecastSeriesRecord[] {
  const byMaterial = new Map<string, ForecastSeriesRecord[]>();
  for (const s of series) {
    const l = byMaterial.get(s.material) ?? [];
    l.push(s);
    byMaterial.set(s.material, l);
  }
  const out: ForecastSeriesRecord[] = [];
  for (const [material, sites] of [...byMaterial].sort(([a], [b]) => a.localeCompare(b))) {
    const mean: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    for (let h = 0; h < horizon; h++) {
      let m = 0;
      let dl = 0;
      let du = 0;
      for (const s of sites) {
        const sm = s.mean[h] ?? 0;
        m += sm;
        dl += (sm - (s.lower[h] ?? sm)) ** 2;
        du += ((s.upper[h] ?? sm) - sm) ** 2;
      }
      mean.push(m);
      lower.push(Math.max(0, m - Math.sqrt(dl)));
      upper.push(m + Math.sqrt(du));
    }
    out.push({
      material,
      site: ALL_SITES,
      class: 'total',
      method: 'bottom-up',
      adi: null,
      cv2: null,
      params: { sites: sites.length },
      observedDays: Math.max(...sites.map((s) => s.observedDays)),
      censoredDays: 0,
      mean,
      lower,
      upper,
    });
  }
  return out;
}

export async function runForecasts(
  port: ForecastPort,
  options: ForecastRunOptions = {},
): Promise<ForecastRunResult> {
  const now = options.now ?? (() => new Date());
  const asOf = options.asOf ?? dayOf(now());
  const horizon = options.horizon ?? 28;
  const level = options.level ?? 0.9;
  const censor = options.censor ?? true;
  const first = await port.firstEventDay();
  if (first === null || first >= asOf) return { runId: null, run: null };
  const historyTo = addDays(asOf, -1);
  const earliest = addDays(asOf, -(options.historyDays ?? 365));
  const historyFrom = first > earliest ? first : earliest;
  const movements = await port.movements(new Date(`${asOf}T00:00:00Z`));
  const demand = buildDemand(movements, historyFrom, historyTo);
  const series: ForecastSeriesRecord[] = [];
  for (const d of demand) {
    const f = forecastSeries(toSeries(d, censor), { horizon, level });
    series.push(record(d.material, d.site, f, censor ? d.censored.filter(Boolean).length : 0));
  }
  const run: ForecastRunRecord = {
    asOf,
    historyFrom,
    historyTo,
    horizon,
    level,
    censored: censor,
    series: [...series, ...bottomUp(series, horizon)],
  };
  const runId = await port.saveRun(run, now());
  return { runId, run };
}
