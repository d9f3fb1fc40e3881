/**
 * Integrity detectors against the simulator's injected anomalies (pure). Over the test period
 * (events and incidents dated `from` or later):
 *
 *   recall per kind      incidents of that kind with an alert of the detector on their serial at
 *                        or after the incident
 *   precision            flagged serials that carry an incident flagged at or after it / flagged
 *                        serials (serials physically lost in the base simulation, i.e. lost at the
 *                        DC or on the lane, are neither: "never received" is true for them)
 *   time to first alert  median hours from the incident to the detector's first alert on it
 *   false alerts / 10k   alerts on normal serials per 10 000 movements of normal serials
 */
import type { IntegrityIncident, IntegrityKind } from '../simulator/integrity.js';

export interface DetectorAlert {
  readonly detector: string;
  readonly material: string;
  readonly serial: string;
  readonly at: Date;
}

export interface DetectorFigures {
  readonly detector: string;
  readonly flagged: number;
  readonly precision: number;
  readonly recall: Readonly<Partial<Record<IntegrityKind, number>>>;
  /** Median hours from incident to first alert, per kind. */
  readonly hoursToAlert: Readonly<Partial<Record<IntegrityKind, number>>>;
  readonly falseAlerts: number;
  readonly falseAlertsPer10k: number;
}

const key = (material: string, serial: string): string => `${material}\u0000${serial}`;

export function evaluateDetectors(input: {
  readonly detectors: readonly { readonly name: string; readonly matches: (detector: string) => boolean }[];
  readonly alerts: readonly DetectorAlert[];
  readonly incidents: readonly IntegrityIncident[];
  /** Movements per serial in the test period (material + serial -> count). */
  readonly movements: ReadonlyMap<string, number>;
  /** Serials physically lost (not anomalies, not normal). */
  readonly lost: ReadonlySet<string>;
  readonly from: Date;
}): DetectorFigures[] {
  const from = input.from.getTime();
  const incidents = input.incidents.filter((i) => i.at.getTime() >= from);
  const incidentOf = new Map<string, IntegrityIncident>();
  for (const i of input.incidents) incidentOf.set(key(i.material, i.serial), i);
  const isNormal = (k: string): boolean => !incidentOf.has(k) && !input.lost.has(k);
  let normalMovements = 0;
  for (const [k, n] of input.movements) if (isNormal(k)) normalMovements += n;
  const kinds = [...new Set(incidents.map((i) => i.kind))].sort();
  return input.detectors.map((d) => {
    const first = new Map<string, number>();
    let falseAlerts = 0;
    const flaggedAt = new Map<string, number[]>();
    for (const a of input.alerts) {
      if (!d.matches(a.detector) || a.at.getTime() < from) continue;
      const k = key(a.material, a.serial);
      const list = flaggedAt.get(k) ?? [];
      list.push(a.at.getTime());
      flaggedAt.set(k, list);
      if (isNormal(k)) falseAlerts++;
    }
    let tp = 0;
    let considered = 0;
    for (const [k, times] of flaggedAt) {
      if (input.lost.has(k) && !incidentOf.has(k)) continue;
      considered++;
      const inc = incidentOf.get(k);
      const hit = inc !== undefined ? times.filter((t) => t >= inc.at.getTime()) : [];
      if (hit.length > 0) {
        tp++;
        first.set(k, Math.min(...hit));
      }
    }
    const recall: Partial<Record<IntegrityKind, number>> = {};
    const hoursToAlert: Partial<Record<IntegrityKind, number>> = {};
    for (const kind of kinds) {
      const of = incidents.filter((i) => i.kind === kind);
      const hits = of.filter((i) => first.has(key(i.material, i.serial)));
      recall[kind] = of.length > 0 ? hits.length / of.length : Number.NaN;
      const hours = hits
        .map((i) => (first.get(key(i.material, i.serial))! - i.at.getTime()) / 3_600_000)
        .sort((a, b) => a - b);
      hoursToAlert[kind] = hours.length > 0 ? hours[Math.floor(hours.length / 2)]! : Number.NaN;
    }
    return {
      detector: d.name,
      flagged: considered,
      precision: considered > 0 ? tp / considered : Number.NaN,
      recall,
      hoursToAlert,
      falseAlerts,
      falseAlertsPer10k: normalMovements > 0 ? (falseAlerts / normalMovements) * 10_000 : Number.NaN,
    };
  });
}
