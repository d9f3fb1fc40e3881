/**
 * Receipt lines from partner JSON: a handheld goods-receipt scan against a delivery
 * (contract handheld-goods-movement, kind receipt-delivery) and a WMS confirmation that the
 * goods were received (contract wms-confirmation, event received: a store that runs a WMS).
 * A WMS confirmation of the executing warehouse (events picked / packed / shipped) is a
 * milestone of the delivery instead: picked, or goods issued at the DC. A payload is recognised
 * by validating it against its contract; anything else is not for the ledger.
 */
import { checkPayload, CONTRACTS } from '../../contracts/registry.js';
import type { HandheldGoodsMovement } from '../../contracts/handheld-goods-movement.js';
import type { WmsConfirmation } from '../../contracts/wms-confirmation.js';
import { HANDHELD_RECEIPT_KINDS, WMS_MILESTONE_EVENTS, WMS_RECEIPT_EVENTS } from './layouts.js';
import { keyOrNull, normalizeKey, parseQuantityMilli, type Milestone, type ReceiptLine } from './types.js';

export interface JsonReceiptReader {
  readonly contract: string;
  read(value: unknown): ReceiptLine[];
  milestones?(value: unknown): Milestone[];
}

function handheld(value: unknown): ReceiptLine[] {
  const scan = value as HandheldGoodsMovement;
  if (!HANDHELD_RECEIPT_KINDS.includes(scan.movement.kind) || !('delivery' in scan.movement)) return [];
  const delivery = normalizeKey(scan.movement.delivery);
  const eventAt = new Date(scan.scannedAt);
  return scan.items.map((item, line) => ({
    delivery,
    line,
    source: 'handheld' as const,
    position: keyOrNull(item.deliveryItem),
    material: keyOrNull(item.article),
    quantityMilli: parseQuantityMilli(item.quantity) ?? 0,
    unit: item.unit,
    serials: [...new Set(item.serialNumbers ?? [])],
    eventAt,
  }));
}

function wms(value: unknown): ReceiptLine[] {
  const c = value as WmsConfirmation;
  if (!WMS_RECEIPT_EVENTS.includes(c.event)) return [];
  const delivery = normalizeKey(c.delivery);
  const eventAt = new Date(c.confirmedAt);
  const huSerials = new Map<string, string[]>();
  for (const hu of c.handlingUnits ?? []) {
    for (const content of hu.contents) {
      const pos = normalizeKey(content.position);
      huSerials.set(pos, [...(huSerials.get(pos) ?? []), ...(content.serialNumbers ?? [])]);
    }
  }
  return c.items.map((item, line) => {
    const position = normalizeKey(item.position);
    return {
      delivery,
      line,
      source: 'wms-confirmation' as const,
      position,
      material: keyOrNull(item.article),
      quantityMilli: parseQuantityMilli(item.quantity) ?? 0,
      unit: item.unit,
      serials: [...new Set([...(item.serialNumbers ?? []), ...(huSerials.get(position) ?? [])])],
      eventAt,
    };
  });
}

function wmsMilestones(value: unknown): Milestone[] {
  const c = value as WmsConfirmation;
  const kind = WMS_MILESTONE_EVENTS[c.event];
  if (kind === undefined) return [];
  return [{ delivery: normalizeKey(c.delivery), kind, at: new Date(c.confirmedAt) }];
}

export const JSON_RECEIPT_READERS: readonly JsonReceiptReader[] = [
  { contract: 'handheld-goods-movement', read: handheld },
  { contract: 'wms-confirmation', read: wms, milestones: wmsMilestones },
];

/**
 * Receipt lines from a partner JSON value, or undefined when it matches none of the contracts
 * (then the message is not a receipt the ledger knows).
 */
export function readJsonReceipt(
  value: unknown,
): { contract: string; lines: ReceiptLine[]; milestones: Milestone[] } | undefined {
  for (const reader of JSON_RECEIPT_READERS) {
    const contract = CONTRACTS.get(reader.contract);
    if (contract === undefined) continue;
    const checked = checkPayload(contract, value);
    if (checked.ok)
      return {
        contract: reader.contract,
        lines: reader.read(checked.value),
        milestones: reader.milestones?.(checked.value).filter((m) => m.delivery !== '') ?? [],
      };
  }
  return undefined;
}
