/**
 * What the serial ledger reads from IDocs: the layouts of ../movements/layouts/*.yaml (read by
 * ../movements/read.ts), a delivery (DELVRY0x: header > items > serials, handling units >
 * contents > serials, partners; its `serialLedger` roles say what a message type means for the
 * serials) and a goods movement (MBGMCR0x: items and serials as siblings linked by item number),
 * and what the movement types and partner JSON kinds below mean to the serials. Shared code
 * branches on the layout kind, never on an IDoc type name: a new type (or an extension with
 * other segment names) is one more entry in a data file.
 */
import { movementLayoutFor } from '../movements/read.js';
import type { Movement } from './types.js';

export type { SerialPath } from '../movements/idoc-layouts.js';

/** The layout of an IDoc type the ledger reads (../movements/read.ts reads the IDoc by it). */
export const layoutFor = movementLayoutFor;

/**
 * SAP movement types (BWART) -> ledger movement. `receiving`: the unit ends up at MOVE_PLANT /
 * MOVE_STLOC (transfer postings) rather than at PLANT / STGE_LOC. Unlisted types are recorded
 * as `other` (state unchanged).
 */
export const MOVE_TYPES: Readonly<Record<string, { movement: Movement; receiving?: true }>> = {
  '101': { movement: 'received' },
  '102': { movement: 'reversal' },
  '122': { movement: 'returned-to-vendor' },
  '161': { movement: 'returned-to-vendor' },
  '201': { movement: 'issued' },
  '261': { movement: 'issued' },
  '301': { movement: 'transferred', receiving: true },
  '302': { movement: 'reversal' },
  '303': { movement: 'shipped', receiving: true },
  '305': { movement: 'received' },
  '311': { movement: 'transferred', receiving: true },
  '351': { movement: 'shipped' },
  '451': { movement: 'returned' },
  '453': { movement: 'transferred', receiving: true },
  '541': { movement: 'out-to-vendor' },
  '542': { movement: 'back-from-vendor' },
  '551': { movement: 'scrapped' },
  '553': { movement: 'scrapped' },
  '555': { movement: 'scrapped' },
  '561': { movement: 'initial-load' },
  '563': { movement: 'initial-load' },
  '565': { movement: 'initial-load' },
  '601': { movement: 'issued' },
  '641': { movement: 'shipped' },
  '643': { movement: 'shipped' },
  '651': { movement: 'returned' },
  '653': { movement: 'returned' },
  '655': { movement: 'returned' },
  '657': { movement: 'returned' },
};

/**
 * Handheld scan movement kinds (src/contracts/handheld-goods-movement.ts) -> SAP movement type,
 * as in mappings/tables/movement-kinds.yaml (a test keeps the two equal).
 */
export const HANDHELD_MOVE_TYPES: Readonly<Record<string, string>> = {
  'receipt-delivery': '101',
  'receipt-sto': '101',
  'receipt-po': '101',
  'return-sto': '161',
  'sto-issue': '351',
  'vendor-repair-receipt': '101',
  'return-to-vendor': '122',
  'transfer-location': '311',
  'transfer-site': '301',
  'vendor-repair-out': '541',
  'vendor-repair-return': '542',
  'initial-stock': '561',
  scrap: '551',
  'customer-return': '451',
  'customer-return-release': '453',
  'customer-return-sd': '653',
};

/**
 * Handheld kinds whose ledger movement is not the one of their movement type: a store return on
 * a returns stock transport order posts 161 at the store (the same movement type as a return to
 * an external vendor), but the units go into transit to the DC (`toSite`), which receives them with
 * the returns delivery's goods movement (docs/movement-types.md "Return stock transport order").
 */
export const HANDHELD_MOVEMENTS: Readonly<Record<string, Movement>> = {
  'return-sto': 'shipped',
};

/** WMS confirmation events -> ledger movement. */
export const WMS_EVENTS: Readonly<Record<string, Movement>> = {
  picked: 'packed',
  packed: 'packed',
  shipped: 'shipped',
  received: 'received',
};
