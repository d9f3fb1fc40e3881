/**
 * The ledger lock on PostgreSQL (src/store/serial-ledger-repo.ts, lockLedger): one writer of
 * serial states per schema. A second batch in the same schema is locked out while the first
 * holds the lock; a batch in another schema of the same database runs (ledgers of two schemas —
 * tenants, or test files run side by side — never lock each other out).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLedgerConfig } from '../../src/config/ledger.js';
import { buildSiteDirectory, loadSiteRows } from '../../src/ledger/serials/sites.js';
import type { LedgerFeedPort } from '../../src/ledger/serials/catch-up.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { createLedgerFeed } from '../../src/store/serials/feed.js';
import { postgresBackend, POSTGRES_AVAILABLE } from '../store/backends.js';

const config = defaultLedgerConfig({});
const sites = buildSiteDirectory(loadSiteRows(), config);
const feedOf = (store: OpenedStore): LedgerFeedPort =>
  createLedgerFeed(store.db, { sites, config, clock: () => new Date() });

describe.skipIf(!POSTGRES_AVAILABLE)('the ledger lock on PostgreSQL', () => {
  const one = postgresBackend('ledger_lock_a');
  const other = postgresBackend('ledger_lock_b');
  let a1: OpenedStore;
  let a2: OpenedStore;
  let b: OpenedStore;
  beforeAll(async () => {
    a1 = await one.open();
    a2 = await one.open();
    b = await other.open();
  });
  afterAll(async () => {
    for (const s of [a1, a2, b]) await s?.close();
    await one.cleanup();
    await other.cleanup();
  });

  it('locks out a second batch in the same schema, never one in another schema', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = feedOf(a1).batch(async () => {
      entered();
      await held;
      return 'first';
    });
    await inside;
    try {
      expect(await feedOf(a2).batch(() => Promise.resolve('same schema'))).toBeUndefined();
      expect(await feedOf(b).batch(() => Promise.resolve('other schema'))).toBe('other schema');
    } finally {
      release();
    }
    expect(await first).toBe('first');
    expect(await feedOf(a2).batch(() => Promise.resolve('same schema, after'))).toBe('same schema, after');
  });
});
