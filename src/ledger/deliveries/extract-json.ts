/**
 * Receipt lines from partner JSON: a handheld goods-receipt scan against a delivery (contract
 * handheld-goods-movement, kinds receipt-sto / receipt-delivery). A WMS confirmation of the
 * executing warehouse (events picked / packed / shipped) is a milestone of the delivery: picked,
 * or goods issued at the DC. A WMS `received` is refused by its contract (no WHSCON confirms a
 * store's receipt in SAP). A payload is recognised once for both ledgers
 * (../movements/partner-json.ts); anything else is not for the ledger.
 */
import { DELVRY_LAYOUT, isReturnsDeliveryType } from '../movements/idoc-layouts.js';
import { readPartnerMovement } from '../movements/partner-json.js';
import type { HandheldGoodsMovement } from '../../contracts/handheld-goods-movement.js';
import type { WmsConfirmation } from '../../contracts/wms-confirmation.js';
import { HANDHELD_RECEIPT_KINDS, WMS_MILESTONE_EVENTS } from './layouts.js';
import { keyOrNull, normalizeKey, parseQuantityMilli, type Milestone, type ReceiptLine } from './types.js';

function handheld(scan: HandheldGoodsMovement): ReceiptLine[] {
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

function wmsMilestones(c: WmsConfirmation): Milestone[] {
  const kind = WMS_MILESTONE_EVENTS[c.event];
  // A returns delivery's goods movement receives goods at the warehouse: no milestone of a
  // delivery to a store (docs/movement-types.md "Return stock transport order").
  if (kind === undefined || isReturnsDeliveryType(DELVRY_LAYOUT, c.deliveryType)) return [];
  return [{ delivery: normalizeKey(c.delivery), kind, at: new Date(c.confirmedAt) }];
}

/**
 * Receipt lines and milestones from a partner JSON value (recognised by
 * ../movements/partner-json.ts), or undefined when it matches none of the contracts (then the
 * message is not a receipt the ledger knows). A WMS confirms the outbound delivery it executes
 * (milestones); a store's receipt is never a WHSCON: the contract refuses `received`
 * (docs/movement-types.md).
 */
export function readJsonReceipt(
  value: unknown,
): { contract: string; lines: ReceiptLine[]; milestones: Milestone[] } | undefined {
  const m = readPartnerMovement(value);
  if (m === undefined) return undefined;
  if (m.contract === 'handheld-goods-movement')
    return { contract: m.contract, lines: handheld(m.value), milestones: [] };
  return {
    contract: m.contract,
    lines: [],
    milestones: wmsMilestones(m.value).filter((x) => x.delivery !== ''),
  };
}
