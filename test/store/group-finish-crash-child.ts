/**
 * Child process of group-finish.test.ts: opens the store given on the command line, finishes the
 * messages of argv[3] (JSON ids, each `processing`) as delivered concurrently through the group
 * finisher, and kills itself with SIGKILL right after the batch statement has committed — before
 * any worker gets its answer. It prints `committed <n>` first, so the parent knows a batch of n
 * was in the database.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/store/db/db.js';
import { BATCH_FINISH_SQL, createGroupFinisher } from '../../src/store/messages/group-finish.js';
import { finishAttempt } from '../../src/store/messages/repo.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import type { StoreContext } from '../../src/store/messages/context.js';

const options = JSON.parse(process.argv[2]!) as StoreOptions;
const ids = JSON.parse(process.argv[3]!) as string[];
const store = await openStore(options);
const db = store.db;
const dying: Db = {
  ...db,
  kind: db.kind,
  query: async <T>(sql: string, params?: readonly unknown[]) => {
    const result = await db.query<T>(sql, params);
    if (sql === BATCH_FINISH_SQL) {
      process.stdout.write(`committed ${result.rows.length}\n`, () => process.kill(process.pid, 'SIGKILL'));
      await new Promise(() => undefined); // never answers
    }
    return result;
  },
  exec: (sql) => db.exec(sql),
  transaction: (fn) => db.transaction(fn),
  close: () => db.close(),
};
const ctx: StoreContext = { db: dying, clock: () => new Date(), newId: randomUUID };
const finish = createGroupFinisher(ctx, (id, a, to, o) => finishAttempt(ctx, id, a, to, o));
await Promise.all(
  ids.map((id) =>
    finish(id, { transport: 'webhook', outcome: 'ok', durationMs: 5 }, 'delivered', {
      by: 'worker',
      expectFrom: 'processing',
      text: 'delivered',
    }).then(() => process.stdout.write('answered\n')),
  ),
);
process.stdout.write('all answered\n');
