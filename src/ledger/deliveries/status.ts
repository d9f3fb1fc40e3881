/**
 * Expected vs received: folds the recorded receipt lines of a delivery into per-item and
 * per-serial status (received, outstanding, over-received, missing and unexpected serials).
 * Pure and deterministic: the same delivery and receipts always give the same status, so the
 * ledger recomputes it from scratch after every change instead of patching counters.
 *
 * Matching a receipt line to an item: by delivery item number, else by material (the first
 * item of that material that still waits for goods), else by one of its serial numbers. A line
 * that matches no item counts as an over-receipt. Late receipts (recorded after a pushback) are
 * listed but never counted. Serial numbers are compared in their ALPHA form (see normalizeKey).
 */
import {
  normalizeKey,
  type ExpectedDelivery,
  type ExpectedItem,
  type RecordedReceipt,
  type StoredState,
} from './types.js';

export interface ItemStatus {
  readonly position: string;
  readonly material: string;
  readonly sapMaterial: string;
  readonly unit: string;
  readonly expectedMilli: number;
  readonly receivedMilli: number;
  readonly outstandingMilli: number;
  /** Received beyond the expected quantity. */
  readonly overMilli: number;
  /** Expected serials of this item that did not arrive (as SAP wrote them), in delivery order. */
  readonly missingSerials: readonly string[];
}

export interface SerialStatus {
  readonly material: string;
  readonly serial: string;
  readonly position: string | null;
  readonly handlingUnit: string | null;
  readonly expected: boolean;
  readonly received: boolean;
  /** Arrived only after the pushback (recorded, not counted). */
  readonly late: boolean;
  readonly receivedAt: Date | null;
  readonly messageId: string | null;
}

export interface DeliveryStatus {
  readonly items: readonly ItemStatus[];
  readonly serials: readonly SerialStatus[];
  readonly expectedMilli: number;
  readonly receivedMilli: number;
  readonly outstandingMilli: number;
  readonly overReceived: boolean;
  /** Quantity of receipt lines that matched no item of the delivery. */
  readonly unmatchedMilli: number;
  readonly unexpectedSerials: number;
  readonly lateReceipts: number;
  /** The waiting state the receipts lead to (the ledger keeps pushing-back / pushed-back). */
  readonly state: Extract<StoredState, 'open' | 'partial' | 'closed'>;
}

interface Acc {
  readonly item: ExpectedItem;
  received: number;
}

function serialKey(material: string, serial: string): string {
  return `${material}\u0000${normalizeKey(serial)}`;
}

