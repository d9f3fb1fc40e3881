/**
 * Sends new serial ledger events to an external EPCIS repository (the `epcis-capture`
 * transport): each tick reads the events after the capture watermark, in id order, as EPCIS 2.0
 * documents of up to `batchSize` events, and moves the watermark after each accepted document.
 * A failed capture leaves the watermark where it was and ends the tick: the next tick resends the
 * same events with the same eventIDs (`urn:idocgate:event:<id>`) and the same idempotency key.
 * Nothing else waits for it: it runs on a periodic queue of its own.
 */
import type { Transport } from '../../pipeline/transport-port.js';
import { epcisDocument } from './epcis/epcis.js';
import type { EpcNaming } from './epcis/identifiers.js';
import type { SerialEvent } from './types.js';

export interface CapturePort {
  pending(limit: number): Promise<{ readonly watermark: number; readonly events: SerialEvent[] }>;
  captured(
    from: number,
    to: number,
    count: number,
    at: Date,
    remoteReference: string | null,
  ): Promise<boolean>;
  failed(at: Date, error: string): Promise<void>;
}

export interface CaptureRun {
  /** Events accepted by the repository in this tick. */
  readonly events: number;
  /** Documents sent successfully. */
  readonly documents: number;
  /** The error of the capture that failed (the tick stopped there), if any. */
  readonly error?: string;
}

export interface CaptureOptions {
  readonly port: CapturePort;
  readonly transport: Transport;
  readonly naming: EpcNaming;
  readonly clock: () => Date;
  /** Events per EPCIS document (default 500). */
  readonly batchSize?: number;
  /** Documents per tick at most (default 20), so one tick stays short. */
  readonly maxDocuments?: number;
}

export async function runEpcisCapture(o: CaptureOptions): Promise<CaptureRun> {
  const batchSize = o.batchSize ?? 500;
  const maxDocuments = o.maxDocuments ?? 20;
  let events = 0;
  let documents = 0;
  for (let i = 0; i < maxDocuments; i++) {
    const { watermark, events: batch } = await o.port.pending(batchSize);
    const last = batch[batch.length - 1];
    if (last === undefined) break;
    const first = batch[0]!.id;
    let remote: string | null;
    try {
      const receipt = await o.transport.send({
        body: JSON.stringify(epcisDocument(batch, o.naming, o.clock())),
        contentType: 'application/ld+json',
        messageId: `serial-events-${first}-${last.id}`,
        idempotencyKey: `serial-events-${first}-${last.id}`,
      });
      remote = receipt.remoteReference ?? null;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await o.port.failed(o.clock(), error);
      return { events, documents, error };
    }
    if (!(await o.port.captured(watermark, last.id, batch.length, o.clock(), remote))) break;
    events += batch.length;
    documents++;
    if (batch.length < batchSize) break;
  }
  return { events, documents };
}
