/**
 * Features of the at-risk score, each computed from what was known at the delivery's goods issue
 * (docs/intelligence.md "Features"): the partial-receipt history of its lane, DC, store and carrier counts
 * only deliveries whose outcome was known by then (due date <= this goods issue); everything else
 * is on the announcement and the DC's confirmations up to the goods issue. The outcome of the
 * delivery itself (its receipts) is only read for the label.
 */
import { isPartial, type DeliveryFacts } from './types.js';

export const FEATURE_NAMES = [
  'lane_partial_rate',
  'dc_partial_rate',
  'store_partial_rate',
  'lane_history',
  'log_quantity',
  'lines',
  'handling_units',
  'loose_share',
  'pick_to_issue_hours',
  'rushed_pick',
  'dc_reported_serials',
  'dc_confirmed_shortfall',
  'lane_expected_hu_loss',
  'store_scan_loss_rate',
  'dc_shortfall_rate',
  'announced_quantity_gap',
  // appended: a stored model trained before them reads the features before them unchanged
  'carrier_partial_rate',
  'carrier_expected_hu_loss',
  'carrier_history',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface FeatureRow {
  readonly delivery: string;
  readonly at: Date;
  readonly dueAt: Date;
  readonly lane: string;
  readonly x: readonly number[];
  readonly label: 0 | 1;
  /** Baseline: the lane's smoothed historical partial rate as of the goods issue. */
  readonly laneRate: number;
}

interface Tally {
  n: number;
  partial: number;
}
const LANE_PRIOR = 5;
const SITE_PRIOR = 10;
const logit = (p: number): number => Math.log(p / (1 - p));
const clamp = (p: number): number => Math.min(1 - 1e-6, Math.max(1e-6, p));
const smoothed = (t: Tally | undefined, prior: number, strength: number): number =>
  ((t?.partial ?? 0) + strength * prior) / ((t?.n ?? 0) + strength);

/**
 * Feature rows for `targets` (default: all facts) from the history in `facts`. Sorted by goods
 * issue; O(n log n): outcomes enter the tallies in due-date order as the goods issues pass them.
 */
export function buildFeatures(facts: readonly DeliveryFacts[], targets?: ReadonlySet<string>): FeatureRow[] {
  const byGi = [...facts].sort(
    (a, b) => a.goodsIssueAt.getTime() - b.goodsIssueAt.getTime() || a.delivery.localeCompare(b.delivery),
  );
  const byDue = [...facts].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const lanes = new Map<string, Tally>();
  const dcs = new Map<string, Tally>();
  const stores = new Map<string, Tally>();
  const global: Tally = { n: 0, partial: 0 };
  // handling units sent / lost on each lane; deliveries short without a whole HU lost, per store;
  // deliveries the DC confirmed short, per DC (known at their own goods issue)
  const laneHus = new Map<string, Tally>();
  const globalHus: Tally = { n: 0, partial: 0 };
  const storeScan = new Map<string, Tally>();
  const globalScan: Tally = { n: 0, partial: 0 };
  const dcShort = new Map<string, Tally>();
  const globalShort: Tally = { n: 0, partial: 0 };
  // per carrier (a delivery without one counts in no carrier's history): deliveries partial,
  // handling units sent / lost
  const carriers = new Map<string, Tally>();
  const carrierHus = new Map<string, Tally>();
  const allCarrierHus: Tally = { n: 0, partial: 0 };
  const bump = (m: Map<string, Tally> | undefined, g: Tally, k: string, n: number, hits: number): void => {
    g.n += n;
    g.partial += hits;
    if (m === undefined) return;
    const t = m.get(k) ?? { n: 0, partial: 0 };
    t.n += n;
    t.partial += hits;
    m.set(k, t);
  };
  const add = (m: Map<string, Tally>, k: string, p: boolean): void => {
    const t = m.get(k) ?? { n: 0, partial: 0 };
    t.n++;
    if (p) t.partial++;
    m.set(k, t);
  };
  let j = 0;
  const out: FeatureRow[] = [];
  for (const f of byGi) {
    const t = f.goodsIssueAt.getTime();
    while (j < byDue.length && byDue[j]!.dueAt.getTime() <= t) {
      const h = byDue[j++]!;
      const p = isPartial(h);
      global.n++;
      if (p) global.partial++;
      add(lanes, `${h.originSite}>${h.destinationSite}`, p);
      add(dcs, h.originSite, p);
      add(stores, h.destinationSite, p);
      const hl = `${h.originSite}>${h.destinationSite}`;
      bump(laneHus, globalHus, hl, h.handlingUnits, h.handlingUnitsMissingByDue);
      bump(storeScan, globalScan, h.destinationSite, 1, p && h.handlingUnitsMissingByDue === 0 ? 1 : 0);
      if (h.carrier !== null) {
        add(carriers, h.carrier, p);
        bump(carrierHus, allCarrierHus, h.carrier, h.handlingUnits, h.handlingUnitsMissingByDue);
      }
    }
    const shortRate = smoothed(
      dcShort.get(f.originSite),
      (globalShort.partial + 1) / (globalShort.n + 2),
      SITE_PRIOR,
    );
    if (f.dcConfirmedSerials > 0)
      bump(dcShort, globalShort, f.originSite, 1, f.serials > f.dcConfirmedSerials ? 1 : 0);
    if (targets !== undefined && !targets.has(f.delivery)) continue;
    const lane = `${f.originSite}>${f.destinationSite}`;
    const prior = (global.partial + 1) / (global.n + 2);
    const laneRate = smoothed(lanes.get(lane), prior, LANE_PRIOR);
    const gapHours = f.pickedAt === null ? 0 : Math.max(0, (t - f.pickedAt.getTime()) / 3_600_000);
    const reported = f.dcConfirmedSerials > 0;
    const huPrior = (globalHus.partial + 1) / (globalHus.n + 2);
    const huRate = smoothed(laneHus.get(lane), huPrior, LANE_PRIOR * 3);
    const carrierKey = f.carrier ?? undefined;
    const carrierRate = smoothed(
      carrierKey === undefined ? undefined : carriers.get(carrierKey),
      prior,
      SITE_PRIOR,
    );
    const carrierHuRate = smoothed(
      carrierKey === undefined ? undefined : carrierHus.get(carrierKey),
      huPrior,
      SITE_PRIOR * 3,
    );
    const x = [
      logit(laneRate),
      logit(smoothed(dcs.get(f.originSite), prior, SITE_PRIOR)),
      logit(smoothed(stores.get(f.destinationSite), prior, SITE_PRIOR)),
      Math.log1p(lanes.get(lane)?.n ?? 0),
      Math.log1p(f.expectedQuantity),
      f.lines,
      f.handlingUnits,
      f.serials > 0 ? f.looseSerials / f.serials : 0,
      Math.log1p(gapHours),
      f.pickedAt !== null && gapHours < 2 ? 1 : 0,
      reported ? 1 : 0,
      reported ? Math.max(0, f.serials - f.dcConfirmedSerials) : 0,
      logit(clamp(1 - (1 - huRate) ** Math.max(1, f.handlingUnits))),
      logit(
        smoothed(storeScan.get(f.destinationSite), (globalScan.partial + 1) / (globalScan.n + 2), SITE_PRIOR),
      ),
      reported ? 0 : logit(shortRate),
      Math.min(f.unserializedQuantity, 5),
      logit(carrierRate),
      logit(clamp(1 - (1 - carrierHuRate) ** Math.max(1, f.handlingUnits))),
      Math.log1p(carrierKey === undefined ? 0 : (carriers.get(carrierKey)?.n ?? 0)),
    ];
    out.push({
      delivery: f.delivery,
      at: f.goodsIssueAt,
      dueAt: f.dueAt,
      lane,
      x,
      label: isPartial(f) ? 1 : 0,
      laneRate,
    });
  }
  return out;
}
