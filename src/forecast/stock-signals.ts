/**
 * The stock-signal use case: the latest forecast run per article × site, the stock the serial
 * ledger sees now and the measured lead times into each site, turned into order-up-to levels,
 * projected stock-outs and overstock (src/forecast/signals.ts). Ports only.
 */
import { ALL_SITES, ARTICLE_METHOD } from './run.js';
import {
  leadTimes,
  stockProjection,
  stockSignal,
  type LeadTime,
  type LeadTimeSample,
  type ProjectionDay,
  type SignalOptions,
  type StockSignal,
} from './signals.js';

export interface StockPosition {
  readonly material: string;
  readonly site: string;
  readonly onHand: number;
  readonly inTransit: number;
}

export interface ForecastDay {
  readonly material: string;
  readonly site: string;
  readonly day: string;
  readonly mean: number;
  readonly upper: number;
  /** `bottom-up-variants`: an article's sum over its variants (no stock of its own: skipped). */
  readonly method?: string;
}

export interface StockSignalPort {
  leadTimeSamples(): Promise<readonly LeadTimeSample[]>;
  positions(filter: { material?: string; site?: string }): Promise<readonly StockPosition[]>;
  /** Days of the latest forecast run, ordered by material, site, day. */
  forecasts(filter: { article?: string; site?: string }): Promise<readonly ForecastDay[]>;
}

export interface StockSignalsResult {
  readonly asOf: string | null;
  readonly leadTimes: readonly LeadTime[];
  readonly signals: readonly StockSignal[];
}

/** What the lead time into each site is: the slowest p90 of the lanes that end there. */
function leadTimeInto(lanes: readonly LeadTime[]): Map<string, number> {
  const into = new Map<string, number>();
  for (const l of lanes) into.set(l.destSite, Math.max(into.get(l.destSite) ?? 0, l.p90Days));
  return into;
}

export interface StockProjectionResult {
  readonly signal: StockSignal;
  readonly days: readonly ProjectionDay[];
}

/**
 * One article at one site: its stock signal and the day-by-day projection behind it (latest
 * forecast run). Null when the latest run has no forecast for the pair.
 */
export async function computeStockProjection(
  port: StockSignalPort,
  material: string,
  site: string,
  options: SignalOptions = {},
): Promise<StockProjectionResult | null> {
  const days = (await port.forecasts({ article: material, site })).filter(
    (d) => d.material === material && d.site === site,
  );
  const first = days[0];
  if (first === undefined || site === ALL_SITES || first.method === ARTICLE_METHOD) return null;
  const into = leadTimeInto(leadTimes(await port.leadTimeSamples()));
  const p = (await port.positions({ material, site }))[0];
  const input = {
    material,
    site,
    asOf: first.day,
    mean: days.map((d) => d.mean),
    upper: days.map((d) => d.upper),
    onHand: p?.onHand ?? 0,
    inTransit: p?.inTransit ?? 0,
    leadTimeDays: into.get(site) ?? null,
  };
  return { signal: stockSignal(input, options), days: stockProjection(input) };
}

export async function computeStockSignals(
  port: StockSignalPort,
  filter: { material?: string; site?: string } = {},
  options: SignalOptions = {},
): Promise<StockSignalsResult> {
  const lanes = leadTimes(await port.leadTimeSamples());
  const into = leadTimeInto(lanes);
  const days = await port.forecasts({
    ...(filter.material !== undefined ? { article: filter.material } : {}),
    ...(filter.site !== undefined ? { site: filter.site } : {}),
  });
  const series = new Map<
    string,
    { material: string; site: string; asOf: string; mean: number[]; upper: number[] }
  >();
  for (const d of days) {
    if (d.site === ALL_SITES || d.method === ARTICLE_METHOD) continue;
    const k = `${d.material}\u0000${d.site}`;
    const s = series.get(k) ?? { material: d.material, site: d.site, asOf: d.day, mean: [], upper: [] };
    s.mean.push(d.mean);
    s.upper.push(d.upper);
    series.set(k, s);
  }
  const positions = new Map<string, StockPosition>();
  for (const p of await port.positions(filter)) positions.set(`${p.material}\u0000${p.site}`, p);
  const signals: StockSignal[] = [];
  let asOf: string | null = null;
  for (const [k, s] of series) {
    asOf ??= s.asOf;
    const p = positions.get(k);
    signals.push(
      stockSignal(
        {
          material: s.material,
          site: s.site,
          asOf: s.asOf,
          mean: s.mean,
          upper: s.upper,
          onHand: p?.onHand ?? 0,
          inTransit: p?.inTransit ?? 0,
          leadTimeDays: into.get(s.site) ?? null,
        },
        options,
      ),
    );
  }
  return { asOf, leadTimes: lanes, signals };
}
