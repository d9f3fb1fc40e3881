/**
 * Demo receivers for config/idocgate.example.yaml and config/pushback.example.yaml: a fake SAP
 * (XML-HTTP and SOAP port) on 127.0.0.1:8090 and JSON webhooks for the WMS / stores (8091) and
 * PeopleSoft (8092). They are the same fakes the tests use; each arrival is printed.
 *
 * The fake SAP posts what it gets (status 53, a material document) and sends its ALE audit
 * (ALEAUD01) back to the gateway's SAP edge, as SAP's report RBDSTATE does; it rejects goods
 * movements of article 4799 (status 51, "Deficit of SL Unrestricted-use stock") so the demo shows
 * an SAP error too (examples/handheld-receipt-rejected.json).
 *
 *   npm run demo:receivers        # DEMO_GATEWAY_URL (default http://127.0.0.1:8080) for the audit
 */
import { startFakeSap } from '../test/support/fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from '../test/support/fake-webhook.js';

const sap = await startFakeSap({
  port: 8090,
  reject: (idoc) =>
    /<MATERIAL>0*4799</.test(idoc.xml)
      ? {
          text: 'Deficit of SL Unrestricted-use stock &1 &2 &3',
          id: 'M7',
          number: '021',
          params: ['4799', 'S0123', '0001'],
        }
      : undefined,
});
const gateway = process.env['DEMO_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
// SAP's ALE audit goes to the gateway as SAP's port user (config: ports.S4H.inboundAuth).
sap.setAudit({ url: `${gateway}/sap/idoc-xml`, username: 'SAPS4H', password: 'demo-sap-password' });
const hooks: [string, FakeWebhook][] = [
  ['WMS', await startFakeWebhook({ port: 8091, path: '/wms/idoc-events' })],
  ['PeopleSoft', await startFakeWebhook({ port: 8092, path: '/psft/inventory-transactions' })],
];
console.log(`fake SAP      ${sap.url}  (user ${sap.username}; ALE audit to ${gateway}/sap/idoc-xml)`);
for (const [name, h] of hooks) console.log(`${name.padEnd(13)} ${h.url}`);

let seenSap = 0;
let seenAudits = 0;
const seenHooks = new Map<string, number>();
const timer = setInterval(() => {
  for (const r of sap.received.slice(seenSap)) {
    const text = r.body.toString('utf8');
    const type = /<IDOCTYP>([^<]*)</.exec(text)?.[1] ?? '?';
    const docnum = /<DOCNUM>([^<]*)</.exec(text)?.[1] ?? '?';
    console.log(`SAP        <- ${r.path} ${type} DOCNUM ${docnum} (${r.body.length} bytes) -> ${r.status}`);
  }
  seenSap = sap.received.length;
  for (const a of sap.audits.slice(seenAudits)) {
    const states = [...a.xml.matchAll(/<E1STATE[^>]*><DOCNUM>(\d+)<\/DOCNUM><STATUS>(\d+)</g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    console.log(`SAP        -> gateway ALEAUD01 (${states.join(', ')}) -> HTTP ${a.status}`);
  }
  seenAudits = sap.audits.length;
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
