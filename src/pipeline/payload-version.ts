/**
 * Which payload version of a stored message is read: the one choice the pipeline processes by
 * (src/pipeline/prepare.ts, SAP's resend check in ingest.ts, SAP's feedback) and both ledgers
 * read business movements from (src/ledger/deliveries/catch-up.ts, src/ledger/serials/ through
 * the ledger feed's query in src/store, which builds its ORDER BY from PAYLOAD_TIERS):
 *
 *   1. the newest input version — `edited`, `raw` or `parsed`, whichever came last: an operator's
 *      correction (replay processes it instead of the original), or what the sender sent again
 *      under the same DOCNUM / key with other content after it (ingest stores a new raw version).
 *      The gateway no longer stores the parsed model of an IDoc (it is derived from the raw on
 *      read, docs/store.md); `parsed` versions of older rows come right after their raw, so the
 *      newer of the two is the same IDoc;
 *   2. else the newest `mapped` one (what the gateway produced from partner JSON): never
 *      processed as input, read by a ledger only after every earlier version said nothing to it.
 *
 * A ledger tries the versions in this order and goes on to the next when one holds nothing it
 * reads (e.g. partner JSON of a contract no ledger knows, followed by the IDoc mapped from it).
 */
import { IdocgateError } from '../errors.js';
import type { PayloadKind } from './store-port.js';

export type { PayloadKind } from './store-port.js';

/** The order of payload kinds, best tier first; newest first within a tier. */
export const PAYLOAD_TIERS: readonly (readonly PayloadKind[])[] = [['edited', 'parsed', 'raw'], ['mapped']];

export interface PayloadVersion {
  readonly kind: PayloadKind;
  /** 1, 2, 3... per message in order of creation; absent when only one version is at hand. */
  readonly version?: number;
  readonly format: string;
  readonly content: string | Uint8Array;
}

function tierOf(kind: PayloadKind): number {
  const t = PAYLOAD_TIERS.findIndex((kinds) => kinds.includes(kind));
  return t === -1 ? PAYLOAD_TIERS.length : t;
}

/** The versions in the order they are read: by PAYLOAD_TIERS, newest first within a tier. */
export function payloadsToRead<T extends PayloadVersion>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => tierOf(a.kind) - tierOf(b.kind) || (b.version ?? 0) - (a.version ?? 0));
}

/** The best version (the first of payloadsToRead), or undefined for a message without any. */
export function bestPayload<T extends PayloadVersion>(versions: readonly T[]): T | undefined {
  return payloadsToRead(versions)[0];
}

/** The version the pipeline processes: the first of payloadsToRead that is input (not `mapped`). */
export function inputVersion<T extends PayloadVersion>(versions: readonly T[]): T {
  const v = payloadsToRead(versions).find((x) => x.kind !== 'mapped');
  if (v === undefined) throw new IdocgateError('STORE_QUERY_FAILED', 'the message has no payload version');
  return v;
}
