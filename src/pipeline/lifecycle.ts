/**
 * The message lifecycle: every status a message can be in, what it means, which SAP status code
 * goes with it, whether it is finished, and which statuses an operator may replay or cancel.
 * Pure data; the store, the API and the console read it from here (the console imports it).
 *
 * A message the gateway sends to SAP goes
 *
 *   received → queued → processing → delivered ─┬─→ posted      (SAP: inbound status 53)
 *                                               ├─→ sap-error   (SAP: 51 and the other error codes)
 *                                               └─→ unconfirmed (no SAP status within the port's window)
 *                              processing → in-doubt (sent, but whether SAP has it is unknown)
 *
 * on a port whose SAP system reports back (`ports.<name>.feedback`, docs/sap-feedback.md). On a port
 * without feedback `delivered` is final: all the gateway can know is that SAP's HTTP port took it.
 */

export type Direction = 'in' | 'out';

export const MESSAGE_STATUSES = [
  'received',
  'queued',
  'processing',
  'delivered',
  'posted',
  'failed',
  'dead',
  'sap-error',
  'in-doubt',
  'unconfirmed',
  'blocked',
  'cancelled',
] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface StatusInfo {
  readonly meaning: string;
  /** Terminal: no further processing expected; retention may purge it. */
  readonly finished: boolean;
  /** Waits for a person (listed, counted and alerted like a dead letter). */
  readonly stuck: boolean;
  /**
   * The SAP IDoc status this corresponds to by default (inbound 50–75, outbound 00–42). A status
   * SAP reported itself (53, 51...) is stored as reported instead.
   */
  readonly sap: { readonly in: string; readonly out: string };
}

export const STATUS_INFO: Readonly<Record<MessageStatus, StatusInfo>> = {
  received: {
    meaning: 'Durable in the store; not yet handed to the queue',
    finished: false,
    stuck: false,
    sap: { in: '50', out: '01' },
  },
  queued: {
    meaning: 'A queue job exists for it and waits for a worker',
    finished: false,
    stuck: false,
    sap: { in: '64', out: '30' },
  },
  processing: {
    meaning: 'A worker claimed it (decode, validate, map, deliver)',
    finished: false,
    stuck: false,
    sap: { in: '62', out: '30' },
  },
  delivered: {
    meaning:
      'Transmitted: the receiver took it (for SAP: the inbound IDoc was created). Final on ports without SAP feedback; otherwise waits for SAP to post it',
    finished: true,
    stuck: false,
    sap: { in: '53', out: '03' },
  },
  posted: {
    meaning: 'SAP reported that it posted the IDoc (inbound status 53), with the document where reported',
    finished: true,
    stuck: false,
    sap: { in: '53', out: '41' },
  },
  failed: {
    meaning: 'The last attempt failed with a transient error; it will be retried',
    finished: false,
    stuck: false,
    sap: { in: '51', out: '02' },
  },
  dead: {
    meaning: 'Dead letter: permanent error or retries exhausted; waits for replay or cancel',
    finished: false,
    stuck: true,
    sap: { in: '68', out: '31' },
  },
  'sap-error': {
    meaning:
      'SAP received the IDoc but could not post it (status 51 or another application error); waits for a corrected replay or cancel',
    finished: false,
    stuck: true,
    sap: { in: '51', out: '40' },
  },
  'in-doubt': {
    meaning:
      'Sent, but the answer was lost (timeout or reset after the body went out) on a port that does not drop duplicates: not resent blindly; SAP feedback or an operator resolves it',
    finished: false,
    stuck: true,
    sap: { in: '51', out: '02' },
  },
  unconfirmed: {
    meaning:
      "Delivered, but SAP's application status did not arrive within the port's window; never assumed posted",
    finished: false,
    stuck: true,
    sap: { in: '53', out: '03' },
  },
  blocked: {
    meaning: 'Waits for an earlier message of its ordering key that has not finished',
    finished: false,
    stuck: false,
    sap: { in: '66', out: '30' },
  },
  cancelled: {
    meaning: 'Cancelled by an operator; no further processing',
    finished: true,
    stuck: false,
    sap: { in: '68', out: '31' },
  },
};

export const FINISHED_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter(
  (s) => STATUS_INFO[s].finished,
);

/** Statuses that wait for a person: listed on the dead-letters screen, counted and alerted. */
export const STUCK_STATUSES: readonly MessageStatus[] = MESSAGE_STATUSES.filter((s) => STATUS_INFO[s].stuck);

/** The SAP status code that goes with a gateway status in a direction. */
export function sapStatusFor(status: MessageStatus, direction: Direction): string {
  return STATUS_INFO[status].sap[direction];
}

/** What an operator may replay (send again, as is or edited). */
export const REPLAYABLE: readonly MessageStatus[] = [
  'dead',
  'failed',
  'delivered',
  'posted',
  'sap-error',
  'in-doubt',
  'unconfirmed',
  'cancelled',
];

/** What an operator may cancel. */
export const CANCELLABLE: readonly MessageStatus[] = [
  'received',
  'queued',
  'processing',
  'failed',
  'dead',
  'blocked',
  'sap-error',
  'in-doubt',
  'unconfirmed',
];

/** What an operator may mark as posted by hand (after checking in SAP's WE02), with a reason. */
export const CONFIRMABLE: readonly MessageStatus[] = ['in-doubt', 'unconfirmed', 'delivered'];

/**
 * When the next message of an ordering key may go: `delivered` (SAP's HTTP port took the head)
 * or `posted` (SAP posted it: the pushback's transfer waits for its receipt's 53).
 */
export type ReleaseOn = 'delivered' | 'posted';

/**
 * Statuses in which a message no longer holds its ordering key, by release rule. Kept equal to
 * the SQL in src/store/messages/queue-repo.ts and the partial index of migration 0031.
 */
export const RELEASES_KEY: Readonly<Record<ReleaseOn, readonly MessageStatus[]>> = {
  delivered: ['delivered', 'posted', 'unconfirmed', 'sap-error', 'cancelled'],
  posted: ['posted', 'cancelled'],
};
