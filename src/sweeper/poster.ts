/**
 * The OutboundPoster port: how the sweeper hands a posting to the normal outbound path (store
 * durably, then queue to the SAP port). Posting the same step twice must be harmless: the
 * implementation stores by the step's idempotency key and returns the original message of a
 * duplicate (queuing it if it was never queued).
 */
import type { PushbackStep } from '../ledger/deliveries/port.js';
import type { SearchKey } from '../pipeline/store-port.js';

export interface PostingRequest {
  readonly step: PushbackStep;
  /** The SAP port (config `ports` key) the posting goes to. */
  readonly port: string;
  readonly delivery: string;
  readonly searchKeys: readonly SearchKey[];
}

export interface PostingResult {
  readonly messageId: string;
  /** The store already had a message with this idempotency key. */
  readonly duplicate: boolean;
}

export interface OutboundPoster {
  post(request: PostingRequest): Promise<PostingResult>;
}

/** Business keys of a posting for the message search (delivery, materials, serials). */
export function postingSearchKeys(step: PushbackStep, delivery: string): SearchKey[] {
  const keys: SearchKey[] = [{ kind: 'delivery', value: delivery }];
  const seen = new Set<string>();
  const walk = (segments: PushbackStep['idoc']['segments']): void => {
    for (const s of segments) {
      const material = s.fields['MATERIAL'];
      const serial = s.fields['SERIALNO'];
      if (material !== undefined && !seen.has(`m${material}`)) {
        seen.add(`m${material}`);
        keys.push({ kind: 'material', value: material.replace(/^0+(?=\d)/, '') });
      }
      if (serial !== undefined && !seen.has(`s${serial}`)) {
        seen.add(`s${serial}`);
        keys.push({ kind: 'serial', value: serial });
      }
      walk(s.children);
    }
  };
  walk(step.idoc.segments);
  return keys;
}
