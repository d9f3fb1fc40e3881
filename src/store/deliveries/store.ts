/** The DeliveryLedgerStore over an open, migrated database (the message store's `db`). */
import type { DeliveryLedgerStore } from '../../ledger/deliveries/port.js';
import type { Db } from '../db/db.js';
import * as queries from './queries.js';
import * as repo from './repo.js';
import * as sweep from './sweep.js';

export function createDeliveryLedgerStore(db: Db): DeliveryLedgerStore {
  return {
    pendingMessages: (q) => queries.pendingMessages(db, q),
    applyExpected: (messages, dueAt, now) => repo.applyExpected(db, messages, dueAt, now),
    applyMilestones: (messages, dueAt, now) => repo.applyMilestones(db, messages, dueAt, now),
    applyReceipts: (messages, now) => repo.applyReceipts(db, messages, now),
    markApplied: (marks, now) => repo.markApplied(db, marks, now),
    acquireLease: (name, holder, now, ttl) => sweep.acquireLease(db, name, holder, now, ttl),
    releaseLease: (name, holder) => sweep.releaseLease(db, name, holder),
    setting: (name) => sweep.setting(db, name),
    realignDue: (bySite, def, marker) => sweep.realignDue(db, bySite, def, marker),
    dueDeliveries: (now, limit, after) => sweep.dueDeliveries(db, now, limit, after),
    awaitingGoodsIssue: (now, limit) => sweep.awaitingGoodsIssue(db, now, limit),
    unfinishedPushbacks: (limit) => sweep.unfinishedPushbacks(db, limit),
    getDelivery: (delivery) => repo.loadDelivery(db, delivery),
    decide: (input) => sweep.decide(db, input),
    completePushback: (delivery, ids, now) => sweep.completePushback(db, delivery, ids, now),
    startRun: (id, now) => sweep.startRun(db, id, now),
    finishRun: (id, now, r) => sweep.finishRun(db, id, now, r),
    lastRuns: (limit) => sweep.lastRuns(db, limit),
    listDeliveries: (q) => queries.listDeliveries(db, q),
    countByView: (now, site) => queries.countByView(db, now, site),
    listDiscrepancies: (q) => queries.listDiscrepancies(db, q),
    siteMetrics: (now) => queries.siteMetrics(db, now),
  };
}
