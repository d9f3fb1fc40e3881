/**
 * The message aggregate's rows (messages, versions, history, attempts, audit), read through the
 * checked column helpers of ../db/columns.ts (re-exported here for the message repositories).
 */
import {
  type AttemptRecord,
  type AuditRecord,
  type Direction,
  type MessageRecord,
  type MessageStatus,
  type PartyRef,
  type PayloadFormat,
  type PayloadKind,
  type StatusHistoryRecord,
  type VersionRecord,
} from '../../pipeline/store-port.js';
import { MESSAGE_STATUSES } from '../../pipeline/lifecycle.js';
import type { Row } from '../db/db.js';
import { bad, date, num, optDate, optStr, str } from '../db/columns.js';

export { date, num, optDate, optStr, str } from '../db/columns.js';

function status(row: Row, column: string): MessageStatus {
  const v = row[column];
  return (MESSAGE_STATUSES as readonly unknown[]).includes(v) ? (v as MessageStatus) : bad(column, v);
}

function optStatus(row: Row, column: string): MessageStatus | null {
  return row[column] === null || row[column] === undefined ? null : status(row, column);
}

function direction(row: Row): Direction {
  const v = row['direction'];
  return v === 'in' || v === 'out' ? v : bad('direction', v);
}

function party(row: Row, prefix: 'sender' | 'receiver'): PartyRef | null {
  const prt = str(row, `${prefix}_prt`);
  const prn = str(row, `${prefix}_prn`);
  const por = str(row, `${prefix}_por`);
  if (prt === '' && prn === '' && por === '') return null;
  return por === '' ? { prt, prn } : { prt, prn, por };
}

/** The columns a MessageRecord is read from (everything but the tsvector). */
export const MESSAGE_COLUMNS = `m.id::text AS id, m.receipt_seq, m.direction, m.partner, m.channel, m.idoc_type,
  m.extension, m.message_type, m.docnum, m.arckey, m.sender_prt, m.sender_prn, m.sender_por,
  m.receiver_prt, m.receiver_prn, m.receiver_por, m.status, m.sap_status, m.status_text,
  m.ordering_key, m.release_on, m.idempotency_key, m.attempts, m.last_error_code, m.last_error_text,
  m.next_attempt_at, m.queued_at, m.enqueue_token, m.correlation_id::text AS correlation_id,
  m.correlation_kind, m.sap_docnum, m.sap_document, m.created_at, m.updated_at`;

export function toMessage(row: Row): MessageRecord {
  const errorCode = optStr(row, 'last_error_code');
  const correlationId = optStr(row, 'correlation_id');
  return {
    id: str(row, 'id'),
    receiptSeq: num(row, 'receipt_seq'),
    direction: direction(row),
    partner: optStr(row, 'partner'),
    channel: optStr(row, 'channel'),
    idocType: optStr(row, 'idoc_type'),
    extension: optStr(row, 'extension'),
    messageType: optStr(row, 'message_type'),
    docnum: optStr(row, 'docnum'),
    arckey: optStr(row, 'arckey'),
    sender: party(row, 'sender'),
    receiver: party(row, 'receiver'),
    status: status(row, 'status'),
    sapStatus: optStr(row, 'sap_status'),
    statusText: optStr(row, 'status_text'),
    orderingKey: optStr(row, 'ordering_key'),
    releaseOn: optStr(row, 'release_on') === 'posted' ? 'posted' : 'delivered',
    idempotencyKey: optStr(row, 'idempotency_key'),
    attempts: num(row, 'attempts'),
    lastError: errorCode === null ? null : { code: errorCode, text: optStr(row, 'last_error_text') ?? '' },
    nextAttemptAt: optDate(row, 'next_attempt_at'),
    queuedAt: optDate(row, 'queued_at'),
    enqueueToken: optStr(row, 'enqueue_token'),
    correlation:
      correlationId === null
        ? null
        : { messageId: correlationId, kind: optStr(row, 'correlation_kind') ?? 'produced-by' },
    sapDocnum: optStr(row, 'sap_docnum'),
    sapDocument: optStr(row, 'sap_document'),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
  };
}

const KINDS: readonly PayloadKind[] = ['raw', 'parsed', 'mapped', 'edited'];
const FORMATS: readonly PayloadFormat[] = ['flat', 'xml', 'soap', 'json', 'text', 'binary'];

export const VERSION_COLUMNS = `v.id, v.message_id::text AS message_id, v.version, v.kind, v.format,
  v.content_text, v.content_bytes, v.content_type, v.created_by, v.note, v.created_at`;

export function toVersion(row: Row): VersionRecord {
  const kind = row['kind'];
  const format = row['format'];
  const bytes = row['content_bytes'];
  const content =
    bytes instanceof Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
  return {
    id: num(row, 'id'),
    messageId: str(row, 'message_id'),
    version: num(row, 'version'),
    kind: KINDS.includes(kind as PayloadKind) ? (kind as PayloadKind) : bad('kind', kind),
    format: FORMATS.includes(format as PayloadFormat) ? (format as PayloadFormat) : bad('format', format),
    content: content ?? str(row, 'content_text'),
    contentType: optStr(row, 'content_type'),
    createdBy: str(row, 'created_by'),
    note: optStr(row, 'note'),
    createdAt: date(row, 'created_at'),
  };
}

export function toHistory(row: Row): StatusHistoryRecord {
  return {
    id: num(row, 'id'),
    messageId: str(row, 'message_id'),
    from: optStatus(row, 'from_status'),
    to: status(row, 'to_status'),
    sapStatus: optStr(row, 'sap_status'),
    text: optStr(row, 'text'),
    by: str(row, 'by'),
    at: date(row, 'at'),
  };
}

export function toAttempt(row: Row): AttemptRecord {
  const outcome = row['outcome'];
  return {
    id: num(row, 'id'),
    messageId: str(row, 'message_id'),
    attemptNo: num(row, 'attempt_no'),
    transport: str(row, 'transport'),
    outcome: outcome === 'ok' || outcome === 'error' ? outcome : bad('outcome', outcome),
    durationMs: num(row, 'duration_ms'),
    errorCode: optStr(row, 'error_code'),
    errorText: optStr(row, 'error_text'),
    at: date(row, 'at'),
  };
}

export function toAudit(row: Row): AuditRecord {
  return {
    id: num(row, 'id'),
    at: date(row, 'at'),
    actor: str(row, 'actor'),
    action: str(row, 'action'),
    reason: optStr(row, 'reason'),
    messageId: optStr(row, 'message_id'),
    query: row['query'] ?? null,
    details: row['details'] ?? null,
  };
}
