/**
 * Partner JSON that carries business movements, recognised once for both ledgers: a payload is
 * a movement when it passes the check of one of the contracts below (src/contracts): a handheld
 * goods-movement scan or a WMS confirmation. Anything else is not for the ledgers.
 */
import type { HandheldGoodsMovement } from '../../contracts/handheld-goods-movement.js';
import { checkPayload, CONTRACTS } from '../../contracts/registry.js';
import type { WmsConfirmation } from '../../contracts/wms-confirmation.js';

export type PartnerMovement =
  | { readonly contract: 'handheld-goods-movement'; readonly value: HandheldGoodsMovement }
  | { readonly contract: 'wms-confirmation'; readonly value: WmsConfirmation };

/** The contracts tried, in this order. */
export const MOVEMENT_CONTRACTS: readonly PartnerMovement['contract'][] = [
  'handheld-goods-movement',
  'wms-confirmation',
];

/**
 * The movement a partner JSON value holds, checked against its contract, or undefined when it
 * matches none. `preferred` (the contract the message says it is, when known) is tried first.
 */
export function readPartnerMovement(value: unknown, preferred?: string): PartnerMovement | undefined {
  const ordered = [...MOVEMENT_CONTRACTS].sort((a, b) => Number(b === preferred) - Number(a === preferred));
  for (const name of ordered) {
    const contract = CONTRACTS.get(name);
    if (contract === undefined) continue;
    const checked = checkPayload(contract, value);
    if (checked.ok) return { contract: name, value: checked.value } as PartnerMovement;
  }
  return undefined;
}
