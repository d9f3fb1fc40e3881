/** Test helpers: a ledger on a store backend, messages stored as delivered, catch-up with a fake clock. */
import { randomUUID } from 'node:crypto';
import { defaultLedgerConfig, type LedgerConfig, type LedgerConfigInput } from '../../src/config/ledger.js';
import { applyPending, runSweeps } from '../../src/ledger/serials/catch-up.js';
import { buildSiteDirectory, loadSiteRows, type SiteDirectory } from '../../src/ledger/serials/sites.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { createLedgerFeed } from '../../src/store/serials/feed.js';
import type { Backend } from '../store/backends.js';
import type { TrafficMessage } from './traffic.js';

export class Clock {
  constructor(public t = new Date('2025-01-01T00:00:00Z')) {}
  readonly now = (): Date => this.t;
  set(d: Date): void {
    this.t = d;
  }
}

export interface LedgerHarness {
  readonly store: OpenedStore;
  readonly config: LedgerConfig;
  readonly sites: SiteDirectory;
  readonly clock: Clock;
  /** Stores a message and marks it delivered (as the pipeline would); returns its id. */
  deliver(
    m: Pick<TrafficMessage, 'idocType' | 'messageType' | 'payload'>,
    extra?: { correlation?: { messageId: string; kind: string } },
  ): Promise<string>;
  /** Applies everything pending; returns the number of events applied. */
  catchUp(): Promise<{ events: number; duplicates: number; failed: number }>;
  sweep(now: Date): Promise<number>;
}

/** Stores a message and marks it delivered (as the pipeline would); returns its id. */
export async function deliverMessage(
  store: OpenedStore,
  m: Pick<TrafficMessage, 'idocType' | 'messageType' | 'payload'>,
  extra: { correlation?: { messageId: string; kind: string } } = {},
): Promise<string> {
  const content = JSON.stringify(m.payload);
  const r = await store.receive({
    direction: 'in',
    channel: 'test',
    ...(m.idocType !== undefined ? { idocType: m.idocType } : {}),
    messageType: m.messageType,
    idempotencyKey: randomUUID(),
    raw: { format: 'json', content },
    ...(m.idocType !== undefined ? { parsed: { format: 'json' as const, content } } : {}),
    ...(extra.correlation ? { correlation: extra.correlation } : {}),
    by: 'test',
  });
  await store.transition(r.message.id, 'delivered', { by: 'test' });
  return r.message.id;
}

export async function openLedger(backend: Backend, input: LedgerConfigInput = {}): Promise<LedgerHarness> {
  const clock = new Clock();
  const store = await backend.open({ clock: clock.now });
  const config = defaultLedgerConfig(input);
  const sites = buildSiteDirectory(loadSiteRows(), config);
  const feed = createLedgerFeed(store.db, { sites, config, clock: clock.now });
  return {
    store,
    config,
    sites,
    clock,
    deliver: (m, extra = {}) => deliverMessage(store, m, extra),
    async catchUp() {
      let events = 0;
      let duplicates = 0;
      let failed = 0;
      for (;;) {
        const r = await applyPending(feed, sites, config.batchSize, 'UTC');
        events += r.events;
        duplicates += r.duplicates;
        failed += r.failed;
        if (r.messages === 0) break;
      }
      return { events, duplicates, failed };
    },
    sweep: (now) => runSweeps(feed, config, now),
  };
}
