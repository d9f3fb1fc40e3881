/**
 * Child process of group-commit.test.ts: opens the store given on the command line, receives the
 * receipts of argv[3] (JSON) concurrently through the group committer, and kills itself with
 * SIGKILL right after the batch statement has committed — before any sender gets its answer.
 * It prints `committed <n>` first, so the parent knows a batch of n was in the database.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/store/db/db.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import { BATCH_RECEIVE_SQL, createGroupReceiver } from '../../src/store/messages/group-commit.js';
import type { ReceiveInput } from '../../src/pipeline/store-port.js';

const options = JSON.parse(process.argv[2]!) as StoreOptions;
const inputs = JSON.parse(process.argv[3]!) as ReceiveInput[];
const store = await openStore(options);
const db = store.db;
const dying: Db = {
  ...db,
  kind: db.kind,
  query: async <T>(sql: string, params?: readonly unknown[]) => {
    const result = await db.query<T>(sql, params);
    if (sql === BATCH_RECEIVE_SQL) {
      process.stdout.write(`committed ${result.rows.length}\n`, () => process.kill(process.pid, 'SIGKILL'));
      await new Promise(() => undefined); // never answers
    }
    return result;
  },
  exec: (sql) => db.exec(sql),
  transaction: (fn) => db.transaction(fn),
  close: () => db.close(),
};
const receiver = createGroupReceiver({ db: dying, clock: () => new Date(), newId: randomUUID });
await Promise.all(
  inputs.map((input) => receiver.receive(input).then(() => process.stdout.write('answered\n'))),
);
process.stdout.write('all answered\n');
