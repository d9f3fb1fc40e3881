/**
 * The EPCIS capture watermark (migration 0021): which serial events were already sent to the
 * external EPCIS repository. Events are read in id order under the ledger lock, so a batch being
 * applied (ids reserved, not yet committed) can never be skipped.
 */
import type { SerialEvent } from '../../ledger/serials/types.js';
import type { Db } from '../db/db.js';
import { date, num, optStr } from '../db/columns.js';
import { selectEvents } from './queries.js';
import { lockLedger } from './repo.js';

export interface CaptureStatus {
  readonly lastEventId: number;
  readonly capturedEvents: number;
  readonly lastSuccessAt: Date | null;
  readonly lastAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly remoteReference: string | null;
}

export async function captureStatus(db: Db): Promise<CaptureStatus> {
  const { rows } = await db.query('SELECT * FROM serial_epcis_capture WHERE id = 1');
  const r = rows[0];
  if (!r)
    return {
      lastEventId: 0,
      capturedEvents: 0,
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      remoteReference: null,
    };
  return {
    lastEventId: num(r, 'last_event_id'),
    capturedEvents: num(r, 'captured_events'),
    lastSuccessAt: r['last_success_at'] == null ? null : date(r, 'last_success_at'),
    lastAttemptAt: r['last_attempt_at'] == null ? null : date(r, 'last_attempt_at'),
    lastError: optStr(r, 'last_error'),
    remoteReference: optStr(r, 'remote_reference'),
  };
}

/** The watermark and the next events after it (id order). */
export async function pendingCapture(
  db: Db,
  limit: number,
): Promise<{ readonly watermark: number; readonly events: SerialEvent[] }> {
  return db.transaction(async (tx) => {
    // Waits for a batch being applied: its reserved ids must be committed before we read past them.
    await lockLedger(tx, false);
    await tx.query(
      'INSERT INTO serial_epcis_capture (id, last_event_id) VALUES (1, 0) ON CONFLICT (id) DO NOTHING',
    );
    const { rows } = await tx.query('SELECT last_event_id FROM serial_epcis_capture WHERE id = 1');
    const watermark = rows[0] ? num(rows[0], 'last_event_id') : 0;
    const events = await selectEvents(tx, { afterId: watermark, limit });
    return { watermark, events };
  });
}

/**
 * Moves the watermark from `from` to `to` after a successful capture; false when another process
 * moved it meanwhile (its capture counted, ours was a harmless resend of the same eventIDs).
 */
export async function markCaptured(
  db: Db,
  from: number,
  to: number,
  count: number,
  at: Date,
  remoteReference: string | null,
): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE serial_epcis_capture
        SET last_event_id = $2, captured_events = captured_events + $3, last_success_at = $4,
            last_attempt_at = $4, last_error = NULL, remote_reference = $5
      WHERE id = 1 AND last_event_id = $1
      RETURNING id`,
    [from, to, count, at, remoteReference],
  );
  return rows.length === 1;
}

export async function markCaptureFailed(db: Db, at: Date, error: string): Promise<void> {
  await db.query('UPDATE serial_epcis_capture SET last_attempt_at = $1, last_error = $2 WHERE id = 1', [
    at,
    error.slice(0, 2000),
  ]);
}
