/** Counts of the messages that wait for a person, per stuck status (metrics, dashboard). */
import { STUCK_STATUSES, type MessageStatus } from './lifecycle.js';
import type { SupportStore } from './store-port.js';

export async function stuckCounts(
  store: Pick<SupportStore, 'deadLetters'>,
): Promise<Readonly<Record<MessageStatus, number>>> {
  const counts = Object.fromEntries(STUCK_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const g of await store.deadLetters({ sampleSize: 0 }))
    counts[g.status] = (counts[g.status] ?? 0) + g.count;
  return counts;
}
