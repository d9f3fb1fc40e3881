/**
 * Demo receivers for config/idocgate.example.yaml and config/pushback.example.yaml: a fake SAP
 * (XML-HTTP and SOAP port) on 127.0.0.1:8090 and JSON webhooks for the WMS / stores (8091) and
 * PeopleSoft (8092). They are the same fakes the tests use; each arrival is printed.
 *
 *   npm run demo:receivers
 */
import { startFakeSap } from '../test/support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../test/support/fake-webhook.js';

const sap = await startFakeSap({ port: 8090 });
const hooks: [string, FakeWebhook][] = [
  ['WMS', await startFakeWebhook({ port: 8091, path: '/wms/idoc-events' })],
  ['PeopleSoft', await startFakeWebhook({ port: 8092, path: '/psft/inventory-transactions' })],
];
console.log(`fake SAP      ${sap.url}  (user ${sap.username})`);
for (const [name, h] of hooks) console.log(`${name.padEnd(13)} ${h.url}`);

let seenSap = 0;
const seenHooks = new Map<string, number>();
const timer = setInterval(() => {
  for (const r of sap.received.slice(seenSap)) {
    const text = r.body.toString('utf8');
    const type = /<IDOCTYP>([^<]*)</.exec(text)?.[1] ?? '?';
    const docnum = /<DOCNUM>([^<]*)</.exec(text)?.[1] ?? '?';
    console.log(`SAP        <- ${r.path} ${type} DOCNUM ${docnum} (${r.body.length} bytes) -> ${r.status}`);
  }
  seenSap = sap.received.length;
  for (const [name, h] of hooks) {
    const seen = seenHooks.get(name) ?? 0;
    for (const r of h.received.slice(seen)) {
      console.log(`${name.padEnd(10)} <- ${r.body.toString('utf8').slice(0, 160)}...`);
    }
    seenHooks.set(name, h.received.length);
  }
}, 250);

const stop = async (): Promise<void> => {
  clearInterval(timer);
  await Promise.all([sap.close(), ...hooks.map(([, h]) => h.close())]);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
