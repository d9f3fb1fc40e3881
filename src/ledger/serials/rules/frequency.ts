/**
 * Movement frequency far above the population: per material, the number of movements of each
 * serial in the last `windowDays`, scored with the robust (modified) z-score
 * z = 0.6745 (x - median) / MAD (Iglewicz & Hoaglin). When MAD is 0 (most serials move equally
 * often) the mean absolute deviation is used instead: z = (x - median) / (1.253314 MeanAD); the
 * scale never goes below one movement.
 * A serial is flagged when z > threshold and x >= minEvents, among at least minPopulation
 * serials of the material. Statistical: no fixed count is an anomaly by itself.
 */
import { z } from 'zod';
import { ruleSettings } from './settings.js';
import type { AlertDraft, EvidenceEvent } from './types.js';

export const frequencySettings = ruleSettings(
  {
    windowDays: z.number().positive().max(3650).default(30),
    threshold: z.number().positive().default(3.5),
    minEvents: z.number().int().positive().default(10),
    minPopulation: z.number().int().min(3).default(20),
  },
  'warning',
);
export type FrequencySettings = z.output<typeof frequencySettings>;

export interface MovementCount {
  readonly material: string;
  readonly serial: string;
  readonly count: number;
  /** Some of the events in the window (evidence). */
  readonly events: readonly EvidenceEvent[];
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Robust z-scores of a population of counts (same order as the input). */
export function robustZ(counts: readonly number[]): number[] {
  const sorted = [...counts].sort((a, b) => a - b);
  const med = median(sorted);
  const deviations = counts.map((c) => Math.abs(c - med)).sort((a, b) => a - b);
  const mad = median(deviations);
  const meanAd = deviations.reduce((s, d) => s + d, 0) / (deviations.length || 1);
  // Scale of the population: MAD / 0.6745 (or 1.2533 MeanAD when MAD is 0), but never below one
  // movement: counts are whole numbers, and a spread under one would make any difference extreme.
  const scale = Math.max(mad > 0 ? mad / 0.6745 : 1.253314 * meanAd, 1);
  return counts.map((c) => (c - med) / scale);
}

export function windowStart(now: Date, config: FrequencySettings): Date {
  return new Date(now.getTime() - config.windowDays * 86_400_000);
}

/** Alerts for the outliers among `counts` (all serials of one material that moved in the window). */
export function checkFrequency(
  counts: readonly MovementCount[],
  now: Date,
  config: FrequencySettings,
): AlertDraft[] {
  if (counts.length < config.minPopulation) return [];
  const z = robustZ(counts.map((c) => c.count));
  const sorted = counts.map((c) => c.count).sort((a, b) => a - b);
  const med = median(sorted);
  const bucket = Math.floor(now.getTime() / (config.windowDays * 86_400_000));
  const alerts: AlertDraft[] = [];
  counts.forEach((c, i) => {
    const score = z[i] ?? 0;
    if (score <= config.threshold || c.count < config.minEvents) return;
    alerts.push({
      rule: 'frequency',
      severity: config.severity,
      material: c.material,
      serial: c.serial,
      summary: `Serial ${c.serial} (material ${c.material}) moved ${c.count} times in ${config.windowDays} days; the median serial of the material moved ${med} times (robust z ${score.toFixed(1)} > ${config.threshold})`,
      dedupeKey: `w${bucket}`,
      evidence: {
        events: c.events,
        details: { count: c.count, median: med, z: Math.round(score * 100) / 100, population: counts.length },
      },
      at: now,
    });
  });
  return alerts;
}
