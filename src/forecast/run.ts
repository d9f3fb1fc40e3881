/**
 * The forecast use case: read the serial ledger's movements through a port, build the daily
 * demand per article × site (censoring zero-stock days), forecast each series, add the article
 * totals bottom-up over its sites, and store the run through the port. No SQL, no HTTP.
 */
import { addDays, buildDemand, dayOf, toSeries, type LedgerMovement } from './demand.js';
import { IdocgateError } from '../errors.js';
import { normalizeKey } from '../ledger/serials/types.js';
import { forecastSeries, type SeriesForecast } from './forecast.js';
import { weeklySeries, weeksAhead } from './weekly.js';

/** Season of a weekly series: a year of weeks (fitted only with two years of observed weeks). */
export const WEEKLY_PERIOD = 52;
/** Weeks at the start of a weekly series left out of its interval's residuals. */
export const WEEKLY_WARM_UP = 4;

/** The article total over its sites. */
export const ALL_SITES = '*';

/** Method of an article's sums over its variants (src/forecast/run.ts reconcile). */
export const ARTICLE_METHOD = 'bottom-up-variants';

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
  /** Daily series: mean, lower, upper per day from the as-of day. */
  readonly series: readonly ForecastSeriesRecord[];
  /**
   * Weekly series, fitted on 7-day buckets of the same history (src/forecast/weekly.ts): one
   * value per week from the as-of day, `ceil(horizon / 7)` weeks; observedDays and censoredDays
   * count weeks here.
   */
  readonly weekly: readonly ForecastSeriesRecord[];
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
  /** Article → variants for the bottom-up totals (default: none, each material its own article). */
  readonly articles?: ArticleVariants;
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

/**
 * The sum of forecast series: means add, interval half-widths add in quadrature (the parts taken
 * as independent), the lower bound clipped at 0.
 */
function sumSeries(
  parts: readonly ForecastSeriesRecord[],
  material: string,
  site: string,
  method: string,
  params: Readonly<Record<string, number>>,
  horizon: number,
): ForecastSeriesRecord {
  const mean: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let h = 0; h < horizon; h++) {
    let m = 0;
    let dl = 0;
    let du = 0;
    for (const s of parts) {
      const sm = s.mean[h] ?? 0;
      m += sm;
      dl += (sm - (s.lower[h] ?? sm)) ** 2;
      du += ((s.upper[h] ?? sm) - sm) ** 2;
    }
    mean.push(m);
    lower.push(Math.max(0, m - Math.sqrt(dl)));
    upper.push(m + Math.sqrt(du));
  }
  return {
    material,
    site,
    class: 'total',
    method,
    adi: null,
    cv2: null,
    params,
    observedDays: Math.max(0, ...parts.map((s) => s.observedDays)),
    censoredDays: 0,
    mean,
    lower,
    upper,
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const l = out.get(k) ?? [];
    l.push(t);
    out.set(k, l);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** Article totals: sums of the site forecasts; half-widths add in quadrature (independent sites). */
export function bottomUp(series: readonly ForecastSeriesRecord[], horizon: number): ForecastSeriesRecord[] {
  return [...groupBy(series, (s) => s.material)].map(([material, sites]) =>
    sumSeries(sites, material, ALL_SITES, 'bottom-up', { sites: sites.length }, horizon),
  );
}

/** Article → its variants (materials), e.g. SAP Retail's generic article and its variants. */
export type ArticleVariants = Readonly<Record<string, readonly string[]>>;

/** The variants' material numbers as the ledger keeps them (leading zeros of all-digit numbers off). */
export function normalizedArticles(articles: ArticleVariants): ArticleVariants {
  return Object.fromEntries(Object.entries(articles).map(([a, vs]) => [a, vs.map((v) => normalizeKey(v))]));
}

/**
 * Bottom-up over article → variant → site, from the variant × site forecasts: each variant over
 * its sites (site `*`, method `bottom-up`), each article at each site over its variants there
 * (method `bottom-up-variants`), and each article over all its variants and sites (site `*`,
 * method `bottom-up-variants`). Every level is a sum of the level below it, so they add up. A
 * material listed under no article is its own article (only its `*` total). An article named
 * like a material, or a variant under two articles, is refused.
 */
export function reconcile(
  base: readonly ForecastSeriesRecord[],
  articles: ArticleVariants,
  horizon: number,
): ForecastSeriesRecord[] {
  const articleOf = new Map<string, string>();
  const materials = new Set(base.map((s) => s.material));
  for (const [article, variants] of Object.entries(articles)) {
    if (materials.has(article))
      throw new IdocgateError(
        'CONFIG_INVALID',
        `article ${article} has the number of a material with demand: name it apart`,
      );
    for (const v of variants) {
      const other = articleOf.get(v);
      if (other !== undefined && other !== article)
        throw new IdocgateError(
          'CONFIG_INVALID',
          `variant ${v} is listed under articles ${other} and ${article}`,
        );
      articleOf.set(v, article);
    }
  }
  const out = bottomUp(base, horizon);
  const withArticle = base.filter((s) => articleOf.has(s.material));
  for (const [article, parts] of groupBy(withArticle, (s) => articleOf.get(s.material) ?? '')) {
    const variants = new Set(parts.map((s) => s.material)).size;
    for (const [site, here] of groupBy(parts, (s) => s.site))
      out.push(sumSeries(here, article, site, ARTICLE_METHOD, { variants: here.length }, horizon));
    out.push(
      sumSeries(
        parts,
        article,
        ALL_SITES,
        ARTICLE_METHOD,
        { variants, sites: new Set(parts.map((s) => s.site)).size },
        horizon,
      ),
    );
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
  const weekly: ForecastSeriesRecord[] = [];
  const weeks = weeksAhead(horizon);
  for (const d of demand) {
    const daily = toSeries(d, censor);
    const f = forecastSeries(daily, { horizon, level });
    series.push(record(d.material, d.site, f, censor ? d.censored.filter(Boolean).length : 0));
    const w = weeklySeries(daily);
    if (w.series.length === 0) continue;
    const wf = forecastSeries(w.series, {
      horizon: weeks,
      level,
      period: WEEKLY_PERIOD,
      warmUp: WEEKLY_WARM_UP,
    });
    weekly.push(record(d.material, d.site, wf, w.censoredWeeks));
  }
  const articles = options.articles ?? {};
  const run: ForecastRunRecord = {
    asOf,
    historyFrom,
    historyTo,
    horizon,
    level,
    censored: censor,
    series: [...series, ...reconcile(series, articles, horizon)],
    weekly: [...weekly, ...reconcile(weekly, articles, weeks)],
  };
  const runId = await port.saveRun(run, now());
  return { runId, run };
}
