/**
 * The running delivery ledger and pushback sweeper, as the API and the CLI use them (built by the
 * composition root, src/wiring/pushback.ts).
 */
import type { SweeperConfig } from '../config/sweeper.js';
import type { CatchUpResult } from '../ledger/deliveries/catch-up.js';
import type { DeliveryLedgerStore } from '../ledger/deliveries/port.js';
import type { DeliverySites } from '../ledger/deliveries/sites.js';
import type { SweepHooks, SweepResult } from './run.js';

export interface PushbackRuntime {
  readonly ledger: DeliveryLedgerStore;
  readonly sites: DeliverySites;
  readonly sweeper: SweeperConfig;
  readonly now: () => number;
  catchUp(): Promise<CatchUpResult>;
  /** A real run (catch-up first), or a dry run that writes nothing (no catch-up either). */
  sweep(options?: { readonly dryRun?: boolean; readonly hooks?: SweepHooks }): Promise<SweepResult>;
  close(): Promise<void>;
}
