/**
 * The one place for BullMQ names: queue names, job names, job ids and scheduler ids. All live
 * under the configured Redis key prefix (config `redis.prefix`, default `idocgate`), so several
 * gateways — or test files — can share one Redis.
 *
 * Job ids are `<messageId>_<token>`: BullMQ refuses `:` in custom ids (it separates its own key
 * parts), so the `<id>:<generation>` of the design became `_`. The same id twice is one job.
 */
import type { WorkItem } from '../pipeline/queue-port.js';

/** Queue of the scheduler's own jobs (recovery, retention). */
export const SYSTEM_QUEUE = 'system';

export const DELIVER_JOB = 'deliver';
export const RECOVERY_JOB = 'recovery';
export const RETENTION_JOB = 'retention';

/** Delivery ledger catch-up and pushback sweeper (src/wiring/pushback-scheduler.ts). */
export const PUSHBACK_QUEUE = 'pushback';
export const CATCH_UP_JOB = 'delivery-ledger-catch-up';
export const SWEEP_JOB = 'pushback-sweep';

/** Serial ledger catch-up and EPCIS capture, each on a queue of its own (src/wiring/serial-ledger.ts). */
export const SERIAL_LEDGER_QUEUE = 'serial-ledger';
export const SERIAL_LEDGER_JOB = 'serial-ledger-catch-up';
export const SERIAL_EPCIS_QUEUE = 'serial-ledger-epcis';
export const SERIAL_EPCIS_JOB = 'serial-ledger-epcis-capture';

/** The at-risk webhook alert's periodic job (src/wiring/risk-alerts.ts); queue and job share the name. */
export const RISK_ALERT_QUEUE = 'risk-alerts';

/** The BullMQ queue name of a destination (`partner.<name>`, `port.<name>`). */
export function queueName(destination: string): string {
  if (destination.includes(':')) throw new Error(`queue name "${destination}" must not contain ':'`);
  return destination;
}

export function jobIdOf(item: WorkItem): string {
  return `${item.messageId}_${item.token}`;
}

/** Job payload: ids only, the store is the record. */
export interface DeliverJobData {
  readonly messageId: string;
  readonly token: string;
}

export function isDeliverJobData(v: unknown): v is DeliverJobData {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['messageId'] === 'string' && typeof o['token'] === 'string';
}
