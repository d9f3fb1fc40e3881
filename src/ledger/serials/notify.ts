/**
 * Alert notification: alerts not yet sent go to a transport (normally the `webhook` kind from
 * ledger.alertWebhook) as one JSON document per batch, then are marked notified. A failed send
 * leaves them unmarked, so the next catch-up tick tries again.
 */
import type { Transport } from '../../pipeline/transport-port.js';

export interface AlertOutbox<A extends { readonly id: number }> {
  unnotified(limit: number): Promise<A[]>;
  markNotified(ids: readonly number[], now: Date): Promise<void>;
}

export async function notifyAlerts<A extends { readonly id: number }>(
  outbox: AlertOutbox<A>,
  transport: Transport,
  clock: () => Date,
  limit = 100,
): Promise<number> {
  const alerts = await outbox.unnotified(limit);
  if (alerts.length === 0) return 0;
  const first = alerts[0]!.id;
  const last = alerts[alerts.length - 1]!.id;
  await transport.send({
    body: JSON.stringify({ type: 'idocgate.serial-alerts', alerts }),
    contentType: 'application/json',
    messageId: `serial-alerts-${first}-${last}`,
  });
  await outbox.markNotified(
    alerts.map((a) => a.id),
    clock(),
  );
  return alerts.length;
}
