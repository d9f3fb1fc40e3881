/**
 * Demo receivers for config/idocgate.example.yaml and config/pushback.example.yaml, for a gateway
 * started with one of them: a fake SAP (XML-HTTP and SOAP port) on 127.0.0.1:8090 and JSON
 * webhooks for the WMS / stores (8091) and PeopleSoft (8092) — src/demo/receivers.ts, the same
 * receivers `npm start` runs in-process when it has no config. Each arrival is printed.
 *
 *   npm run demo:receivers        # DEMO_GATEWAY_URL (default http://127.0.0.1:8080) for the audit
 */
import { EXAMPLE_RECEIVER_PORTS, startDemoReceivers } from '../src/demo/receivers.js';

const receivers = await startDemoReceivers(EXAMPLE_RECEIVER_PORTS);
const gateway = process.env['DEMO_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
receivers.auditTo(gateway);
console.log(
  `fake SAP      ${receivers.sap.url}  (user ${receivers.sap.username}; ALE audit to ${gateway}/sap/idoc-xml)`,
);
console.log(`WMS           ${receivers.wms.url}`);
console.log(`PeopleSoft    ${receivers.peoplesoft.url}`);
receivers.printArrivals((line) => console.log(line));

const stop = async (): Promise<void> => {
  await receivers.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
