/**
 * The demo's receivers: a fake SAP (XML-HTTP and SOAP port) that posts what it gets (status 53, a
 * material document) and sends its ALE audit (ALEAUD01) back to the gateway's SAP edge, as SAP's
 * report RBDSTATE does, and rejects goods movements of article 4799 (status 51, "Deficit of SL
 * Unrestricted-use stock", examples/handheld-receipt-rejected.json); and the JSON webhooks of the
 * WMS / stores and PeopleSoft. Used by the in-process demo (src/demo/demo.ts, `npm start` with no
 * config) and by `npm run demo:receivers` (scripts/demo-receivers.ts) next to a gateway started
 * with config/idocgate.example.yaml. Each arrival is printed as one line.
 */
import { startFakeSap, type FakeSap } from './fake-sap.js';
import { startFakeWebhook, type FakeWebhook } from './fake-webhook.js';

/** SAP's own user on the gateway's SAP edge (config/idocgate.example.yaml: ports.S4H.inboundAuth). */
export const DEMO_SAP_INBOUND = { username: 'SAPS4H', password: 'demo-sap-password' } as const;

export interface DemoReceiverPorts {
  /** Fake SAP (example config: 8090); 0 = a free port. */
  readonly sap: number;
  /** WMS / stores webhook (8091). */
  readonly wms: number;
  /** PeopleSoft webhook (8092). */
  readonly peoplesoft: number;
}

export const EXAMPLE_RECEIVER_PORTS: DemoReceiverPorts = { sap: 8090, wms: 8091, peoplesoft: 8092 };

export interface DemoReceivers {
  readonly sap: FakeSap;
  readonly wms: FakeWebhook;
  readonly peoplesoft: FakeWebhook;
  /** The endpoints the example config's transports point at, on the ports actually bound. */
  readonly urls: { readonly sap: string; readonly wms: string; readonly peoplesoft: string };
  /** Sends SAP's ALE audit to this gateway (its SAP edge, as SAP's port user). */
  auditTo(gatewayUrl: string): void;
  /** Prints every new arrival (SAP, its audits, webhooks) as one line each, every 250 ms. */
  printArrivals(print: (line: string) => void): void;
  close(): Promise<void>;
}

export const WMS_PATH = '/wms/idoc-events';
export const PEOPLESOFT_PATH = '/psft/inventory-transactions';

export async function startDemoReceivers(ports: DemoReceiverPorts): Promise<DemoReceivers> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const sap = await startFakeSap({
      port: ports.sap,
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
    started.push(sap);
    const wms = await startFakeWebhook({ port: ports.wms, path: WMS_PATH });
    started.push(wms);
    const peoplesoft = await startFakeWebhook({ port: ports.peoplesoft, path: PEOPLESOFT_PATH });
    started.push(peoplesoft);
    let timer: NodeJS.Timeout | undefined;
    return {
      sap,
      wms,
      peoplesoft,
      urls: { sap: sap.url, wms: wms.url, peoplesoft: peoplesoft.url },
      auditTo(gatewayUrl) {
        sap.setAudit({ url: `${gatewayUrl}/sap/idoc-xml`, ...DEMO_SAP_INBOUND });
      },
      printArrivals(print) {
        clearInterval(timer);
        const hooks: [string, FakeWebhook][] = [
          ['WMS', wms],
          ['PeopleSoft', peoplesoft],
        ];
        let seenSap = sap.received.length;
        let seenAudits = sap.audits.length;
        const seenHooks = new Map(hooks.map(([name, h]) => [name, h.received.length]));
        timer = setInterval(() => {
          for (const r of sap.received.slice(seenSap)) print(describeSapArrival(r.path, r.body, r.status));
          seenSap = sap.received.length;
          for (const a of sap.audits.slice(seenAudits)) print(describeAudit(a.xml, a.status));
          seenAudits = sap.audits.length;
          for (const [name, h] of hooks) {
            for (const r of h.received.slice(seenHooks.get(name) ?? 0)) {
              print(`${name.padEnd(10)} <- ${r.body.toString('utf8').slice(0, 160)}...`);
            }
            seenHooks.set(name, h.received.length);
          }
        }, 250);
        timer.unref();
      },
      async close() {
        clearInterval(timer);
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close().catch(() => undefined)));
    throw err;
  }
}

function describeSapArrival(path: string, body: Buffer, status: number): string {
  const text = body.toString('utf8');
  const type = /<IDOCTYP>([^<]*)</.exec(text)?.[1] ?? '?';
  const docnum = /<DOCNUM>([^<]*)</.exec(text)?.[1] ?? '?';
  return `SAP        <- ${path} ${type} DOCNUM ${docnum} (${body.length} bytes) -> ${status}`;
}

function describeAudit(xml: string, status: number): string {
  const states = [...xml.matchAll(/<E1STATE[^>]*><DOCNUM>(\d+)<\/DOCNUM><STATUS>(\d+)</g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  return `SAP        -> gateway ALEAUD01 (${states.join(', ')}) -> HTTP ${status}`;
}
