/**
 * The payload contracts by name (the names mapping files use). Each contract validates partner
 * JSON into a list of issues with paths and exports its JSON Schema.
 */
import { z } from 'zod';
import type { Issue } from '../errors.js';
import { handheldGoodsMovement } from './handheld-goods-movement.js';
import { peoplesoftInventoryTransaction } from './peoplesoft-inventory-transaction.js';
import { wmsConfirmation } from './wms-confirmation.js';
import { wmsDeliveryOrder } from './wms-delivery-order.js';

export interface PayloadContract {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
  /**
   * Fields (dotted paths) that identify one business event of this contract: without an
   * Idempotency-Key header their values are the idempotency key, so a resent scan never posts
   * twice. A contract without one requires the header (428).
   */
  readonly naturalKey?: readonly string[];
}

export const CONTRACTS: ReadonlyMap<string, PayloadContract> = new Map(
  [
    {
      name: 'handheld-goods-movement',
      description: 'Handheld goods-movement scan',
      schema: handheldGoodsMovement,
      naturalKey: ['scanId'],
    },
    {
      name: 'wms-delivery-order',
      description: 'WMS delivery order (from DELVRY07)',
      schema: wmsDeliveryOrder,
    },
    {
      name: 'wms-confirmation',
      description: 'WMS confirmation (to DELVRY07 WHSCON/SHPCON)',
      schema: wmsConfirmation,
      // One confirmation: this delivery, this event, at this time.
      naturalKey: ['delivery', 'event', 'confirmedAt'],
    },
    {
      name: 'peoplesoft-inventory-transaction',
      description: 'PeopleSoft inventory transaction (from MBGMCR03)',
      schema: peoplesoftInventoryTransaction,
    },
  ].map((c) => [c.name, c]),
);

const jsonSchemas = new Map<string, Record<string, unknown>>();

/** JSON Schema (draft 2020-12) of a contract, as partners and the API docs get it. */
export function contractJsonSchema(contract: PayloadContract): Record<string, unknown> {
  let s = jsonSchemas.get(contract.name);
  if (!s) {
    s = {
      $id: `https://idocgate.dev/contracts/${contract.name}.schema.json`,
      ...z.toJSONSchema(contract.schema, { io: 'input' }),
    };
    jsonSchemas.set(contract.name, s);
  }
  return s;
}

function pointer(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '/'
    : path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

declare const checkedBrand: unique symbol;

/**
 * A value that checkPayload accepted for the named contract. Only checkPayload makes one, so a
 * use case handed one (e.g. by the HTTP edge that already checked the body) need not check again.
 */
export interface CheckedPayload {
  readonly contract: string;
  readonly value: unknown;
  readonly [checkedBrand]: true;
}

/**
 * Validates `input` against the contract: the parsed value (with defaults applied), also as a
 * CheckedPayload, or the issues, each with a JSON pointer (code PAYLOAD_INVALID).
 */
export function checkPayload(
  contract: PayloadContract,
  input: unknown,
): { ok: true; value: unknown; checked: CheckedPayload } | { ok: false; issues: Issue[] } {
  const r = contract.schema.safeParse(input);
  if (r.success) {
    const checked = { contract: contract.name, value: r.data } as CheckedPayload;
    return { ok: true, value: r.data, checked };
  }
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      code: 'PAYLOAD_INVALID',
      path: pointer(i.path),
      message: `${pointer(i.path)}: ${i.message}`,
      details: { contract: contract.name, zodCode: i.code },
    })),
  };
}
