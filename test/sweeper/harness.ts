/** Ledger + sweeper on a real store (PGlite or PostgreSQL) with a hand-moved clock. */
import { randomUUID } from 'node:crypto';
import type { SweeperConfig } from '../../src/config/sweeper.js';
import { loadDefinitions } from '../../src/definitions/load.js';
import { idocToCanonicalJson } from './json.js';
import type { Idoc } from '../../src/idoc/model.js';
import { runDeliveryLedgerCatchUp } from '../../src/ledger/deliveries/catch-up.js';
import type { DeliveryLedgerStore } from '../../src/ledger/deliveries/port.js';
import type { ReceiveResult } from '../../src/pipeline/store-port.js';
import { createDeliveryLedgerStore } from '../../src/store/deliveries/store.js';
import type { OpenedStore } from '../../src/store/open-store.js';
import { runSweeper, type SweepHooks, type SweepResult } from '../../src/sweeper/run.js';
import type { OutboundPoster } from '../../src/sweeper/poster.js';
import { StorePoster, testSites, testSweeperConfig, type TestClock } from './support.js';

export const definitions = loadDefinitions();

export class LedgerHarness {
  readonly ledger: DeliveryLedgerStore;
  readonly poster: StorePoster;
  constructor(
    readonly store: OpenedStore,
    readonly clock: TestClock,
    public config: SweeperConfig = testSweeperConfig(),
  ) {
    this.ledger = createDeliveryLedgerStore(store.db);
    this.poster = new StorePoster(store);
  }

  /** A DELVRY07 from SAP, stored as the edge would (raw XML-ish JSON + parsed model). */
  async fromSap(idoc: Idoc): Promise<ReceiveResult> {
    const json = idocToCanonicalJson(idoc);
    return this.store.receive({
      direction: 'in',
      partner: 'STORE_WMS',
      idocType: 'DELVRY07',
      messageType: idoc.control.MESTYP ?? 'SHPORD',
      docnum: idoc.control.DOCNUM ?? '',
      sender: { prt: 'LS', prn: 'PRDCLNT100' },
      raw: { format: 'json', content: json },
      parsed: { format: 'json', content: json },
      by: 'test:edge',
    });
  }

  /** A confirmation of the DC's warehouse to SAP (WHSCON/SHPCON), stored and delivered. */
  async toSap(idoc: Idoc, key: string): Promise<ReceiveResult> {
    const json = idocToCanonicalJson(idoc);
    const r = await this.store.receive({
      direction: 'out',
      channel: 'gateway:SAP',
      idocType: 'DELVRY07',
      messageType: idoc.control.MESTYP ?? 'WHSCON',
      idempotencyKey: key,
      raw: { format: 'json', content: json },
      parsed: { format: 'json', content: json },
      by: 'test:dc-wms',
    });
    if (!r.duplicate) await this.store.transition(r.message.id, 'delivered', { by: 'test' });
    return r;
  }

  /** A handheld scan stored and (by default) delivered to SAP. */
  async scan(payload: Record<string, unknown>, delivered = true): Promise<ReceiveResult> {
    const r = await this.store.receive({
      direction: 'in',
      partner: 'HANDHELDS',
      messageType: 'MBGMCR',
      idempotencyKey: String(payload['scanId']),
      raw: { format: 'json', content: JSON.stringify(payload) },
      by: 'test:edge',
    });
    if (delivered && !r.duplicate) await this.store.transition(r.message.id, 'delivered', { by: 'test' });
    return r;
  }

  catchUp(): ReturnType<typeof runDeliveryLedgerCatchUp> {
    return runDeliveryLedgerCatchUp({
      store: this.store,
      ledger: this.ledger,
      definitions,
      sites: testSites(this.config),
      sweeper: this.config,
      timeZone: 'UTC',
      clock: this.clock,
    });
  }

  sweep(
    options: { dryRun?: boolean; hooks?: SweepHooks; poster?: OutboundPoster; clock?: TestClock } = {},
  ): Promise<SweepResult> {
    return runSweeper(
      {
        ledger: this.ledger,
        poster: options.poster ?? this.poster,
        config: this.config,
        timeZone: 'UTC',
        clock: options.clock ?? this.clock,
        newId: randomUUID,
      },
      {
        ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
        ...(options.hooks ? { hooks: options.hooks } : {}),
      },
    );
  }

  /** Messages the sweeper created for a delivery, oldest first. */
  async postingsOf(
    delivery: string,
  ): Promise<{ id: string; key: string | null; orderingKey: string | null }[]> {
    const { rows } = await this.store.db.query<{
      id: string;
      idempotency_key: string | null;
      ordering_key: string | null;
    }>(
      `SELECT id::text AS id, idempotency_key, ordering_key FROM messages
        WHERE idempotency_key LIKE $1 ORDER BY receipt_seq`,
      [`pushback:${delivery}:%`],
    );
    return rows.map((r) => ({ id: r.id, key: r.idempotency_key, orderingKey: r.ordering_key }));
  }
}
