/**
 * openStore(): opens PostgreSQL (with a database URL) or embedded PGlite (with a data directory),
 * applies the migrations, and returns the Store the use cases code against.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../pipeline/store-port.js';
import type { StoreContext } from './messages/context.js';
import { openDb, type Db, type DbOptions } from './db/db.js';
import { migrate } from './db/migrate.js';
import type { AttemptInput, MessageStatus, ReceiveInput, TransitionOptions } from '../pipeline/store-port.js';
import { createGroupClaimer, createGroupReceiver, type GroupCommitOptions } from './messages/group-commit.js';
import { createGroupFinisher } from './messages/group-finish.js';
import { receive } from './messages/receive.js';
import * as messages from './messages/repo.js';
import * as admin from './messages/audit-repo.js';
import * as searching from './messages/search-repo.js';
import * as queue from './messages/queue-repo.js';
import { overviewSeries } from './messages/overview.js';

export interface StoreOptions extends DbOptions {
  /** Folder of NNNN_name.sql files (default: the project's migrations/). */
  readonly migrationsDir?: string;
  readonly clock?: () => Date;
  readonly newId?: () => string;
  /**
   * Group commit of concurrent receipts, worker claims and attempt finishes (default on; `false`:
   * one statement per call). See src/store/messages/group-commit.ts and group-finish.ts.
   */
  readonly groupCommit?: GroupCommitOptions | false;
}

export interface OpenedStore extends Store {
  /** The underlying database, for adapters that keep their own tables (ledger, sweeper). */
  readonly db: Db;
}

export async function openStore(options: StoreOptions): Promise<OpenedStore> {
  const db = await openDb(options);
  try {
    await migrate(db, {
      ...(options.migrationsDir !== undefined ? { dir: options.migrationsDir } : {}),
      ...(options.schema !== undefined ? { schema: options.schema } : {}),
    });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return createStore(
    {
      db,
      clock: options.clock ?? (() => new Date()),
      newId: options.newId ?? randomUUID,
    },
    options.groupCommit,
  );
}

/** The Store over an open, migrated database. */
export function createStore(ctx: StoreContext, groupCommit?: GroupCommitOptions | false): OpenedStore {
  const { db } = ctx;
  const receiver =
    groupCommit === false
      ? { receive: (input: ReceiveInput) => receive(ctx, input) }
      : createGroupReceiver(ctx, groupCommit);
  const claimOne = (
    id: string,
    token: string,
    from: readonly MessageStatus[],
    options: Omit<TransitionOptions, 'expectFrom'>,
  ) => messages.claimUnordered(ctx, id, token, from, options);
  const claimUnordered = groupCommit === false ? claimOne : createGroupClaimer(ctx, claimOne, groupCommit);
  const finishOne = (id: string, attempt: AttemptInput, to: MessageStatus, options: TransitionOptions) =>
    messages.finishAttempt(ctx, id, attempt, to, options);
  const finishAttempt = groupCommit === false ? finishOne : createGroupFinisher(ctx, finishOne, groupCommit);
  return {
    db,
    receive: (input) => receiver.receive(input),
    get: (id) => messages.getMessage(db, id),
    getByIdempotencyKey: (scope, key) => messages.getByIdempotencyKey(db, scope, key),
    versions: (id) => messages.versions(db, id),
    versionsOf: (ids) => messages.versionsOf(db, ids),
    addVersion: (id, input) => messages.addVersion(ctx, id, input),
    searchKeys: (id) => messages.searchKeys(db, id),
    addSearchKeys: (id, keys, text) => messages.addSearchKeys(ctx, id, keys, text),
    transition: (id, to, options) => messages.transition(ctx, id, to, options),
    history: (id) => messages.history(db, id),
    recordAttempt: (id, input) => messages.recordAttempt(ctx, id, input),
    finishAttempt: (id, attempt, to, options) => finishAttempt(id, attempt, to, options),
    claimUnordered: (id, token, from, options) => claimUnordered(id, token, from, options),
    attempts: (id) => messages.attempts(db, id),
    search: (query, options) => searching.search(db, query, options),
    countByQuery: (query) => searching.countByQuery(db, query),
    appendAudit: (input) => admin.insertAudit(db, ctx.clock(), input),
    audit: (filter) => admin.audit(db, filter),
    nextIdocNumber: () => admin.nextIdocNumber(db),
    purgeOlderThan: (before, options) => admin.purgeOlderThan(ctx, before, options),
    headOfKey: (key) => queue.headOfKey(db, key),
    blockedKeys: (limit) => queue.blockedKeys(db, limit),
    markQueued: (id, token, by) => messages.markQueued(ctx, id, token, by ?? 'queue'),
    findUnqueued: (olderThan, limit) => queue.findUnqueued(db, olderThan, limit),
    findStuck: (filter) => queue.findStuck(db, filter),
    findUnconfirmed: (now, limit) => queue.findUnconfirmed(db, now, limit),
    findSentByDocnum: (docnums) => queue.findSentByDocnum(db, docnums),
    claimPacket: (filter, options) =>
      queue.claimPacket(db, ctx.clock(), filter, options.by, options.text ?? ''),
    deadLetters: (filter) => queue.deadLetters(db, filter),
    overviewSeries: (range) => overviewSeries(db, range),
    close: () => db.close(),
  };
}