export function computeDeliveryStatus(
  expected: ExpectedDelivery,
  receipts: readonly RecordedReceipt[],
): DeliveryStatus {
  const accs: Acc[] = expected.items.map((item) => ({ item, received: 0 }));
  const byPosition = new Map(accs.map((a) => [a.item.position, a]));
  const expectedSerials = new Map(expected.serials.map((s) => [serialKey(s.material, s.serial), s]));
  const expectedBySerial = new Map(expected.serials.map((s) => [normalizeKey(s.serial), s]));
  const serialOwner = new Map<string, Acc>();
  for (const s of expected.serials) {
    const acc =
      (s.position !== null ? byPosition.get(s.position) : undefined) ??
      accs.find((a) => a.item.material === s.material);
    if (acc !== undefined) serialOwner.set(normalizeKey(s.serial), acc);
  }
  const arrived = new Map<
    string,
    { at: Date; messageId: string; late: boolean; material: string; serial: string; position: string | null }
  >();
  let unmatched = 0;
  let late = 0;
  const ordered = [...receipts].sort(
    (a, b) =>
      a.recordedAt.getTime() - b.recordedAt.getTime() ||
      a.messageId.localeCompare(b.messageId) ||
      a.line - b.line,
  );
  for (const r of ordered) {
    if (r.late) late++;
    const acc = matchItem(r, accs, byPosition, serialOwner);
    if (!r.late) {
      if (acc !== undefined) acc.received += r.quantityMilli;
      else unmatched += r.quantityMilli;
    }
    const material = acc?.item.material ?? r.material ?? '';
    for (const serial of r.serials) {
      const known =
        expectedSerials.get(serialKey(material, serial)) ?? expectedBySerial.get(normalizeKey(serial));
      const k = known !== undefined ? serialKey(known.material, known.serial) : serialKey(material, serial);
      const prev = arrived.get(k);
      // A counted arrival wins over a late one; otherwise the first arrival is kept.
      if (prev === undefined || (prev.late && !r.late)) {
        arrived.set(k, {
          at: r.eventAt,
          messageId: r.messageId,
          late: r.late,
          material,
          serial,
          position: acc?.item.position ?? r.position,
        });
      }
    }
  }

  const serials: SerialStatus[] = [];
  const missingByPosition = new Map<string, string[]>();
  for (const s of expected.serials) {
    const a = arrived.get(serialKey(s.material, s.serial));
    const received = a !== undefined && !a.late;
    serials.push({
      material: s.material,
      serial: s.serial,
      position: s.position,
      handlingUnit: s.handlingUnit,
      expected: true,
      received,
      late: a?.late ?? false,
      receivedAt: a?.at ?? null,
      messageId: a?.messageId ?? null,
    });
    if (!received) {
      const owner = serialOwner.get(normalizeKey(s.serial));
      const pos = owner?.item.position ?? s.position ?? '';
      missingByPosition.set(pos, [...(missingByPosition.get(pos) ?? []), s.serial]);
    }
  }
  let unexpected = 0;
  for (const [k, a] of arrived) {
    if (expectedSerials.has(k)) continue;
    if (!a.late) unexpected++;
    serials.push({
      material: a.material,
      serial: a.serial,
      position: a.position,
      handlingUnit: null,
      expected: false,
      received: !a.late,
      late: a.late,
      receivedAt: a.at,
      messageId: a.messageId,
    });
  }

  const items: ItemStatus[] = accs.map(({ item, received }) => ({
    position: item.position,
    material: item.material,
    sapMaterial: item.sapMaterial,
    unit: item.unit,
    expectedMilli: item.quantityMilli,
    receivedMilli: received,
    outstandingMilli: Math.max(0, item.quantityMilli - received),
    overMilli: Math.max(0, received - item.quantityMilli),
    missingSerials: missingByPosition.get(item.position) ?? [],
  }));
  const sum = (f: (i: ItemStatus) => number): number => items.reduce((n, i) => n + f(i), 0);
  const receivedMilli = sum((i) => i.receivedMilli) + unmatched;
  const outstandingMilli = sum((i) => i.outstandingMilli);
  return {
    items,
    serials,
    expectedMilli: sum((i) => i.expectedMilli),
    receivedMilli,
    outstandingMilli,
    overReceived: unmatched > 0 || items.some((i) => i.overMilli > 0),
    unmatchedMilli: unmatched,
    unexpectedSerials: unexpected,
    lateReceipts: late,
    state: outstandingMilli === 0 ? 'closed' : receivedMilli > 0 ? 'partial' : 'open',
  };
}

function matchItem(
  r: RecordedReceipt,
  accs: readonly Acc[],
  byPosition: ReadonlyMap<string, Acc>,
  serialOwner: ReadonlyMap<string, Acc>,
): Acc | undefined {
  if (r.position !== null) {
    const a = byPosition.get(r.position);
    if (a !== undefined && (r.material === null || r.material === a.item.material)) return a;
  }
  if (r.material !== null) {
    const same = accs.filter((a) => a.item.material === r.material);
    const waiting = same.find((a) => a.received < a.item.quantityMilli);
    if (waiting !== undefined || same.length > 0) return waiting ?? same[0];
  }
  for (const s of r.serials) {
    const a = serialOwner.get(normalizeKey(s));
    if (a !== undefined) return a;
  }
  return undefined;
}
